"""CSL-JSON: the model is already in CSL terms, so this is a rename table."""

from __future__ import annotations

import json
from typing import Any

import orjson

from marcconv.model import NAME_ROLES, Date, Name, Reference
from marcconv.writers.base import Writer
from marcconv.writers.texmath import pieces

# model attribute → CSL variable, in output order (after id, type, names and issued)
STRING_VARIABLES: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("title_short", "title-short"),
    ("original_title", "original-title"),
    ("container_title", "container-title"),
    ("container_title_short", "container-title-short"),
    ("collection_title", "collection-title"),
    ("collection_number", "collection-number"),
    ("volume", "volume"),
    ("issue", "issue"),
    ("page", "page"),
    ("number_of_pages", "number-of-pages"),
    ("edition", "edition"),
    ("number", "number"),
    ("genre", "genre"),
    ("event_title", "event-title"),
    ("medium", "medium"),
    ("publisher", "publisher"),
    ("publisher_place", "publisher-place"),
    ("doi", "DOI"),
    ("language", "language"),
    ("call_number", "call-number"),
    ("source", "source"),
    ("abstract", "abstract"),
)
# list attributes written as one CSL string
JOINED_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("isbn", "ISBN", " "),
    ("issn", "ISSN", " "),
    ("keyword", "keyword", ", "),
    ("note", "note", "\n"),
    ("annote", "annote", "\n"),
)


def csl_name(name: Name) -> dict[str, str]:
    if name.literal is not None:
        return {"literal": name.literal}
    out: dict[str, str] = {}
    if name.family:
        out["family"] = name.family
    if name.given:
        out["given"] = name.given
    if name.particle:
        out["non-dropping-particle"] = name.particle
    if name.suffix:
        out["suffix"] = name.suffix
    return out


def csl_date(date: Date) -> dict[str, Any]:
    if date.year is None:
        return {"literal": date.raw}
    parts: list[list[int]] = [date.parts()]
    if date.end_year is not None:
        parts.append([date.end_year])
    out: dict[str, Any] = {"date-parts": parts}
    if date.approximate:
        out["circa"] = True
    return out


#: the variables CSL styles change the case of (title case, sentence case ...)
CASED_VARIABLES = ("title", "title-short", "original-title", "container-title",
                   "container-title-short", "collection-title", "event-title")  # fmt: skip


def protected_math(value: str) -> str:
    """TeX math in a title kept as catalogued but out of reach of a style's case
    changes, as CSL-JSON rich text says it (``<span class="nocase">``, which
    citeproc-js, pandoc and Zotero honour): a title-casing style would otherwise
    make ``$\\gamma$`` ``$\\Gamma$``, another letter."""
    return "".join(
        f'<span class="nocase">{piece.raw}</span>' if piece.math else piece.text
        for piece in pieces(value)
    )


def exchange_item(ref: Reference) -> dict[str, Any]:
    """The CSL-JSON item a file carries to other programs: :func:`to_csl` with the
    math of its titles protected from case changes."""
    item = to_csl(ref)
    for variable in CASED_VARIABLES:
        value = item.get(variable)
        if value and ("$" in value or "\\(" in value):
            item[variable] = protected_math(value)
    return item


def to_csl(ref: Reference) -> dict[str, Any]:
    """The CSL-JSON item for ``ref`` (keys in a fixed order, empty values left out)."""
    item: dict[str, Any] = {"id": ref.id, "type": ref.type}
    for role in NAME_ROLES:
        names = [csl_name(n) for n in ref.names_in(role)]
        if names:
            item[role] = names
    if ref.issued is not None:
        item["issued"] = csl_date(ref.issued)
    for attribute, variable in STRING_VARIABLES:
        value = getattr(ref, attribute)
        if value:
            item[variable] = value
    for attribute, variable, joiner in JOINED_VARIABLES:
        values = getattr(ref, attribute)
        if values:
            item[variable] = joiner.join(values)
    if ref.url:
        item["URL"] = ref.url[0]
    # CSL 1.0.2 has no variable for a licence or for other identifiers: CSL "custom"
    custom: dict[str, Any] = {s: list(v) for s, v in sorted(ref.identifiers.items())}
    if ref.variant_titles:
        custom["variant-title"] = list(ref.variant_titles)
    if ref.uniform_title:
        custom["uniform-title"] = ref.uniform_title
    if ref.arxiv_class:
        custom["arxiv-class"] = ref.arxiv_class
    if ref.collaborations:
        custom["collaboration"] = list(ref.collaborations)
    if ref.license:
        custom["license"] = ref.license
    if custom:
        item["custom"] = custom
    return item


_string = json.encoder.encode_basestring  # the C encoder, as json.dumps uses it


def pretty(value: Any, margin: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` with every line after the
    first indented by ``margin``, byte for byte; json.dumps drops to its pure-Python
    encoder whenever it indents, and that was a tenth of a CSL-JSON run."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = margin + "  "
        members = (f"{_string(key)}: {pretty(item, inner)}" for key, item in value.items())
        return "{\n" + inner + (",\n" + inner).join(members) + "\n" + margin + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = margin + "  "
        items = (pretty(item, inner) for item in value)
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + margin + "]"
    return json.dumps(value)


class CslJsonWriter(Writer):
    """A JSON array of CSL items, streamed one item at a time."""

    name = "csl-json"
    extension = ".json"

    opening = "[\n  "
    separator = ",\n  "

    def render(self, ref: Reference) -> str:
        item = exchange_item(ref)
        try:  # orjson writes json.dumps's bytes (indent 2, UTF-8 kept), five times faster
            return orjson.dumps(item, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n  ")
        except (TypeError, orjson.JSONEncodeError):  # a lone surrogate: json escapes it
            return pretty(item, "  ")

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")


class JsonLinesWriter(Writer):
    """One CSL item per line, for ``jq``, ``grep`` and line-by-line pipelines."""

    name = "jsonl"
    extension = ".jsonl"

    def render(self, ref: Reference) -> str:
        item = exchange_item(ref)
        try:
            return orjson.dumps(item).decode() + "\n"
        except (TypeError, orjson.JSONEncodeError):
            return json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
