"""The command line: each command parses its options, calls one library function, prints.

Library modules are imported inside the commands so `consolidator --help` starts without
pandas (about a second of import time on this machine's class of hardware).

Every word printed comes from labels.toml: Vietnamese unless `--lang en` (or the round's
language) says otherwise. The help is read before any option, so its language is the
environment's CONSOLIDATOR_LANG, Vietnamese by default.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
import warnings
from pathlib import Path
from typing import NoReturn

import click
import click.decorators
import click.formatting
import click.parser
import click.termui
import click.types

from .gcpause import collector_paused
from .messages import LANGS, click_words, labels

LANG = click.Choice(["vi", "en"])
LEFT_OUT_SHOWN = 30
HELP_LANG = os.environ.get("CONSOLIDATOR_LANG", "vi") if os.environ.get("CONSOLIDATOR_LANG") in LANGS else "vi"
_HELP = labels(HELP_LANG)


def _click_in_our_language(lang: str) -> None:
    """click's own usage errors in the help's language, from labels.toml's [click.<lang>].

    click words them through gettext, bound in each of its modules at import; those
    bindings are handed our table's lookup instead. An English message missing from the
    table (a newer click) stays as click says it.
    """
    table = click_words(lang)
    if not table:
        return

    def gettext(message: str) -> str:
        return table.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types):
        if getattr(module, "_", None) is _gettext.gettext:
            module._ = gettext
        if getattr(module, "ngettext", None) is _gettext.ngettext:
            module.ngettext = ngettext


_click_in_our_language(HELP_LANG)


def say(lang: str | None, key: str, **fields: object) -> str:
    """A line of the command line's output in a language (None: Vietnamese)."""
    return labels(lang or "vi")[key].format(**fields)


def shell_path(path: str | Path) -> str:
    """A path as it is typed in a command: in double quotes when it has a space or a shell
    character. Double, not single (shlex.quote), so Windows' cmd and PowerShell read it too."""
    text = str(path)
    return f'"{text}"' if not text or any(ch in text for ch in " \t&()[]{}^=;!'+,`~$#%|<>*?") else text


class Refused(click.ClickException):
    """Work that cannot go on — bad usage, a bad catalog, an output that cannot be written: exit
    code 2, as DESIGN.md §5 says. The library's typed errors become this in one place,
    `_Command.invoke`; the command line raises it itself only for its own usage checks."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


class _Formatter(click.HelpFormatter):
    """click's help layout with its own headings in the help's language."""

    _SECTIONS = {"Options": "cli_section_options", "Commands": "cli_section_commands",
                 "Positional arguments": "cli_section_arguments"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else _HELP["cli_usage"] + " ")

    def section(self, name: str):
        return super().section(_HELP.get(self._SECTIONS.get(name, ""), name))

    def write_dl(self, rows, *args, **kwargs) -> None:
        required = f"[{_HELP['cli_required']}]"
        super().write_dl([(term, text.replace("[required]", required)) for term, text in rows], *args, **kwargs)


class _Context(click.Context):
    formatter_class = _Formatter


class _Command(click.Command):
    context_class = _Context

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", _HELP["mv_options"])
        super().__init__(*args, **kwargs)

    def invoke(self, ctx):
        """Work that cannot go on ends with its message in the command's language and exit 2."""
        from .errors import ConsolidatorError, output_refused

        lang = ctx.params.get("lang") or "vi"
        try:
            # A command builds millions of long-lived objects (readings, rollup rows) and no
            # garbage cycles worth a collection: paused here, once, for the whole command.
            with collector_paused():
                return super().invoke(ctx)
        except ConsolidatorError as exc:
            raise Refused(exc.message(lang)) from exc
        except OSError as exc:  # an output folder the clerk may not write to, a full disk
            raise Refused(output_refused(exc.filename or "", exc).message(lang)) from exc

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _HELP["help_option"]
        return option


def _load(catalog_path: str):
    from .catalog import load_catalog

    return _warn(load_catalog(catalog_path))  # a CatalogError is told by _Command.invoke


def _warn(catalog):
    """What is odd in the catalog but does not stop the round (a malformed email address),
    told on stderr in the round's language, each by its cell."""
    for issue in catalog.warnings:
        click.echo(f"[{issue.code}] {issue.message(catalog.round.lang)}", err=True)
    return catalog


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


class _Group(_Command, click.Group):
    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", _HELP["mv_subcommand"])
        super().__init__(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, help=_HELP["help_main"])
@click.version_option(package_name="consolidator", help=_HELP["help_version"], message=_HELP["cli_version"])
def main() -> None:
    """Run a round of indicator reporting across a tree of units (help text: labels.toml help_main)."""
    # A library's warnings (pandas, openpyxl) are for its developers, not the clerk; -W or
    # PYTHONWARNINGS still shows them. The workers silence their own (parallel.py).
    if not sys.warnoptions:
        warnings.simplefilter("ignore")


# Whether this process is the program (the console script, `python -m consolidator`) rather
# than a test's runner calling `main` (click's CliRunner): see _finish.
_AS_PROGRAM = False


def program() -> None:
    """The console script: `main`, as the program (see _finish)."""
    global _AS_PROGRAM
    _AS_PROGRAM = True
    main()


def _finish(code: int) -> NoReturn:
    """End a command that built a round's worth of objects, with exit code `code`.

    As the program, the process ends at once, what it printed flushed: handing back millions
    of objects one by one took 2 s after the last line at ten thousand files, and 0.7 s of a
    7 s run at a thousand. By then everything it wrote is closed and renamed into place
    (fileio.atomic_output), the store's transactions are committed and its workers and
    writers have ended: nothing is left for the interpreter to do at exit. Called from a
    test's runner, a normal exit.
    """
    if _AS_PROGRAM:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


# The folders of a round, as the clerk's guide (docs/huong-dan-su-dung.md) names them.
APPENDICES, INBOX, CONSOLIDATED = "phu-luc", "nhan-ve", "tong-hop.xlsx"


@main.command(help=_HELP["help_init"])
@click.argument("directory", type=click.Path(file_okay=False), metavar=_HELP["mv_directory"])
@click.option("--from", "earlier", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"],
              help=_HELP["help_opt_from"])
@click.option("--round-id", metavar=_HELP["mv_code"], help=_HELP["help_opt_round_id"])
@click.option("--cutoff", metavar=_HELP["mv_date"], help=_HELP["help_opt_cutoff"])
@click.option("--deadline", metavar=_HELP["mv_date"], help=_HELP["help_opt_deadline"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_init"])
def init(directory: str, earlier: str | None, round_id: str | None, cutoff: str | None, deadline: str | None,
         lang: str | None) -> None:
    folder = Path(directory)
    if earlier is None:
        from .rounds import create_round
        from .templates import write_blank_catalog

        if round_id or cutoff or deadline:
            raise Refused(say(lang, "cli_from_only"))
        made_catalog = create_round(folder, write_blank_catalog)
        click.echo(say(lang, "cli_round_created" if made_catalog else "cli_round_store_added", folder=folder))
    else:
        from .receiving import start_next_round
        from .rounds import RoundFolder

        RoundFolder(Path(earlier)).store().close()  # a folder without a store, or a newer one: refused
        following, before = start_next_round(folder, RoundFolder(Path(earlier)), round_id,
                                             _date(cutoff, "--cutoff", lang), _date(deadline, "--deadline", lang))
        lang = lang or following.round.lang
        click.echo(say(lang, "cli_round_from", round_id=following.round.round_id, previous=before.catalog.round.round_id,
                       units=len(following.units), targets=len(following.targets), results=len(before.rows)))
    click.echo(say(lang, "cli_round_next"))
    click.echo(f"  consolidator generate {shell_path(folder)}")
    click.echo(f"  consolidator receive {shell_path(folder)} {shell_path(folder / INBOX)}")
    click.echo(f"  consolidator status {shell_path(folder)}")


def _date(text: str | None, option: str, lang: str | None):
    from .catalog import parse_date

    if text is None:
        return None
    value = parse_date(text.strip())
    if value is None:
        raise Refused(say(lang, "cli_bad_date", option=option, value=text))
    return value


def _catalog_or_round(path: str):
    """The catalog, and the round folder when a folder was given in its place (DESIGN.md §7)."""
    from .rounds import RoundFolder

    return _round(path) if RoundFolder.is_one(Path(path)) else (_load(path), None, None)


def _round(path: str):
    """A round folder's catalog, the folder and the catalog's version: for the commands that
    need the store (receive, history, check, remind), and the others given a folder."""
    from .receiving import open_round
    from .rounds import RoundFolder

    folder = RoundFolder(Path(path))
    folder.store().close()  # refuses a folder without a store, or with a newer one
    catalog, version = open_round(folder)
    return _warn(catalog), folder, version


def _files_or_store(folder, inputs: tuple[str, ...], lang: str, allow_empty: bool = False):
    """Files given, or None when a round folder's store is to be used (no INPUT given)."""
    if folder is not None and not inputs:
        return None
    if not inputs and not allow_empty:
        raise Refused(say(lang, "cli_no_inputs_catalog"))
    return _inputs(inputs, lang, allow_empty)


@main.command(help=_HELP["help_generate"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False), metavar=_HELP["mv_folder"],
              help=_HELP["help_opt_appendix_dir"])
@click.option("--unit", "units", multiple=True, metavar=_HELP["mv_code"], help=_HELP["help_opt_unit"])
@click.option("--base-url", "base_url", metavar="URL", help=_HELP["help_opt_base_url"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_generate"])
def generate(catalog: str, outdir: str | None, units: tuple[str, ...], base_url: str | None,
             lang: str | None) -> None:
    from .access import new_links
    from .generate import MANIFEST
    from .generate import generate as run
    from .rounds import record_generated

    cat, folder, version = _catalog_or_round(catalog)
    lang = lang or cat.round.lang
    if outdir is None:
        if folder is None:
            raise Refused(say(lang, "cli_output_required"))
        outdir = str(folder.path / APPENDICES)
    urls, digests = {}, {}
    if base_url is not None:
        if folder is None:
            raise Refused(say(lang, "cli_base_url_needs_round"))
        if not base_url.startswith(("http://", "https://")) or len(base_url) < 10:
            raise Refused(say(lang, "cli_base_url_bad", url=base_url))
        urls, digests = new_links([u.code for u in cat.reporting_units if not units or u.code in units], base_url)
    done = run(cat, outdir, units, lang, progress=_progress("generate"), links=urls)
    if folder is not None:
        record_generated(folder, version, done, digests)
    for g in done:
        click.echo(say(lang, "cli_generated_line", unit=g.unit_code, count=g.indicators, path=g.path))
    click.echo(say(lang, "cli_generated", count=len(done), manifest=Path(outdir) / MANIFEST))
    if urls:
        click.echo(say(lang, "cli_links_made", count=len(urls), manifest=Path(outdir) / MANIFEST))


@main.command(help=_HELP["help_demo"])
@click.argument("directory", required=False, default="demo_round", type=click.Path(file_okay=False),
                metavar=_HELP["mv_directory_optional"])
@click.option("--lang", type=LANG, default="vi", help=_HELP["help_opt_lang_demo"])
def demo(directory: str, lang: str) -> None:
    from .demo import run_demo

    for line in run_demo(Path(directory), lang):
        click.echo(line)


def _inputs(inputs: tuple[str, ...], lang: str, allow_empty: bool = False):
    from .safety import verify_xml_defences
    from .validate import collect_inputs

    verify_xml_defences()  # before any returned file is opened

    paths = collect_inputs(inputs)
    if not paths and not allow_empty:
        raise Refused(say(lang, "cli_no_inputs", inputs=", ".join(inputs)))
    return paths


@main.command(help=_HELP["help_validate"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.argument("inputs", nargs=-1, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=_HELP["help_opt_format"])
@click.option("--report", "report_path", type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_report"])
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), metavar=_HELP["mv_folder"],
              help=_HELP["help_opt_annotate"])
@click.option("--annotate-warnings", is_flag=True, help=_HELP["help_opt_annotate_warnings"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def validate(catalog: str, inputs: tuple[str, ...], fmt: str, report_path: str | None,
             annotate_dir: str | None, annotate_warnings: bool, lang: str | None) -> None:
    import json

    from .report import annotate_copies, write_excel_report
    from .textreport import format_text

    cat, folder, version = _catalog_or_round(catalog)
    lang = lang or cat.round.lang
    report = _validated(cat, folder, version, inputs, lang, reread=True, label="validate")
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report, lang))
    if report_path:
        write_excel_report(report, report_path, lang)
        click.echo(say(lang, "cli_report", path=report_path), err=fmt == "json")
    if annotate_dir:
        for copy in annotate_copies(report, annotate_dir, lang, warnings=annotate_warnings):
            if copy.path is not None:
                click.echo(say(lang, "cli_annotated", path=copy.path), err=fmt == "json")
            else:
                click.echo(say(lang, "cli_annotate_failed", path=copy.source, reason=copy.why(lang)), err=True)
    _finish(1 if report.has_errors else 0)


@main.command(help=_HELP["help_status"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.argument("inputs", nargs=-1, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_status"])
def status(catalog: str, inputs: tuple[str, ...], lang: str | None) -> None:
    from .model import UnitState
    from .textreport import format_status

    report = _recorded_standing(catalog) if not inputs else None
    if report is None:
        cat, folder, version = _catalog_or_round(catalog)
        lang = lang or cat.round.lang
        # An empty inbox is the first day of a round: every unit is missing, which is the answer.
        report = _validated(cat, folder, version, inputs, lang, allow_empty=True, label="status")
    lang = lang or report.catalog.round.lang
    click.echo(format_status(report, lang))
    _finish(0 if all(u.state == UnitState.VALID for u in report.units) else 1)


def _validated(cat, folder, version, inputs: tuple[str, ...], lang: str, reread: bool = False,
               allow_empty: bool = False, label: str = "validate"):
    """The round's standing from its store, or the files given, validated. `reread`: read the
    store's files again rather than take their recorded verdicts."""
    paths = _files_or_store(folder, inputs, lang, allow_empty)
    if paths is None:
        from .receiving import standing

        return standing(folder, cat, version, reread=reread, progress=_progress(label))
    from .validate import validate_files

    return validate_files(cat, paths, progress=_progress(label))


def _recorded_standing(path: str):
    """A round folder's standing from its store alone, when the store knows the catalog and
    holds no verdict to judge again: no workbook read, no pandas imported (a second, where
    reading a province's catalog takes several)."""
    from .rounds import RoundFolder, recorded_standing
    from .store import STORE_NAME

    folder = RoundFolder(Path(path))
    if not RoundFolder.is_one(folder.path) or not (folder.path / STORE_NAME).is_file():
        return None
    known = folder.known_roster()
    return None if known is None else recorded_standing(folder, *known)


@main.command(help=_HELP["help_consolidate"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.argument("inputs", nargs=-1, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_consolidated"])
@click.option("--data-out", type=click.Path(dir_okay=False), metavar=_HELP["mv_file"], help=_HELP["help_opt_data_out"])
@click.option("--root", metavar=_HELP["mv_code"], help=_HELP["help_opt_root"])
@click.option("--accept-partial", is_flag=True, help=_HELP["help_opt_accept_partial"])
@click.option("--from-data", "from_data", is_flag=True, help=_HELP["help_opt_from_data"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_consolidate"])
def consolidate(catalog: str, inputs: tuple[str, ...], output: str | None, data_out: str | None, root: str | None,
                accept_partial: bool, from_data: bool, lang: str | None) -> None:
    from .write import write_outputs

    # the name says what is written: a workbook under a .csv name would open as garbage
    if output is not None and Path(output).suffix.lower() != ".xlsx":
        raise Refused(say(lang, "cli_output_ext", path=output))
    cat, folder, version = _catalog_or_round(catalog)
    lang = lang or cat.round.lang
    if output is None:
        if folder is None:
            raise Refused(say(lang, "cli_output_required"))
        output = str(folder.path / CONSOLIDATED)
    if data_out is not None and Path(data_out).suffix.lower() not in (".csv", ".parquet"):
        raise Refused(say(lang, "cli_data_out_ext", path=data_out))
    if from_data:
        result = _from_data(cat, inputs, root, lang)
    else:
        result = _consolidated(cat, folder, version, inputs, lang, root, accept_partial, "consolidate")
    write_outputs(result, output, data_out, lang)
    if folder is not None:
        from .rounds import record_consolidated

        record_consolidated(folder, result.report, result.root, output, data_out)
    click.echo(say(lang, "cli_consolidated", path=output))
    if data_out:
        click.echo(say(lang, "cli_data_table", path=data_out))
    _finish(_tell_left_out(result, lang))


def _tell_left_out(result, lang: str) -> int:
    """How many units' files were taken and which were left out; the exit code that says so."""
    from .textreport import words

    summary = result.report.summary()
    click.echo(say(lang, "cli_summary", valid=summary["units_valid"], expected=summary["units_expected"],
                   left_out=len(result.left_out), partial=say(lang, "cli_partial") if result.accept_partial else ""))
    # The clerk needs the first few here; the workbook's submission sheet has them all
    # (at ten thousand files, thousands of lines would bury the summary above).
    w = words(lang)
    for s in result.left_out[:LEFT_OUT_SHOWN]:
        click.echo(say(lang, "cli_left_out", unit=s.unit_code or "?", file=s.path.name,
                       status=w.get(s.status, s.status), errors=s.errors))
    if len(result.left_out) > LEFT_OUT_SHOWN:
        click.echo(say(lang, "cli_more", count=len(result.left_out) - LEFT_OUT_SHOWN))
    return 1 if result.left_out else 0


@main.command(help=_HELP["help_report"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.argument("inputs", nargs=-1, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_report_docx"])
@click.option("--root", metavar=_HELP["mv_code"], help=_HELP["help_opt_root"])
@click.option("--accept-partial", is_flag=True, help=_HELP["help_opt_accept_partial"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_report"])
def report(catalog: str, inputs: tuple[str, ...], output: str, root: str | None, accept_partial: bool,
           lang: str | None) -> None:
    from .write.word import write_report

    if Path(output).suffix.lower() != ".docx":  # a Word document under another name would not open
        raise Refused(say(lang, "cli_report_ext", path=output))
    cat, folder, version = _catalog_or_round(catalog)
    lang = lang or cat.round.lang
    result = _consolidated(cat, folder, version, inputs, lang, root, accept_partial, "report")
    write_report(result, output, lang)
    click.echo(say(lang, "cli_word_report", path=output))
    _finish(_tell_left_out(result, lang))


@main.command(help=_HELP["help_receive"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar=_HELP["mv_received_inputs"])
@click.option("--received-at", "received_at", metavar=_HELP["mv_when"], help=_HELP["help_opt_received_at"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def receive(round_dir: str, inputs: tuple[str, ...], received_at: str | None, lang: str | None) -> None:
    from datetime import datetime, timezone

    from .mail import incoming, parse_received_at
    from .model import Issue
    from .receiving import receive as run
    from .safety import verify_xml_defences
    from .textreport import format_receipt

    now = datetime.now(timezone.utc)
    given = parse_received_at(received_at, now) if received_at else None  # refused before anything is read
    cat, folder, version = _round(round_dir)
    lang = lang or cat.round.lang
    verify_xml_defences()
    counts = {"received": 0, "duplicates": 0, "skipped": 0}
    trouble = False  # exit 1: something given needs the office's attention (DESIGN.md §5's rule)
    items = incoming([Path(i) for i in inputs], now, given)
    for said in run(folder, cat, version, items):
        if isinstance(said, Issue):
            click.echo(f"[{said.code}] {said.message(lang)}", err=True)
            counts["skipped"] += 1
            trouble = trouble or said.severity == "error"
            continue
        click.echo(format_receipt(said, lang))
        for note in said.notes:
            click.echo(f"    [{note.code}] {note.message(lang)}")
        key = "duplicates" if said.duplicate_of is not None else "received" if said.number else "skipped"
        counts[key] += 1
        trouble = trouble or (said.status is not None and said.status != "valid")
    click.echo(say(lang, "cli_received", **counts))
    _finish(1 if trouble else 0)


@main.command(help=_HELP["help_history"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.option("--unit", "unit", metavar=_HELP["mv_code"], help=_HELP["help_opt_history_unit"])
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help=_HELP["help_opt_format_history"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def history(round_dir: str, unit: str | None, fmt: str, lang: str | None) -> None:
    import json

    from .errors import UnknownUnits
    from .textreport import format_history, history_dict
    from .rounds import history as run, recorded_decisions

    cat, folder, _ = _round(round_dir)
    lang = lang or cat.round.lang
    if unit is not None and unit not in cat.unit_by_code:
        raise UnknownUnits([unit])
    by_unit, decisions = run(folder, cat, unit), recorded_decisions(folder, unit)
    if fmt == "json":
        click.echo(json.dumps(history_dict(by_unit, lang, decisions), ensure_ascii=False, indent=2))
    else:
        click.echo(format_history(cat, by_unit, lang, decisions))


@main.command(help=_HELP["help_check"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def check(round_dir: str, lang: str | None) -> None:
    from .rounds import RoundFolder, check as run

    folder = RoundFolder(Path(round_dir))
    problems = run(folder)
    lang = lang or "vi"
    if not problems:
        with folder.store() as store:
            click.echo(say(lang, "cli_check_ok", files=len(store.stored_files())))
        return
    click.echo(say(lang, "cli_check_problems", count=len(problems)))
    for p in problems:
        click.echo(f"  [{p.code}] {p.message(lang)}")
    sys.exit(1)


@main.command(help=_HELP["help_serve"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST", help=_HELP["help_opt_host"])
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help=_HELP["help_opt_port"])
@click.option("--set-password", "set_password", is_flag=True, help=_HELP["help_opt_set_password"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def serve(round_dir: str, host: str, port: int, set_password: bool, lang: str | None) -> None:
    from .access import MIN_PASSWORD, hash_password
    from .rounds import actor

    cat, folder, _ = _round(round_dir)
    lang = lang or cat.round.lang
    if set_password:
        if sys.stdin.isatty():
            password = click.prompt(say(lang, "cli_password_prompt"), hide_input=True,
                                    confirmation_prompt=say(lang, "cli_password_again"))
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < MIN_PASSWORD:
            raise Refused(say(lang, "cli_password_short", n=MIN_PASSWORD))
        with folder.store() as store:
            store.set_password(hash_password(password), actor())
        click.echo(say(lang, "cli_password_set", folder=shell_path(round_dir)))
        return
    with folder.store() as store:
        if store.password() is None:
            raise Refused(say(lang, "cli_password_none", folder=shell_path(round_dir)))
    from .web.server import serve as run

    run(folder.path, host, port, lang, lambda url: click.echo(say(lang, "cli_serving", url=url)))


@main.command(help=_HELP["help_remind"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), metavar=_HELP["mv_folder"],
              help=_HELP["help_opt_reminders_dir"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def remind(round_dir: str, outdir: str, lang: str | None) -> None:
    from .textreport import words
    from .write import round_reminders

    cat, folder, version = _round(round_dir)
    lang = lang or cat.round.lang
    done = round_reminders(folder, cat, version, outdir, lang)
    w = words(lang)
    for r in done.emails:
        click.echo(say(lang, "cli_reminder_line", unit=r.unit_code, state=w[r.state], path=r.path))
    if not done.emails:
        click.echo(say(lang, "cli_reminders_none"))
    click.echo(say(lang, "cli_reminders", count=len(done.emails), call_list=done.call_list))
    if done.without_email:
        click.echo(say(lang, "cli_reminders_no_email", units=", ".join(done.without_email)))
    if done.without_attachment:
        click.echo(say(lang, "cli_reminders_no_attachment", units=", ".join(done.without_attachment)))


@main.command(help=_HELP["help_decide"])
@click.argument("round_dir", type=click.Path(exists=True, file_okay=False), metavar=_HELP["mv_round_only"])
@click.argument("decisions_file", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_decisions_file"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def decide(round_dir: str, decisions_file: str, lang: str | None) -> None:
    from .decide import read_decisions
    from .fileio import sha256_file
    from .receiving import consolidate_round, open_round
    from .rounds import actor

    cat, folder, version = _round(round_dir)
    lang = lang or cat.round.lang
    decisions, problems = read_decisions(Path(decisions_file), consolidate_round(folder, cat, version))
    for p in problems:
        click.echo(f"[{p.code}] {p.message(lang)}", err=True)
    if not decisions:
        click.echo(say(lang, "cli_decided_none"))
        sys.exit(1 if problems else 0)
    with folder.store() as store:
        store.add_decisions(decisions, actor(), sha256_file(decisions_file))
    _, version = open_round(folder)  # the approved targets: a catalog version of their own
    text = labels(lang)
    for d in decisions:
        click.echo(say(lang, "cli_decided_line", unit=d.unit_code, indicator=d.indicator_code,
                       decision=text["wb_decision_approved" if d.approved else "wb_decision_refused"],
                       target=d.approved_target))
    click.echo(say(lang, "cli_decided", count=len(decisions), version=version))
    sys.exit(1 if problems else 0)


def _consolidated(cat, folder, version, inputs: tuple[str, ...], lang: str, root: str | None = None,
                  accept_partial: bool = False, label: str = "consolidate"):
    """The round rolled up: the counted files of its store, or the files given."""
    paths = _files_or_store(folder, inputs, lang)
    if paths is None:
        from .receiving import consolidate_round

        return consolidate_round(folder, cat, version, root, accept_partial, progress=_progress(label))
    from .consolidate import consolidate as run

    return run(cat, paths, root=root, accept_partial=accept_partial, progress=_progress(label))


def _from_data(cat, inputs: tuple[str, ...], root: str | None, lang: str):
    """`consolidate --from-data`: the provinces' data tables rolled up the catalog's tree."""
    from .national import consolidate_data, data_inputs

    paths = data_inputs(inputs)
    if not paths:
        raise Refused(say(lang, "cli_no_data_inputs"))
    return consolidate_data(cat, paths, root)


@main.command("report-up", help=_HELP["help_report_up"])
@click.argument("catalog", type=click.Path(exists=True), metavar=_HELP["mv_round"])
@click.argument("parent_appendix", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_parent_appendix"])
@click.argument("inputs", nargs=-1, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_filled"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_messages"])
def report_up(catalog: str, parent_appendix: str, inputs: tuple[str, ...], output: str, lang: str | None) -> None:
    from .reportup import report_up as run
    from .safety import verify_xml_defences

    if Path(output).suffix.lower() != ".xlsx":  # openpyxl writes a workbook whatever the name says
        raise Refused(say(lang, "cli_reportup_ext", path=output))
    verify_xml_defences()  # before the parent's file is opened
    cat, folder, version = _catalog_or_round(catalog)
    lang = lang or cat.round.lang
    result = _consolidated(cat, folder, version, inputs, lang, label="report-up")
    filled = run(result, Path(parent_appendix), Path(output))
    blank = _tell_filled(filled, lang)
    _finish(max(blank, _tell_left_out(result, lang)))


def _tell_filled(filled, lang: str) -> int:
    """What report-up wrote and left blank; 1 when something of the parent's stays unfilled."""
    click.echo(say(lang, "cli_reported_up", filled=len(filled.filled), total=filled.rows, unit=filled.unit_code,
                   name=filled.unit_name, round_id=filled.round_id, path=filled.path))
    if filled.unfilled:
        click.echo(say(lang, "cli_reported_up_blank", count=len(filled.unfilled)))
    for u in filled.unfilled:
        click.echo(say(lang, "cli_reported_up_blank_line", code=u.indicator_code, name=u.name, reason=say(lang, u.reason)))
    if filled.locked:
        click.echo(say(lang, "cli_reported_up_locked", count=len(filled.locked), cells=", ".join(filled.locked)))
    return 1 if filled.unfilled or filled.locked else 0
