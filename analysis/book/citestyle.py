"""Readable citation labels for bulletin items: a Sphinx extension registering pybtex plugins.

sphinxcontrib-bibtex's stock styles label entries without a Western author as bare numbers
(``[19]``). This module registers, under the name ``bulletin``:

* a pybtex label style: ``<issue YYYY-MM> #<position> p.<pages>``, e.g. ``2020-09 #3 p.1``,
  ``2020-09 #12 p.3–4``, or ``2020-09 #3`` when the bulletin has no page markers. Entries
  lacking ``issuedate``/``seq`` (not written by :mod:`analysis.book.bibtex`) and labels that would
  collide are labelled by their key instead;
* a pybtex formatting style (unsrt-based) using that label style, sorting by issue and position,
  and formatting ``@misc`` items as ``title. Bulletin …, item n, YYYY-MM, section, p. n.``
  without changing the case of the title;
* a sphinxcontrib-bibtex referencing style: label references separated by ``; `` (the labels
  themselves contain spaces), so ``{cite:p}`a,b``` renders ``[2020-09 #1 p.1; 2020-09 #2 p.3]``.

Use it from ``_config.yml``::

    bibtex_default_style: bulletin
    bibtex_reference_style: bulletin
    sphinx:
      extra_extensions: [analysis.book.citestyle]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pybtex.plugin
from pybtex.database import Entry
from pybtex.richtext import Symbol, Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import toplevel
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field as tfield
from pybtex.style.template import join, optional, sentence
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

from analysis.common.text import citation_label

__all__ = [
    "STYLE_NAME",
    "BulletinFormattingStyle",
    "BulletinLabelStyle",
    "BulletinReferenceStyle",
    "BulletinSortingStyle",
    "entry_label",
    "register",
    "setup",
]

STYLE_NAME = "bulletin"
_DASHES = re.compile(r"-+")


def _plain(entry: Entry, name: str) -> str:
    """A field of ``entry`` as plain text (LaTeX decoded), ``""`` when absent."""
    value = entry.fields.get(name, "")
    return str(Text.from_latex(value)).strip() if value else ""


def _pages(entry: Entry) -> str:
    """``p.1`` or ``p.3–4`` (en dash), ``""`` without pages."""
    pages = _plain(entry, "pages")
    return "p." + _DASHES.sub("–", pages) if pages else ""


def entry_label(entry: Entry) -> str:
    """The readable label of one entry, before collision handling
    (:func:`analysis.common.text.citation_label`, the notebooks' format too)."""
    issue, seq = _plain(entry, "issuedate"), _plain(entry, "seq")
    if not (issue and seq):
        return " ".join(part for part in (entry.key, _pages(entry)) if part)
    start, _, end = _DASHES.sub("-", _plain(entry, "pages")).partition("-")
    return citation_label(issue, seq, start or None, end or None)


class BulletinLabelStyle(BaseLabelStyle):
    """Labels ``2020-09 #3 p.1``; colliding labels fall back to ``<key> p.N``."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [entry_label(entry) for entry in entries]
        counts = Counter(labels)
        for entry, label in zip(entries, labels, strict=True):
            if counts[label] > 1:
                label = " ".join(part for part in (entry.key, _pages(entry)) if part)
            yield label


class BulletinSortingStyle(BaseSortingStyle):
    """Sort by issue date, bulletin, position in the bulletin, then key."""

    def sorting_key(self, entry: Entry) -> tuple[str, str, int, str]:
        seq = _plain(entry, "seq")
        position = int(seq) if seq.isdigit() else 0
        return (_plain(entry, "issuedate"), _plain(entry, "bulletin"), position, entry.key)


def _dashify(text: Text) -> Text:
    """``3--4`` -> ``3–4``."""
    return Text(Symbol("ndash")).join(text.split(_DASHES))


class BulletinFormattingStyle(UnsrtStyle):
    """unsrt with bulletin labels and sorting, and a bulletin-item ``@misc`` template."""

    default_label_style = STYLE_NAME
    default_sorting_style = STYLE_NAME

    def get_misc_template(self, e: Entry) -> Any:
        """``title. Bulletin b, item n, YYYY-MM, section, p. n.`` (title case kept)."""
        if "bulletin" not in e.fields:
            return super().get_misc_template(e)
        return toplevel[
            sentence[tfield("title")],
            sentence[
                optional[tfield("howpublished")],
                optional[tfield("issuedate")],
                optional[tfield("section")],
                optional[join["p. ", tfield("pages", apply_func=_dashify)]],
            ],
        ]


@dataclass
class BulletinReferenceStyle(LabelReferenceStyle):
    """Label references joined with ``; `` inside one pair of brackets."""

    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))
    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))
    bracket_label: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))


def register() -> None:
    """Register the ``bulletin`` pybtex and sphinxcontrib-bibtex plugins (idempotent)."""
    pybtex.plugin.register_plugin("pybtex.style.labels", STYLE_NAME, BulletinLabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.sorting", STYLE_NAME, BulletinSortingStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", STYLE_NAME, BulletinFormattingStyle)
    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", STYLE_NAME, BulletinReferenceStyle
    )


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: register the styles before sphinxcontrib-bibtex looks them up."""
    register()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
