"""Markdown for the book: item citations, inert data text, tables, and what a cell displays.

The book renders notebook Markdown outputs as MyST (``nb_render_markdown_format: myst`` in
``_config.yml``), so ``{cite:p}`id``` in a sentence or a table cell becomes a link to the item's
bibliography entry, labelled with issue, position and page (``[2020-09 #6 p.5–6]``). Bulletin
text (titles, figure text) goes through :func:`analysis.common.escape.escape_markdown` first so it
can never be read as markup. Glue values carry the same sentences as plain text
(:func:`plain_text`): ``{glue:text}`` shows a value verbatim, so it must hold no markup.

Outside the book (Jupyter, nbviewer, ``python -m analysis notebook --html``) a cite role means
nothing, so every displayed output also carries a ``text/html`` form (:func:`to_html`) in which
each citation reads as the book's label, ``[2020-09 #6 p.5–6; 2020-09 #7 p.6]``
(:func:`readable_citations`, labels from the items table). The book keeps preferring the
Markdown form with its roles.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common import paths
from analysis.common.escape import escape_markdown
from analysis.common.text import citation_label
from analysis.dataset.tables import split_field

#: Suffix of the glue key holding a value's sources (JSON list of item / figure ids).
SOURCES_SUFFIX = "__sources"
#: Columns (or index names) holding item ids: rendered as citations.
ITEM_COLUMNS = ("item_id", "item_ids")
#: Column headers shown to the reader instead of the internal names.
HEADERS = {"item_id": "item", "item_ids": "items", "figure_id": "figure",
           "figure_ids": "figures"}

_CITE = re.compile(r"\s*\{cite:p\}`([^`]*)`")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def ids_list(ids: object) -> list[str]:
    """Ids from a ``;``-joined string or an iterable, unique, in order."""
    if ids is None or ids is pd.NA or (isinstance(ids, float) and pd.isna(ids)):
        return []  # an empty cell (e.g. a month without an issue)
    parts = split_field(ids) if isinstance(ids, str) else [str(i) for i in ids]
    return list(dict.fromkeys(p for p in parts if p))


def cite(ids: object) -> str:
    """``{cite:p}`a,b``` for item ids (``;``-joined or iterable); ``""`` for none."""
    parts = ids_list(ids)
    return "{cite:p}`" + ",".join(parts) + "`" if parts else ""


def plain_text(markdown: str) -> str:
    """A generated Markdown sentence as plain text: citations become ``(a, b)``, backslash
    escapes and ``**`` emphasis are removed."""
    text = _CITE.sub(lambda m: " (" + ", ".join(ids_list(m.group(1).replace(",", ";"))) + ")",
                     markdown)
    return _ESCAPED.sub(r"\1", text.replace("**", ""))


def _cell(column: str, value: object) -> str:
    """One table cell as Markdown."""
    if column in ITEM_COLUMNS:
        return cite(value)
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        text = (f"{value:,.4g}" if not value.is_integer() or abs(value) >= 1e15
                else f"{int(value)}" if abs(value) < 10_000 else f"{int(value):,}")
    elif column == "figure_ids":
        text = ", ".join(ids_list(value))
    elif column == "figure_id":  # the item is cited beside it: its own number is enough
        text = str(value).rsplit("-", 1)[-1]
    else:
        text = str(value)
    return escape_markdown(text)


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` (index included when named) as a Markdown pipe table: item ids cited, every
    other cell escaped. A column of raw figure ids is left out when the row cites its items
    (the citation is the readable form; the ids stay in the data and the numbers audit)."""
    table = frame.reset_index() if frame.index.name else frame
    if "figure_ids" in table.columns and any(c in table.columns for c in ITEM_COLUMNS):
        table = table.drop(columns="figure_ids")
    columns = [str(c) for c in table.columns]
    shown = [HEADERS.get(c, c) for c in columns]
    # a count column named like the ids' header ("items" beside item_ids): "cited items"
    shown = [f"cited {h}" if c in HEADERS and shown.count(h) > 1 else h
             for c, h in zip(columns, shown, strict=True)]
    head = "| " + " | ".join(escape_markdown(h) for h in shown) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    rows = ["| " + " | ".join(_cell(c, v) or " " for c, v in zip(columns, row, strict=True))
            + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def item_labels(items: pd.DataFrame) -> dict[str, str]:
    """``{item_id: "2020-09 #6 p.5–6"}`` for the rows of an items table."""
    return {str(r.item_id): citation_label(str(r.issue_date), r.seq, r.page_start, r.page_end)
            for r in items[["item_id", "issue_date", "seq", "page_start", "page_end"]]
            .itertuples(index=False)}


@lru_cache(maxsize=4)
def _labels_of(path: str, stamp: float) -> dict[str, str]:
    return item_labels(pd.read_csv(path, dtype=str, keep_default_na=False))


def project_labels(items_csv: Path | None = None) -> dict[str, str]:
    """:func:`item_labels` of the project's ``items.csv`` (re-read when the file changes); empty
    when there is none."""
    path = Path(items_csv or paths.ITEMS_CSV)
    try:
        return _labels_of(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return {}


def readable_citations(markdown: str, labels: Mapping[str, str] | None = None) -> str:
    """``{cite:p}`a,b``` -> ``[2020-09 #1 p.1; 2020-09 #2 p.3]`` (an id without a label stays
    as it is); ``labels`` default to :func:`project_labels`."""
    labels = project_labels() if labels is None else labels

    def one(match: re.Match[str]) -> str:
        ids = ids_list(match.group(1).replace(",", ";"))
        return " \\[" + "; ".join(escape_markdown(labels.get(i, i)) for i in ids) + "\\]"

    return _CITE.sub(one, markdown)


@lru_cache(maxsize=1)
def _renderer() -> Any:
    """A CommonMark renderer with tables (markdown-it-py, imported on first use)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str, labels: Mapping[str, str] | None = None) -> str:
    """Generated Markdown as HTML with readable citations (raw HTML in it stays text)."""
    return _renderer().render(readable_citations(markdown, labels))


def markdown_output(markdown: str) -> dict[str, str]:
    """A display bundle of a generated sentence block: Markdown with cite roles (the book),
    HTML with readable citations (Jupyter, nbviewer, ``--html`` pages), plain text."""
    return {"text/markdown": markdown, "text/html": to_html(markdown),
            "text/plain": plain_text(markdown)}


#: Class of the container around a listing's table in the book (:func:`table_output`).
LISTING_CLASS = "listing"
#: How many rows of a listing the PDF prints: its last ones (the HTML book shows every row).
LISTING_PRINT_ROWS = 40


def table_output(frame: pd.DataFrame, listing: bool = False) -> dict[str, str]:
    """A display bundle of ``frame``: Markdown with citations (the book prefers it, see
    ``nb_mime_priority_overrides``), HTML with readable citations (Jupyter) and plain text.

    ``listing``: a table that grows with the issues (a province's items, figures, issues); its
    Markdown sits in a ``{container}`` of class :data:`LISTING_CLASS`, and the PDF prints only
    its last :data:`LISTING_PRINT_ROWS` rows with a line saying so
    (:mod:`analysis.book.printlayout`)."""
    table = markdown_table(frame)
    book = f"````{{container}} {LISTING_CLASS}\n{table}\n````" if listing else table
    return {"text/markdown": book, "text/html": to_html(table),
            "text/plain": frame.to_string()}


def html_escape(text: str) -> str:
    """Text made safe inside HTML."""
    return html.escape(text, quote=True)
