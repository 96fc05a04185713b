"""The command line: each command parses its options, calls one library function, prints.

Library modules are imported inside the commands so `consolidator --help` starts without
pandas (about a second of import time on this machine's class of hardware).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

LANG = click.Choice(["vi", "en"])
LEFT_OUT_SHOWN = 30


class CatalogRefused(click.ClickException):
    """A bad catalog or bad usage: exit code 2, as DESIGN.md §5 says."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def _load(catalog_path: str, lang: str | None):
    from .catalog import load_catalog
    from .errors import CatalogError

    try:
        return load_catalog(catalog_path)
    except CatalogError as exc:
        raise CatalogRefused(exc.report(lang or "vi")) from exc


def _progress(label: str):
    """A progress bar on a terminal; nothing at all when output is piped or logged."""
    def wrap(items, length: int | None = None):
        if not sys.stderr.isatty() or (length is not None and length < 2):
            yield from items
            return
        with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
            for item in bar:
                yield item
    return wrap


class _Group(click.Group):
    """Work that cannot go on (an output that cannot be written, say) ends with its message and exit 2."""

    def invoke(self, ctx):
        from .errors import ConsolidatorError

        try:
            return super().invoke(ctx)
        except ConsolidatorError as exc:
            raise CatalogRefused(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="consolidator")
def main() -> None:
    """Run a round of indicator reporting (sơ kết giữa nhiệm kỳ) across a tree of units.

    A round: `init` a catalog, fill it in, `generate` one appendix per unit, collect the
    returned files, `validate` them, `status` to see who is missing, `consolidate`.
    """


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Start a new round in DIRECTORY with a blank catalog to fill in."""
    from .templates import write_blank_catalog

    path = Path(directory) / "catalog.xlsx"
    if path.exists():
        raise CatalogRefused(f"{path} already exists; choose another folder or move the file away.")
    write_blank_catalog(path)
    click.echo(f"Blank catalog: {path}")
    click.echo("Fill in its sheets round, units, indicators and targets (see the sheet 'Hướng dẫn'), then run:")
    click.echo(f"  consolidator generate {path} -o {Path(directory) / 'appendices'}")


@main.command()
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="Folder for the workbooks.")
@click.option("--unit", "units", multiple=True, metavar="CODE", help="Only this unit (repeatable).")
@click.option("--lang", type=LANG, default=None, help="Language of the workbooks (default: the round's, else vi).")
def generate(catalog: str, outdir: str, units: tuple[str, ...], lang: str | None) -> None:
    """Write one appendix workbook per unit that has targets, and a manifest."""
    from .generate import MANIFEST
    from .generate import generate as run

    cat = _load(catalog, lang)
    lang = lang or cat.round.lang
    try:
        done = run(cat, outdir, units, lang, progress=_progress("generate"))
    except ValueError as exc:
        raise CatalogRefused(f"Unknown unit code or unit without targets: {exc}") from exc
    for g in done:
        click.echo(f"{g.unit_code}\t{g.indicators} chỉ tiêu\t{g.path}")
    click.echo(f"{len(done)} workbook(s); manifest: {Path(outdir) / MANIFEST}")


@main.command()
@click.argument("directory", required=False, default="demo_round", type=click.Path(file_okay=False))
@click.option("--lang", type=LANG, default="vi", help="Language of the generated files.")
def demo(directory: str, lang: str) -> None:
    """Run a round on the bundled sample data in DIRECTORY (default demo_round)."""
    from .demo import run_demo

    for line in run_demo(Path(directory), lang):
        click.echo(line)


def _inputs(inputs: tuple[str, ...], allow_empty: bool = False):
    from .errors import ConsolidatorError
    from .safety import verify_xml_defences
    from .validate import collect_inputs

    try:
        verify_xml_defences()  # before any returned file is opened
    except ConsolidatorError as exc:
        raise CatalogRefused(str(exc)) from exc

    paths = collect_inputs(inputs)
    if not paths and not allow_empty:
        raise CatalogRefused("No input files found in: " + ", ".join(inputs))
    return paths


@main.command()
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Also write an Excel report here.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False),
              help="Write copies of files with problems, cells marked, to send back to units.")
@click.option("--annotate-warnings", is_flag=True,
              help="With --annotate: also copies of valid files that have warnings.")
@click.option("--lang", type=LANG, default=None, help="Language of the messages (default: the round's, else vi).")
def validate(catalog: str, inputs: tuple[str, ...], fmt: str, report_path: str | None,
             annotate_dir: str | None, annotate_warnings: bool, lang: str | None) -> None:
    """Check returned workbooks; exit 1 if any has errors. INPUT is files or folders."""
    import json

    from .report import annotate, format_text, write_excel_report
    from .validate import validate_files

    cat = _load(catalog, lang)
    lang = lang or cat.round.lang
    report = validate_files(cat, _inputs(inputs), progress=_progress("validate"))
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report, lang))
    if report_path:
        write_excel_report(report, report_path, lang)
        click.echo(f"Excel report: {report_path}", err=fmt == "json")
    if annotate_dir:
        for path in annotate(report, annotate_dir, lang, warnings=annotate_warnings):
            click.echo(f"Annotated: {path}", err=fmt == "json")
    sys.exit(1 if report.has_errors else 0)


@main.command()
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--lang", type=LANG, default=None, help="Language of the table (default: the round's, else vi).")
def status(catalog: str, inputs: tuple[str, ...], lang: str | None) -> None:
    """Who is missing, late or invalid, with completeness and timeliness rates; exit 1 if any unit is."""
    from .report import format_status
    from .validate import VALID, validate_files

    cat = _load(catalog, lang)
    lang = lang or cat.round.lang
    # An empty inbox is the first day of a round: every unit is missing, which is the answer.
    report = validate_files(cat, _inputs(inputs, allow_empty=True), progress=_progress("status"))
    click.echo(format_status(report, lang))
    sys.exit(0 if all(u.state == VALID for u in report.units) else 1)


@main.command()
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The consolidated workbook (.xlsx) to write.")
@click.option("--data-out", type=click.Path(dir_okay=False), help="Also write the long data table (.csv or .parquet).")
@click.option("--root", metavar="CODE", help="Consolidate only the units under this one.")
@click.option("--accept-partial", is_flag=True, help="Take the rows without errors from invalid files too.")
@click.option("--lang", type=LANG, default=None, help="Language of the workbook (default: the round's, else vi).")
def consolidate(catalog: str, inputs: tuple[str, ...], output: str, data_out: str | None, root: str | None,
                accept_partial: bool, lang: str | None) -> None:
    """Roll the valid returned workbooks up into one consolidated workbook; exit 1 if any was left out."""
    from .consolidate import consolidate as run
    from .consolidate import write_outputs

    cat = _load(catalog, lang)
    lang = lang or cat.round.lang
    if root is not None and root not in cat.unit_by_code:
        raise CatalogRefused(f"--root {root}: no such unit in the catalog.")
    if data_out is not None and Path(data_out).suffix.lower() not in (".csv", ".parquet"):
        raise CatalogRefused("--data-out must end in .csv or .parquet")
    result = run(cat, _inputs(inputs), root=root, accept_partial=accept_partial, progress=_progress("consolidate"))
    write_outputs(result, output, data_out, lang)
    click.echo(f"Consolidated workbook: {output}")
    if data_out:
        click.echo(f"Data table: {data_out}")
    summary = result.report.summary()
    click.echo(f"{summary['units_valid']}/{summary['units_expected']} units valid; "
               f"{len(result.left_out)} submission(s) left out{' (valid rows taken)' if accept_partial else ''}.")
    # The clerk needs the first few here; the workbook's submission sheet has them all
    # (at ten thousand files, thousands of lines would bury the summary above).
    for s in result.left_out[:LEFT_OUT_SHOWN]:
        click.echo(f"  {s.unit_code or '?'}: {s.path.name} ({s.status}, {s.errors} error(s))")
    if len(result.left_out) > LEFT_OUT_SHOWN:
        click.echo(f"  ... and {len(result.left_out) - LEFT_OUT_SHOWN} more: every file is listed in the workbook.")
    sys.exit(1 if result.left_out else 0)
