"""The ``marcconv`` command line: a thin click layer over the pipeline."""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import json
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any, NoReturn, TextIO

import click

from marcconv import __version__, engine, registry
from marcconv.engine import PROGRESS_EVERY, Job, StrictStop, Tally
from marcconv.errors import Diagnostic, MarcconvError, Severity
from marcconv.keys import DEFAULT_PATTERN, validate_pattern
from marcconv.outputs import STDOUT, OutputError, check_targets, open_output
from marcconv.parts import Parts, part_names
from marcconv.sources import (
    STDIN,
    check_encoding,
    check_inputs,
    detect_path,
    display_name,
)
from marcconv.writers.base import LONG_NAME_LIST, WriterOptions, omitted_fields

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

CONVERT_EPILOG = """\b
Examples:
  marcconv convert record.txt -t csl-json
  marcconv convert dump.txt -t bibtex -o refs.bib
  cat record.txt | marcconv convert -t ris
  marcconv convert record.txt -t citation --style ieee --format html
  marcconv convert record.txt -t citation --style apa --mode citation
  marcconv convert dump.txt -t biblatex -o refs.bib
  marcconv convert dump.txt -t jsonl | jq -r .DOI
  marcconv convert dump.txt -t ris --newline crlf --max-authors 10 -o refs.ris
  marcconv convert a.txt b.txt -t bibtex --unicode --key-pattern '{auth}{year}'
  marcconv convert dump.txt -t bibtex --omit abstract,note,annote,keywords,url
  marcconv convert dump.mrc -t iso2709 --skip 1000 --limit 500 -o sample.mrc
  marcconv convert dump.mrc -t marcxml --split 10000 -o 'part-%03d.xml'

\b
Exit status: 0 every record written, 1 some records skipped (reported on
stderr), 2 usage error or unreadable input.
"""


class Unreadable(click.ClickException):
    """An input that cannot be read, found before anything is written."""

    exit_code = EXIT_USAGE


class Reporter:
    """Prints diagnostics on stderr and, with --errors, as JSON lines to a file."""

    def __init__(self, quiet: bool, errors: TextIO | None = None) -> None:
        self.quiet = quiet
        self.errors = errors

    def __call__(self, diagnostic: Diagnostic) -> None:
        if self.errors is not None:
            self.errors.write(diagnostic.to_json() + "\n")
        if self.quiet and diagnostic.severity is Severity.WARNING:
            return
        click.echo(str(diagnostic), err=True)


def _progress(count: int) -> None:
    click.echo(f"\r{count} records…", err=True, nl=False)


#: the options that say how inputs are read, shared by the commands that read them
input_format_option = click.option(
    "-f",
    "--from",
    "source_format",
    default="auto",
    show_default=True,
    metavar="FORMAT",
    help="Input format: auto (look at each input), textmarc, alephseq, line, mrk,"
    " marcxml, iso2709, marc-json.",
)
encoding_option = click.option(
    "--encoding", default="utf-8", show_default=True, help="Input encoding (latin-1, cp1252, ...)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="marcconv")
def cli() -> None:
    """Convert line-MARC catalogue records to CSL-JSON, BibTeX, RIS and citations.

    Reads MARC 21 records in Invenio text MARC (one field per line,
    "000161903 245__ $$aTitle", or that form with its line breaks flattened),
    Aleph sequential, the YAZ line format, MarcEdit .mrk, MARCXML, binary MARC
    or MARC-in-JSON, told apart automatically, and writes each record in the
    chosen format.  Run 'marcconv convert --help' to start, 'marcconv formats'
    for the formats, 'marcconv detect FILE' to see what a file holds.
    """


@cli.command(epilog=CONVERT_EPILOG)
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@input_format_option
@click.option(
    "-t",
    "--to",
    "target",
    required=True,
    metavar="FORMAT",
    help="Output format: csl-json, jsonl, bibtex, biblatex, ris, citation; MARC again as"
    " textmarc, alephseq, line, mrk, marcxml, iso2709, marc-json; or a plugin's"
    " ('marcconv formats' lists them).",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE",
    show_default=True,
    help="Output file; '-' is standard output. A file appears only when complete.",
)
@click.option(
    "--style",
    default="apa",
    show_default=True,
    help="citation: CSL style id (apa, ieee, vancouver, ...) or path to a .csl file.",
)
@click.option(
    "--locale",
    metavar="LOCALE",
    help="citation: CSL locale (en-US, en-GB, de-DE, ...); by default the style's own, else en-US.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "html", "markdown"]),
    default="text",
    show_default=True,
    help="citation: plain text, HTML or Markdown (pandoc, GitHub).",
)
@click.option(
    "--mode",
    type=click.Choice(["bibliography", "citation"]),
    default="bibliography",
    show_default=True,
    help="citation: the reference list, or each item's in-text citation"
    ' ("(Knuth, 1984)", "[1]"), one a line.',
)
@click.option(
    "--max-authors",
    type=click.IntRange(min=1),
    metavar="N",
    help="bibtex, biblatex: after N names write 'and others'; ris: keep N names."
    " CSL-JSON always keeps every name.",
)
@click.option(
    "--newline",
    type=click.Choice(["lf", "crlf"]),
    default="lf",
    show_default=True,
    help="ris: line ends; crlf as the RIS specification writes them (EndNote on Windows).",
)
@click.option(
    "--all-authors",
    is_flag=True,
    help=f"bibtex, biblatex: keep every name of a list of more than {LONG_NAME_LIST}"
    " (by default the first and 'others', as INSPIRE's export does).",
)
@click.option("--unicode", is_flag=True, help="bibtex: keep UTF-8 instead of LaTeX accents.")
@click.option(
    "--key-pattern",
    default=DEFAULT_PATTERN,
    show_default=True,
    help="Citation keys from {texkey} (INSPIRE's), {auth}, {year}, {shorttitle}, {id};"
    " 'A|B' is A when all its fields have a value, else B.",
)
@click.option(
    "--omit",
    metavar="FIELD,...",
    help="bibtex, biblatex, ris: leave these fields out, named as the format names them"
    " (abstract,note,keywords,url for BibTeX; AB,N1,KW,UR for RIS).",
)
@click.option(
    "--skip",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Pass over the first N records (counted in records, as yaz-marcdump's offset).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Take at most N records (after --skip), and stop reading there.",
)
@click.option(
    "--split",
    type=click.IntRange(min=1),
    metavar="N",
    help="Write files of N records each, named by -o with a number: -o 'out-%03d.bib'"
    " gives out-001.bib, out-002.bib, ... (each a whole document of its format).",
)
@encoding_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per core); output is identical to --jobs 1.",
)
@click.option(
    "--all-records",
    is_flag=True,
    help="Also write records that are not bibliographic items (authority, holdings,"
    " deleted, UNIMARC), which are otherwise left out and counted.",
)
@click.option("--strict", is_flag=True, help="Stop at the first record that cannot be converted.")
@click.option("-q", "--quiet", is_flag=True, help="Report errors only, not warnings.")
@click.option("-v", "--verbose", is_flag=True, help="Say which input format was detected.")
@click.option(
    "--errors",
    "errors_path",
    metavar="FILE",
    help="Also write every warning and error to FILE as JSON lines.",
)
def convert(
    inputs: tuple[str, ...],
    source_format: str,
    target: str,
    output: str,
    style: str,
    locale: str | None,
    output_format: str,
    mode: str,
    max_authors: int | None,
    all_authors: bool,
    newline: str,
    unicode: bool,
    key_pattern: str,
    omit: str | None,
    skip: int,
    limit: int | None,
    split: int | None,
    encoding: str,
    jobs: int,
    all_records: bool,
    strict: bool,
    quiet: bool,
    verbose: bool,
    errors_path: str | None,
) -> None:
    """Convert INPUT files (or standard input, or '-') to one output format.

    Records are read, converted and written one at a time; each record that
    cannot be converted is reported on stderr with its file, line and record id,
    and the others are still written.
    """
    paths = inputs or (STDIN,)
    try:
        if source_format != registry.AUTO:
            registry.reader_function(source_format)
        writer_class = registry.writer_class(target)
        validate_pattern(key_pattern)
        encoding = check_encoding(encoding)
        omitted = omitted_fields(writer_class, target, omit.split(",") if omit else ())
        if split is not None:
            check_split(output, target)
        check_targets(paths, part_names(output)(1) if split else output, errors_path)
    except (MarcconvError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    warn_unused_options(click.get_current_context(), target)
    if paths == (STDIN,) and sys.stdin.isatty():
        click.echo(
            "reading MARC records from the terminal (Ctrl-D ends them); give a file to"
            " convert, or see 'marcconv convert --help'",
            err=True,
        )
    try:
        check_inputs(paths)
    except MarcconvError as exc:
        raise Unreadable(str(exc)) from None
    workers = jobs or os.cpu_count() or 1
    options = WriterOptions(
        unicode=unicode,
        style=style,
        locale=locale,
        output_format=output_format,
        mode=mode,
        max_authors=max_authors,
        all_authors=all_authors,
        newline="\r\n" if newline == "crlf" else "\n",
        jobs=workers,
        omit=omitted,
    )
    job = Job(target, options, key_pattern, all_records)
    tally = Tally()
    try:
        with contextlib.ExitStack() as stack:
            try:
                errors = stack.enter_context(open_output(errors_path)) if errors_path else None
            except MarcconvError as exc:
                raise click.UsageError(str(exc)) from None
            reporter = Reporter(quiet, errors)
            show_progress = sys.stderr.isatty() and not quiet
            try:
                with _destination(output, split, writer_class, options, paths) as (writer, sink):
                    try:
                        engine.run(
                            paths,
                            job,
                            writer,
                            reporter,
                            source_format=source_format,
                            encoding=encoding,
                            workers=workers,
                            strict=strict,
                            progress=_progress if show_progress else None,
                            announce=_announce if verbose else None,
                            tally=tally,
                            window=engine.Window(skip, limit),
                            sink=sink,
                        )
                    finally:
                        if show_progress and tally.read >= PROGRESS_EVERY:
                            click.echo("\r\x1b[K", err=True, nl=False)  # the line cleared
                    if errors is not None:  # a full disk under --errors keeps -o from landing
                        errors.flush()
            except StrictStop:
                click.echo(f"stopped (--strict); {tally.summary()}", err=True)
                code = EXIT_SOME_FAILED
            except OutputError:
                raise  # below, once the --errors file is closed too
            except MarcconvError as exc:
                click.echo(f"Error: {exc}", err=True)
                code = EXIT_USAGE
            else:
                if tally.cut_lists and not quiet:
                    click.echo(
                        f"note: {tally.cut_lists} records list more than {LONG_NAME_LIST} names;"
                        " written as the first and 'others', as INSPIRE's export does"
                        " (--all-authors keeps every name)",
                        err=True,
                    )
                if tally.failed or (tally.warnings and not quiet) or verbose:
                    click.echo(tally.summary(), err=True)
                code = EXIT_SOME_FAILED if tally.failed else EXIT_OK
    except OutputError as exc:  # -o or --errors could not be written: neither is left behind
        if exc.errno == errno.EPIPE:
            raise  # a closed pipe: main() ends the run quietly
        click.echo(f"Error: {exc}", err=True)
        code = EXIT_USAGE
    sys.exit(code)


@contextlib.contextmanager
def _destination(
    output: str, split: int | None, writer_class: Any, options: WriterOptions, inputs: Any
) -> Iterator[tuple[Any, Parts | None]]:
    """The writer a run renders with, and where its entries go: ``-o`` (the writer's
    own stream) or, with ``--split``, files of ``split`` records each."""
    if split is None:
        with open_output(output) as out:
            try:
                writer = writer_class(out, options)
            except MarcconvError as exc:
                raise click.UsageError(str(exc)) from None
            yield writer, None
        return
    try:
        template = writer_class(io.StringIO(), options)  # renders; the parts write
    except MarcconvError as exc:
        raise click.UsageError(str(exc)) from None
    parts = Parts(output, split, lambda out: writer_class(out, options), inputs)
    try:
        yield template, parts
    except BaseException:
        parts.abort()
        raise


def check_split(output: str, target: str) -> None:
    """--split writes numbered files, of any format whose records stand alone."""
    if output == STDOUT:
        raise MarcconvError("--split writes files: give -o a name with a number, -o 'out-%03d.bib'")
    if target == "citation":
        raise MarcconvError(
            "--split cannot cut a bibliography (sorted and numbered as one); split its"
            " input, or use another -t"
        )
    part_names(output)


#: the options that concern only some output formats, and those formats
OPTION_TARGETS: dict[str, frozenset[str]] = {
    "style": frozenset({"citation"}),
    "locale": frozenset({"citation"}),
    "output_format": frozenset({"citation"}),
    "mode": frozenset({"citation"}),
    "max_authors": frozenset({"bibtex", "biblatex", "ris"}),
    "all_authors": frozenset({"bibtex", "biblatex"}),
    "newline": frozenset({"ris"}),
    "unicode": frozenset({"bibtex"}),
    "key_pattern": frozenset({"csl-json", "jsonl", "bibtex", "biblatex", "ris", "citation"}),
}


def warn_unused_options(context: click.Context, target: str) -> None:
    """A warning for each option given that does nothing for a built-in ``-t``."""
    if target not in registry.BUILTIN_WRITERS:
        return  # a plugin's writer may honour any of them
    for option in context.command.params:
        name = option.name or ""
        formats = OPTION_TARGETS.get(name)
        if formats is None or target in formats:
            continue
        if context.get_parameter_source(name) in (
            click.core.ParameterSource.COMMANDLINE,
            click.core.ParameterSource.ENVIRONMENT,
        ):
            flag = max(option.opts, key=len)
            click.echo(
                f"warning: {flag} does nothing with -t {target} (it applies to"
                f" {', '.join(sorted(formats))})",
                err=True,
            )


def _announce(message: str) -> None:
    click.echo(f"reading {message}", err=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
def detect(inputs: tuple[str, ...]) -> None:
    """Say which MARC serialisation each INPUT holds, and why.

    \b
    Example:
      $ marcconv detect samples/palmira.txt
      samples/palmira.txt: textmarc (40 of the first 40 lines are Invenio text MARC field lines)
    """
    unknown = False
    for path in inputs:
        try:
            found, _ = detect_path(path)
        except MarcconvError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{display_name(path)}: {found.format or 'unknown'} ({found.reason})")
        unknown = unknown or found.format is None
    sys.exit(EXIT_SOME_FAILED if unknown else EXIT_OK)


@cli.command()
def mapping() -> None:
    """Print the MARC 21 → CSL-JSON / BibTeX / RIS mapping as a Markdown table.

    Made from the crosswalk's rule table and by probing each writer, so it always
    says what this version does (docs/mapping.md is this output).
    """
    from marcconv.mapping_doc import render

    click.echo(render(), nl=False)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@input_format_option
@encoding_option
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
def unmapped(inputs: tuple[str, ...], source_format: str, encoding: str, as_json: bool) -> None:
    """Say what the conversion leaves out of INPUT: the fields no rule takes and the
    subfields no rule reads, with counts and an example record each, then the
    records that give no title, no year or no creator.

    A field a rule takes is one 'marcconv mapping' lists; reading errors are
    counted, not shown ('marcconv convert' shows them).

    \b
    Example:
      $ marcconv unmapped dump.mrc
      $ marcconv unmapped dump.mrc --json | jq '.unmapped_fields | keys'
    """
    from marcconv.unmapped import survey

    try:
        if source_format != registry.AUTO:
            registry.reader_function(source_format)
        encoding = check_encoding(encoding)
        check_inputs(inputs)
        found = survey(inputs, source_format, encoding)
    except (MarcconvError, ValueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(found.as_text(), nl=False)


@cli.command()
def formats() -> None:
    """List input and output formats, including those added by plugins."""
    for title, table in (
        ("Input formats (-f):", registry.readers()),
        ("Output formats (-t):", registry.writers()),
    ):
        click.echo(title)
        for name, plugin in sorted(table.items()):
            click.echo(f"  {name:<12} {plugin.description}")


@cli.command()
@click.argument("search", nargs=-1)
@click.option("--ids", is_flag=True, help="Print the ids alone, one a line (for scripts).")
def styles(search: tuple[str, ...], ids: bool) -> None:
    """List the CSL styles --style accepts, id and title, or those whose id or title
    holds every word of SEARCH (any case).

    \b
    Example:
      $ marcconv styles chicago 17th edition author-date
      chicago-author-date-17th-edition  Chicago Manual of Style 17th edition (author-date)
      chicago-author-date-fr            Chicago Manual of Style 17th edition (author-date, Français)
    """
    from marcconv.writers.citation import find_styles

    matches = find_styles(" ".join(search))
    width = max((len(style_id) for style_id, _ in matches), default=0)
    for style_id, title in matches:
        click.echo(style_id if ids else f"{style_id:<{width}}  {title}".rstrip())
    if not matches:
        click.echo(f"no style id or title holds {' '.join(search)!r}", err=True)
        sys.exit(EXIT_SOME_FAILED)


class Terminated(BaseException):
    """SIGTERM or SIGHUP: the run ends as after Ctrl-C, its temporary files removed."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def _terminate(number: int, _frame: object) -> NoReturn:
    raise Terminated(number)


def _quiet_exit(code: int) -> NoReturn:
    """Leave without another word: standard output or error is gone (a closed pipe)."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
    os._exit(code)


def main(argv: Any = None) -> None:
    """Console entry point: quiet on a closed pipe, clean on Ctrl-C, SIGTERM and SIGHUP."""
    # a closed pipe (| head) is an error on write, so that temporary files are removed
    # and workers stopped before the run ends quietly
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _terminate)
    # records are trees of small acyclic objects freed by reference counting; the
    # cycle collector's default pace (every 700 allocations) only costs time
    gc.set_threshold(50_000, 50, 100)
    try:
        code = cli.main(args=argv, prog_name="marcconv", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Terminated as ended:
        with contextlib.suppress(OSError):
            click.echo(f"terminated ({signal.Signals(ended.number).name})", err=True)
        sys.exit(128 + ended.number)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OutputError as exc:  # standard output or error closed before click could say so
        if exc.errno == errno.EPIPE:
            _quiet_exit(128 + signal.SIGPIPE)
        raise
    except BrokenPipeError:
        _quiet_exit(128 + signal.SIGPIPE)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
