r"""Write one BibTeX entry per bulletin item, for sphinxcontrib-bibtex.

Field values are escaped so that pybtex (which decodes LaTeX, then parses braces) gives back the
text as printed: ``% & # _ ~ \`` become LaTeX commands, runs of ASCII punctuation are split
with ``{}`` so no ligature (``--``, ``''``, ``?```) forms, and ASCII braces, which pybtex would
always read as grouping, become full-width ``｛｝``. ``$`` and ``^`` stay as they are:
pybtex (latexcodec) renders them literally, but would show ``\$`` as is and turn ``\^{}`` into a
modifier letter. The title is wrapped in an extra pair of braces so no style changes its case
(``ABS`` stays ``ABS``).

Besides the standard ``title``, ``howpublished``, ``year``, ``month``, ``pages`` and ``note``,
each entry carries ``bulletin``, ``issuedate``, ``seq`` and ``section``, which the citation style
of :mod:`analysis.book.citestyle` uses for its labels.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.common.atomic import write_text
from analysis.common.errors import InputError
from analysis.dataset.sidecar import ID_PATTERN

__all__ = ["REQUIRED_COLUMNS", "bib_escape", "bibtex_text", "format_entry", "write_bibtex"]

REQUIRED_COLUMNS = ("item_id", "bulletin_id", "issue_date", "seq", "section", "title")

_KEY = ID_PATTERN  # item ids are citation keys: one rule (analysis.dataset.sidecar)
_ISSUE_DATE = re.compile(r"^(\d{4})-(\d{2})$")
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "{": "｛",
    "}": "｝",
}
_ASCII_PUNCT = frozenset("!\"'()*+,-./:;<=>?@[]`|$^")


def bib_escape(text: str) -> str:
    """Escape ``text`` for a braced BibTeX field so pybtex renders it unchanged.

    Whitespace runs become one space; ASCII braces become full-width braces (the one lossy step).
    """
    out: list[str] = []
    previous = ""
    for char in " ".join(str(text).split()):
        if char in _ASCII_PUNCT and previous in _ASCII_PUNCT:
            out.append("{}")  # break ligatures such as -- ''  ``  ?`  !`  << ,,
        out.append(_SPECIAL.get(char, char))
        previous = char
    return "".join(out)


def _text(value: object) -> str:
    """A cell as a stripped string; missing values (None, NaN, NA) become ``""``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _int(value: object) -> int | None:
    """A cell as an int, or None when missing."""
    text = _text(value)
    if not text:
        return None
    return int(float(text))


def _pages(row: pd.Series) -> str:
    """``pages`` field: ``3``, ``3--4`` or ``""`` when the file had no page markers."""
    start, end = _int(row.get("page_start")), _int(row.get("page_end"))
    if start is None:
        return ""
    if end is None or end == start:
        return str(start)
    return f"{start}--{end}"


def format_entry(row: pd.Series) -> str:
    """One ``@misc`` entry for an items.csv row (see docs/CONTRACTS.md)."""
    key = _text(row["item_id"])
    if not _KEY.match(key):
        raise InputError(f"items: item_id {key!r}", "not usable as a BibTeX key")
    issue = _text(row["issue_date"])
    match = _ISSUE_DATE.match(issue)
    if not match:
        raise InputError(f"items: {key}", f"issue_date {issue!r} is not YYYY-MM")
    seq = _int(row["seq"])
    bulletin = _text(row["bulletin_id"])
    section = _text(row["section"])
    title = _text(row["title"])
    if not title:
        raise InputError(f"items: {key}", "title is empty")
    fields: list[tuple[str, str]] = [
        ("title", "{" + bib_escape(title) + "}"),
        ("howpublished", bib_escape(f"Bulletin {bulletin}, item {seq}")),
        ("year", match.group(1)),
        ("month", str(int(match.group(2)))),
        ("pages", _pages(row)),
        ("note", bib_escape(f"Section {section}") if section else ""),
        ("bulletin", bib_escape(bulletin)),
        ("issuedate", issue),
        ("seq", "" if seq is None else str(seq)),
        ("section", bib_escape(section)),
    ]
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body},\n}}\n"


def write_bibtex(items: pd.DataFrame, path: Path | str) -> int:
    """Write one BibTeX entry per row of ``items`` to ``path`` atomically; return the count.

    Entries are written in the order of ``items``. Raises :class:`InputError` for a missing
    column, a duplicate or unusable ``item_id``, a malformed ``issue_date`` or an empty title.
    An empty frame gives a file holding only a comment (sphinxcontrib-bibtex accepts it).
    """
    write_text(path, bibtex_text(items))
    return len(items)


def bibtex_text(items: pd.DataFrame) -> str:
    """The text :func:`write_bibtex` writes (same checks)."""
    missing = [column for column in REQUIRED_COLUMNS if column not in items.columns]
    if missing:
        raise InputError("items", f"missing column(s): {', '.join(missing)}")
    duplicated = items["item_id"][items["item_id"].duplicated()].tolist()
    if duplicated:
        raise InputError("items", f"duplicate item_id: {', '.join(map(str, duplicated[:5]))}")
    header = "% Generated by analysis.book.bibtex from items.csv: one entry per bulletin item.\n"
    entries = [format_entry(row) for _, row in items.iterrows()]
    return header + "\n" + "\n".join(entries)
