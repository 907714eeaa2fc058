"""Generated appendix pages: data dictionary, coded items, build manifest.

Each function returns the page's Markdown and the
:class:`~analysis.book.audit.PageNumber` rows of the numbers it shows. Bulletin text is escaped;
every row about an item cites it (``{cite:p}`item_id```, label with issue, position and page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.book.audit import PageNumber, raw_table
from analysis.book.chapters import Chapter
from analysis.common.escape import escape_markdown as esc
from analysis.dataset.tables import split_field
from analysis.views.common import domains_text, label, page_text, plural
from analysis.views.markdown import markdown_table

__all__ = ["data_dictionary", "items_csv", "items_intro", "items_page", "manifest_page"]

Page = tuple[str, list[PageNumber]]
TABLE_FILES = {"items": "items.csv", "figures": "figures.csv", "evidence": "evidence.csv",
               "bulletins": "bulletins.csv", "agreement": "agreement.csv"}


def data_dictionary(dictionary: pd.DataFrame) -> Page:
    """One section per table of ``analysis.dataset.schema.data_dictionary(derived=True)``."""
    parts = ["# Data dictionary", "",
             "The processed tables in `data/processed/`, generated from the table schemas "
             "(`analysis/schema.py`) that validate every table when it is written. "
             "Multi-valued fields are joined with `;`; offsets are character offsets into the "
             "decoded raw bulletin text.", ""]
    for table, rows in dictionary.groupby("table", sort=False):
        shown = rows.drop(columns="table").assign(
            nullable=rows["nullable"].map({True: "yes", False: ""}))
        parts += [f"## {TABLE_FILES.get(str(table), str(table))}", "",
                  markdown_table(shown.set_index("column")), ""]
    return "\n".join(parts), []


def items_intro(bulletins: pd.DataFrame, n_items: int, csv_name: str,
                by_year: bool = False) -> str:
    """The coded-items appendix's first page: what the per-issue (``by_year``: per-year)
    pages hold, and the one CSV file of every item (``csv_name``, beside the page). Per-year
    pages are left out of the PDF (:func:`analysis.book.toc.write_print_toc`), which carries
    the file instead; the page says so."""
    pages = ("one page per year, each issue a section" if by_year else "one page per issue")
    printed = ("The PDF leaves these pages and those of the bibliography out and carries the "
               "file instead, attached: the issue, item number and page of a citation's label "
               "find its row." if by_year else "The PDF carries the file too, attached.")
    return ("# Coded items\n\n"
            f"Every bulletin item with its final codes, {pages} (in date order): "
            "automatic codes with the analyst's review applied; *reviewed fields* names the "
            "fields the review overruled. Titles and sections are as printed. The evidence for "
            "every code, with its exact source text, is in `data/processed/evidence.csv`.\n\n"
            f"All {plural(n_items, 'item')} of {plural(len(bulletins), 'issue')} are also in "
            "one file, "
            f"{{download}}`{csv_name} <{csv_name}>`. {printed}\n")


def _items_frame(items: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The coded items as the appendix shows them: id, page, section, title, codes."""
    def provinces(value: object) -> str:
        return ", ".join(label(p, names) for p in split_field(value))

    def firsts(row: Any) -> str:
        return ", ".join(name for name, flag in (("national", row.is_national_first),
                                                 ("provincial", row.is_provincial_first))
                         if int(flag) == 1)

    return pd.DataFrame({
        "item_id": items["item_id"],
        "page": [page_text(s, e) for s, e in zip(items["page_start"], items["page_end"],
                                                 strict=True)],
        "section": items["section"], "title": items["title"],
        "provinces": items["provinces"].map(provinces),
        "scope": items["scope"].str.replace("_", "-"),
        "domains": items["domains"].map(domains_text),
        "instrument sides": items["instrument_sides"].map(lambda v: ", ".join(split_field(v))),
        "first claimed": [firsts(r) for r in items.itertuples()],
        "issuing level": items["issuing_level"],
        "reviewed fields": items["overridden"].map(lambda v: ", ".join(split_field(v))),
    })


def items_csv(items: pd.DataFrame, names: Mapping[str, str]) -> str:
    """Every coded item in one CSV file (the appendix's columns after the issue and the item's
    position in it): the file the PDF carries when it leaves the per-year pages out."""
    frame = _items_frame(items, names)
    frame.insert(1, "bulletin_id", items["bulletin_id"].to_numpy())
    frame.insert(2, "issue_date", items["issue_date"].to_numpy())
    frame.insert(3, "item", items["seq"].to_numpy())
    return frame.to_csv(index=False)


def items_page(items: pd.DataFrame, names: Mapping[str, str], issue: str = "",
               level: int = 1) -> Page:
    """Every coded item (of one issue: ``issue`` names it in the title, a heading of
    ``level``): citation, page, section, title (as printed), codes."""
    table = _items_frame(items, names)
    title = f"Coded items: {issue}" if issue and level == 1 else issue or "Coded items"
    # eleven columns: the PDF prints them on a landscape page in small type (print.css)
    text = "\n".join([f"{'#' * level} {esc(title)}", "", ":::{div} pdf-wide",
                      markdown_table(table), ":::", ""])
    nums = [PageNumber(title, f"page of {r.item_id}",
                       page_text(r.page_start, r.page_end), f"items.csv row of {r.item_id}")
            for r in items.itertuples()]
    return text, nums


def _short(value: object, n: int = 12) -> str:
    return f"`{str(value)[:n]}`" if value else ""


def manifest_page(chapters: Sequence[Chapter], manifest: Mapping[str, Mapping[str, Any]]
                  ) -> Page:
    """What was executed: case, chapter, parameters, status, time, cache key, input hashes."""
    rows, inputs, nums = [], {}, []
    for ch in chapters:
        entry = manifest.get(ch.case) or {}
        params = ", ".join(f"{k} = {v}" for k, v in sorted((entry.get("parameters") or
                                                             {}).items()))
        rows.append({
            "case": f"`{ch.case}`", "chapter": f"{{doc}}`/{ch.docname}`",
            "template": f"`{entry.get('template', '')}`", "parameters": esc(params),
            "status": esc(str(entry.get("status", "not run"))),
            "seconds": esc(f"{entry.get('duration') or 0:.1f}"),
            "finished (UTC)": esc(str(entry.get("end") or "")[:19].replace("T", " ")),
            "cache key": _short(entry.get("key")),
            "code": _short(entry.get("code_version"), 20)})
        nums.append(PageNumber("Build manifest", f"seconds of {ch.case}",
                               f"{entry.get('duration') or 0:.1f}",
                               "duration in _build/manifest.json"))
        found = entry.get("inputs") or {}
        for path, digest in (found.get("data") or {}).items():
            inputs.setdefault((path, digest), []).append(ch.case)
        for part in ("template", "code", "deps"):
            if found.get(part):
                inputs.setdefault((part, found[part]), []).append(ch.case)
    frame = pd.DataFrame(rows)
    in_frame = pd.DataFrame([{"input": f"`{path}`", "SHA-256": _short(digest, 16),
                              "cases": esc(", ".join(cases))}
                             for (path, digest), cases in inputs.items()])
    text = "\n".join([
        "# Build manifest", "",
        "Every notebook case of this build: the template executed, its parameters, status "
        "(*cached*: inputs unchanged since the run that made it), duration and cache key, and "
        "the hashes of its inputs (template cells, code of the `analysis` package, pinned "
        "dependencies, data files). Full hashes are in `_build/manifest.json`.", "",
        raw_table(frame), "", "## Inputs", "",
        raw_table(in_frame) if len(in_frame) else "None.", ""])
    return text, nums

