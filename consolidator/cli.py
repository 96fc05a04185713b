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

    return load_catalog(catalog_path)  # a CatalogError is told by _Command.invoke


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


# The folders of a round, as the clerk's guide (docs/huong-dan-su-dung.md) names them.
APPENDICES, INBOX = "phu-luc", "nhan-ve"


@main.command(help=_HELP["help_init"])
@click.argument("directory", type=click.Path(file_okay=False), metavar=_HELP["mv_directory"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_init"])
def init(directory: str, lang: str | None) -> None:
    from .templates import write_blank_catalog

    path = Path(directory) / "catalog.xlsx"
    if path.exists():
        raise Refused(say(lang, "cli_exists", path=path))
    write_blank_catalog(path)
    click.echo(say(lang, "cli_init_written", path=path))
    click.echo(say(lang, "cli_init_fill"))
    click.echo(f"  consolidator generate {shell_path(path)} -o {shell_path(Path(directory) / APPENDICES)}")
    click.echo(say(lang, "cli_init_then", inbox=shell_path(Path(directory) / INBOX)))
    click.echo(f"  consolidator validate {shell_path(path)} {shell_path(Path(directory) / INBOX)}")


@main.command(help=_HELP["help_generate"])
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_catalog"])
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), metavar=_HELP["mv_folder"],
              help=_HELP["help_opt_appendix_dir"])
@click.option("--unit", "units", multiple=True, metavar=_HELP["mv_code"], help=_HELP["help_opt_unit"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_generate"])
def generate(catalog: str, outdir: str, units: tuple[str, ...], lang: str | None) -> None:
    from .generate import MANIFEST
    from .generate import generate as run

    cat = _load(catalog)
    lang = lang or cat.round.lang
    done = run(cat, outdir, units, lang, progress=_progress("generate"))
    for g in done:
        click.echo(say(lang, "cli_generated_line", unit=g.unit_code, count=g.indicators, path=g.path))
    click.echo(say(lang, "cli_generated", count=len(done), manifest=Path(outdir) / MANIFEST))


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
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_catalog"])
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
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

    from .report import annotate_copies, format_text, write_excel_report
    from .validate import validate_files

    cat = _load(catalog)
    lang = lang or cat.round.lang
    report = validate_files(cat, _inputs(inputs, lang), progress=_progress("validate"))
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
    sys.exit(1 if report.has_errors else 0)


@main.command(help=_HELP["help_status"])
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_catalog"])
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_status"])
def status(catalog: str, inputs: tuple[str, ...], lang: str | None) -> None:
    from .report import format_status
    from .model import UnitState
    from .validate import validate_files

    cat = _load(catalog)
    lang = lang or cat.round.lang
    # An empty inbox is the first day of a round: every unit is missing, which is the answer.
    report = validate_files(cat, _inputs(inputs, lang, allow_empty=True), progress=_progress("status"))
    click.echo(format_status(report, lang))
    sys.exit(0 if all(u.state == UnitState.VALID for u in report.units) else 1)


@main.command(help=_HELP["help_consolidate"])
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_catalog"])
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_consolidated"])
@click.option("--data-out", type=click.Path(dir_okay=False), metavar=_HELP["mv_file"], help=_HELP["help_opt_data_out"])
@click.option("--root", metavar=_HELP["mv_code"], help=_HELP["help_opt_root"])
@click.option("--accept-partial", is_flag=True, help=_HELP["help_opt_accept_partial"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_consolidate"])
def consolidate(catalog: str, inputs: tuple[str, ...], output: str, data_out: str | None, root: str | None,
                accept_partial: bool, lang: str | None) -> None:
    from .consolidate import consolidate as run
    from .write import write_outputs

    # the name says what is written: a workbook under a .csv name would open as garbage
    if Path(output).suffix.lower() != ".xlsx":
        raise Refused(say(lang, "cli_output_ext", path=output))
    cat = _load(catalog)
    lang = lang or cat.round.lang
    if data_out is not None and Path(data_out).suffix.lower() not in (".csv", ".parquet"):
        raise Refused(say(lang, "cli_data_out_ext", path=data_out))
    result = run(cat, _inputs(inputs, lang), root=root, accept_partial=accept_partial, progress=_progress("consolidate"))
    write_outputs(result, output, data_out, lang)
    click.echo(say(lang, "cli_consolidated", path=output))
    if data_out:
        click.echo(say(lang, "cli_data_table", path=data_out))
    sys.exit(_tell_left_out(result, lang))


def _tell_left_out(result, lang: str) -> int:
    """How many units' files were taken and which were left out; the exit code that says so."""
    from .report import words

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
@click.argument("catalog", type=click.Path(exists=True, dir_okay=False), metavar=_HELP["mv_catalog"])
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar=_HELP["mv_inputs"])
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), metavar=_HELP["mv_file"],
              help=_HELP["help_opt_report_docx"])
@click.option("--root", metavar=_HELP["mv_code"], help=_HELP["help_opt_root"])
@click.option("--accept-partial", is_flag=True, help=_HELP["help_opt_accept_partial"])
@click.option("--lang", type=LANG, default=None, help=_HELP["help_opt_lang_report"])
def report(catalog: str, inputs: tuple[str, ...], output: str, root: str | None, accept_partial: bool,
           lang: str | None) -> None:
    from .consolidate import consolidate as run
    from .write.word import write_report

    if Path(output).suffix.lower() != ".docx":  # a Word document under another name would not open
        raise Refused(say(lang, "cli_report_ext", path=output))
    cat = _load(catalog)
    lang = lang or cat.round.lang
    result = run(cat, _inputs(inputs, lang), root=root, accept_partial=accept_partial, progress=_progress("report"))
    write_report(result, output, lang)
    click.echo(say(lang, "cli_word_report", path=output))
    sys.exit(_tell_left_out(result, lang))
