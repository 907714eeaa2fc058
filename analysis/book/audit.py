"""The numbers audit: every number the report shows, with the items, pages and text behind it.

Sources:

* the glue values of every executed notebook chapter, with the ``<key>__sources`` glued beside
  each (item and figure ids, from :class:`analysis.views.Section` ``sources``);
* the numbers of the generated pages (data-generated fragments and appendix tables), as
  :class:`PageNumber` rows handed over by :mod:`analysis.book.pages`.

Figures are listed with their text, raw-text span (``start``-``end``), page and the sentence of
the item they stand in; counts of coded facts (items on a domain, national firsts, items about a
province) with the evidence spans of those codes and their sentences.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from analysis.coding.vocab import vocabulary
from analysis.common.escape import escape_markdown
from analysis.common.text import SENTENCE_END
from analysis.views.markdown import SOURCES_SUFFIX, cite, plain_text

__all__ = ["GluedValue", "PageNumber", "audit_page", "glued_values", "raw_table",
           "sentence_around"]

_SENTENCE_END = SENTENCE_END + "\n"
_FIGURE_ID = re.compile(r"^(?P<item>.+)-(?P<fig>f\d+)$")
SENTENCE_LIMIT = 100
#: Item lists longer than this are shown once, as a named source set.
INLINE_ITEMS = 3


@dataclass(frozen=True)
class GluedValue:
    """One glue value of an executed notebook and the ids it is computed from."""

    key: str
    value: str
    sources: tuple[str, ...] | None  # None: from the parameters alone


@dataclass(frozen=True)
class PageNumber:
    """A number shown on a generated page and what it is computed from (Markdown)."""

    page: str
    what: str
    value: str
    source: str


def _plain(text: str) -> str:
    """A glued ``text/plain`` repr back to its text (``'Jiangsu 江苏'`` -> ``Jiangsu 江苏``)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else str(value)


def glued_values(notebook: Path) -> list[GluedValue]:
    """The text glue values of an executed notebook (figures left out), in output order."""
    nb = nbformat.read(notebook, as_version=4)
    values: dict[str, str] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("metadata", {}).get("scrapbook", {})
            name, prefix = meta.get("name"), meta.get("mime_prefix", "")
            text = output.get("data", {}).get(prefix + "text/plain")
            if not name or text is None or any(
                    m.startswith(prefix + "image/") for m in output.get("data", {})):
                continue
            if name.endswith(SOURCES_SUFFIX):
                sources[name.removesuffix(SOURCES_SUFFIX)] = tuple(json.loads(_plain(text)))
            else:
                values[name] = _plain(text)
    return [GluedValue(k, v, sources.get(k)) for k, v in values.items()]


def sentence_around(item: Mapping[str, object], text: str, start: int | None) -> str:
    """The sentence of ``item`` (title, then body) holding ``text``; with several occurrences
    the one nearest to the raw offset ``start`` (scaled to the item's span)."""
    full = f"{item['title']}\n{item['body']}"
    hits = [m.start() for m in re.finditer(re.escape(text), full)] if text else []
    if not hits:
        return ""
    span = max(int(item["end"]) - int(item["start"]), 1)  # type: ignore[call-overload]
    guess = 0 if start is None else (start - int(item["start"])) / span * len(full)  # type: ignore[call-overload]
    at = min(hits, key=lambda h: abs(h - guess))
    left = max((full.rfind(ch, 0, at) for ch in _SENTENCE_END), default=-1) + 1
    ends = [i for i in (full.find(ch, at + len(text)) for ch in _SENTENCE_END) if i >= 0]
    right = min(ends) + 1 if ends else len(full)
    sentence = full[left:right].strip()
    if len(sentence) > SENTENCE_LIMIT:  # keep the figure in view
        lo = max(at - left - SENTENCE_LIMIT // 2, 0)
        sentence = "…" + sentence[lo:lo + SENTENCE_LIMIT] + "…"
    return sentence


def _evidence_rule(key: str, region: str | None) -> tuple[str, str] | None:
    """The coded fact a count key counts: ``(field, value)`` of ``evidence.csv``, or None."""
    tail = key.split("_n_", 1)[1] if "_n_" in key else ""
    if tail in vocabulary().domains:
        return "domain", tail
    if region is None:
        return None
    if tail == "national_first":
        return "national_first", "1"
    if tail == "provincial_first":
        return "provincial_first", "1"
    if tail == "items" or key.endswith("_item_ids"):
        return "province", region
    return None


def _sources_md(ids: Sequence[str] | None, n_items: int, sets: dict[tuple[str, ...], str]
                ) -> str:
    """Markdown of what a value is computed from; long item lists become named sets."""
    if ids is None:
        return "the parameters (provenance note)"
    if not ids:
        return "nothing: no item or figure qualifies"
    items = list(dict.fromkeys(i for i in ids if not _FIGURE_ID.match(i)))
    figures: dict[str, list[str]] = {}
    for fid in ids:
        match = _FIGURE_ID.match(fid)
        if match:
            figures.setdefault(match["item"], []).append(match["fig"])
    parts = []
    if items:
        n = len(items)
        if n >= n_items > 1:
            parts.append(f"all {n} items")
        elif n > INLINE_ITEMS:
            name = sets.setdefault(tuple(sorted(items)), f"S{len(sets) + 1}")
            parts.append(f"the {n} items of source set {name}")
        else:
            parts.append(f"{n} item{'' if n == 1 else 's'} {cite(items)}")
    for item, figs in figures.items():
        parts.append(f"figure{'' if len(figs) == 1 else 's'} {', '.join(figs)} of "
                     f"{cite([item])}")
    return "; ".join(parts)


@dataclass
class _Collector:
    items: pd.DataFrame
    figure_ids: dict[str, None]
    facts: dict[tuple[str, str, str], list[str]]
    sets: dict[tuple[str, ...], str]


def _chapter_section(title: str, values: Iterable[GluedValue], region: str | None,
                     c: _Collector) -> str:
    rows = []
    for v in values:
        rows.append({"key": f"`{v.key}`", "value": v.value,
                     "computed from": _sources_md(v.sources, len(c.items), c.sets)})
        for fid in v.sources or ():
            if _FIGURE_ID.match(fid):
                c.figure_ids.setdefault(fid)
        rule = _evidence_rule(v.key, region)
        if rule:
            for item in v.sources or ():
                c.facts.setdefault((item, *rule), []).append(v.key)
    if not rows:
        return f"### {escape_markdown(title)}\n\nNo values: the chapter was not built.\n"
    frame = pd.DataFrame(rows)
    # ";"-joined id lists get a space after each ";" so that they can wrap.
    frame["value"] = frame["value"].map(lambda v: escape_markdown(re.sub(r";(?=\S)", "; ", v)))
    table = raw_table(frame, raw=("key", "computed from", "value"))
    return f"### {escape_markdown(title)}\n\n{table}\n"


def raw_table(frame: pd.DataFrame, raw: Sequence[str] = ()) -> str:
    """Markdown table; columns in ``raw`` hold ready Markdown, the others are escaped."""
    head = "| " + " | ".join(escape_markdown(str(c)) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join((str(v) if c in raw else escape_markdown(str(v))) or " "
                              for c, v in zip(frame.columns, row, strict=True)) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _number(value: object) -> str:
    """A normalised figure value for reading: ``2,000,000``, ``0.05``; ``""`` when missing."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.6g}"


def _sets_section(c: _Collector) -> str:
    if not c.sets:
        return "None: every value rests on a few items, cited in its row.\n"
    frame = pd.DataFrame([{"set": name, "items": str(len(ids)), "cited": cite(ids)}
                          for ids, name in c.sets.items()])
    return raw_table(frame, raw=("cited",)) + "\n"


def _figures_section(figures: pd.DataFrame, c: _Collector) -> str:
    by_item = c.items.set_index("item_id")
    first_row = figures.drop_duplicates("figure_id").set_index("figure_id", drop=False)
    rows = []
    for fid in c.figure_ids:  # one lookup each (a scan per id was quadratic at scale)
        if fid not in first_row.index:
            continue
        f = first_row.loc[fid]
        item = by_item.loc[f["item_id"]] if f["item_id"] in by_item.index else None
        sentence = "" if item is None else sentence_around(
            {**item.to_dict(), "item_id": f["item_id"]}, str(f["text"]), int(f["start"]))
        rows.append({"figure": escape_markdown(fid.rsplit("-", 1)[-1]),
                     "item": cite([f["item_id"]]),
                     "page": escape_markdown("" if pd.isna(f["page"]) else str(int(f["page"]))),
                     "text": escape_markdown(str(f["text"])),
                     "start-end": f"{int(f['start'])}\\-{int(f['end'])}",
                     "kind, value": escape_markdown(f"{f['kind']}, {_number(f['value'])} "
                                                    f"{f['unit']}"),
                     "sentence": escape_markdown(sentence)})
    if not rows:
        return "No value rests on an extracted figure.\n"
    return raw_table(pd.DataFrame(rows), raw=tuple(rows[0])) + "\n"


def _facts_section(evidence: pd.DataFrame, c: _Collector) -> str:
    by_item = c.items.set_index("item_id")
    # evidence rows by (item, field, value), in their order: one grouping, not a scan per fact
    keyed = evidence.assign(_value=evidence["value"].astype(str))
    groups = {key: frame for key, frame in keyed.groupby(["item_id", "field", "_value"],
                                                          sort=False, dropna=False)}
    rows = []
    for (item_id, fieldname, value), keys in sorted(c.facts.items()):
        match = groups.get((item_id, fieldname, value))
        if match is None or match.empty:
            continue
        spans = [ev for ev in match.itertuples() if ev.text]
        first = spans[0] if spans else match.iloc[0]
        start = None if pd.isna(first.start) else int(first.start)
        sentence = sentence_around(by_item.loc[item_id].to_dict(), str(first.text), start) \
            if item_id in by_item.index and first.text else ""
        texts = list(dict.fromkeys(str(ev.text) for ev in spans)) or \
            [str(ev.note) for ev in match.itertuples()]
        pages = sorted({int(ev.page) for ev in match.itertuples() if not pd.isna(ev.page)})
        rows.append({"item": cite([item_id]), "code": escape_markdown(f"{fieldname} = {value}"),
                     "source text": escape_markdown("; ".join(texts)),
                     "page": escape_markdown(", ".join(map(str, pages))),
                     "by": escape_markdown(", ".join(sorted(set(match["source"])))),
                     "sentence (first span)": escape_markdown(sentence),
                     "counted in": ", ".join(f"`{k}`" for k in sorted(set(keys)))})
    if not rows:
        return "No count of coded facts is shown.\n"
    return raw_table(pd.DataFrame(rows), raw=tuple(rows[0])) + "\n"


#: Folder of the audit's CSV files, relative to the audit page.
CSV_DIR = "audit"


def _plain_frame(markdown_table: str) -> pd.DataFrame:
    """A Markdown pipe table of this module back to plain text cells (citations as ids)."""
    lines = [line for line in markdown_table.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return pd.DataFrame()

    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip()[1:-1])
        return [plain_text(part.strip()).replace("`", "").strip() for part in parts]

    return pd.DataFrame([cells(line) for line in lines[2:]], columns=cells(lines[0]))


def _attached(name: str, table: str, csv: dict[str, str], what: str) -> str:
    """``table`` shown on the HTML page (omitted from the PDF), with a download link to the
    same rows as CSV; ``csv`` receives the file (path relative to the page -> text)."""
    frame = _plain_frame(table)
    rel = f"{CSV_DIR}/{name}.csv"
    csv[rel] = frame.to_csv(index=False)
    return (f"{what}: {len(frame)} rows, also as {{download}}`{name}.csv <{rel}>` "
            "(attached to the PDF, which leaves the table out).\n\n"
            f"```{{container}} pdf-omit\n{table}\n```\n")


def audit_page(chapters: Sequence[tuple[str, str | None, list[GluedValue]]],
               items: pd.DataFrame, figures: pd.DataFrame, evidence: pd.DataFrame,
               page_numbers: Sequence[PageNumber]) -> tuple[str, dict[str, str]]:
    """The Markdown of the numbers-audit appendix and its CSV files.

    ``chapters``: ``(title, region short name or None, glue values)`` per notebook chapter.
    Every table is shown in the HTML book and written as a CSV file (``audit/<name>.csv``,
    relative to the page: ``{path: text}``); the PDF carries the CSV files as attachments
    instead of the tables, and keeps each table's one-line summary.
    """
    c = _Collector(items, {}, {}, {})
    csv: dict[str, str] = {}
    sections = []
    for n, (title, region, values) in enumerate(chapters, start=1):
        section = _chapter_section(title, values, region, c)
        head, _, table = section.partition("\n\n")
        if table.strip().startswith("|"):
            section = head + "\n\n" + _attached(f"values-{n:02d}", table.strip(), csv,
                                                 "Values")
        sections.append(section)
    generated = pd.DataFrame([vars(n) for n in page_numbers],
                             columns=["page", "what", "value", "source"])
    generated["value"] = generated["value"].map(escape_markdown)

    def part(name: str, text: str, what: str) -> str:
        return _attached(name, text.strip(), csv, what) if text.lstrip().startswith("|") \
            else text

    return "\n".join([
        "# Numbers audit",
        "",
        "Every number the report shows, with what it is computed from. Item citations give "
        "the issue, the item's position and its page; a figure is given with its text as "
        "printed, its character span in the raw bulletin file, its page and its sentence; a "
        "count of coded facts with the source text of each code. The values are the glue "
        "values of the executed notebooks (the chapters' sentences and tables are built from "
        "the same computations); tables in the chapters also name their items in an items "
        "column. Every table is also a CSV file; the PDF carries these files as attachments.",
        "",
        "## Values of the notebook chapters",
        "",
        *sections,
        "## Source sets",
        "",
        part("source-sets", _sets_section(c), "Source sets"),
        "## Figures behind the values",
        "",
        part("figures", _figures_section(figures, c), "Figures"),
        "## Coded facts behind the counts",
        "",
        part("coded-facts", _facts_section(evidence, c), "Coded facts"),
        "## Numbers on the generated pages",
        "",
        part("generated-pages", raw_table(generated, raw=("source", "value"))
             if len(generated) else "None.", "Numbers") + "\n",
    ]), csv
