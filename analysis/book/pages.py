"""Generate the book's pages from the data and the executed notebooks into ``book/_generated/``.

:func:`generate` writes (only files whose content changed; stale files are removed):

* ``comparison.ipynb``, ``regions/<slug>.ipynb`` and ``scenarios/<name>.ipynb``: reader's copies
  of the executed notebooks (:mod:`analysis.book.chapters`; a scenario's chapter has its title
  and question from ``data/scenarios.yml``), or ``.md`` placeholders for failed cases;
* ``include/*.md``: the data-generated fragments of ``book/intro.md`` and ``book/methods.md``
  (:mod:`analysis.book.fragments`);
* ``appendix/*.md``: data dictionary, coded items, build manifest
  (:mod:`analysis.book.appendix`) and the numbers audit (:mod:`analysis.book.audit`);
* ``bib/<bulletin_id>.bib`` (one entry per item, a file per issue) and ``_toc.yml``
  (:mod:`analysis.book.toc`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from analysis.book import appendix, fragments
from analysis.book.audit import GluedValue, PageNumber, audit_page, glued_values
from analysis.book.bibtex import bibtex_text
from analysis.book.build import issue_bibfile
from analysis.book.chapters import (
    OK_STATUSES,
    Chapter,
    placeholder,
    reader_copy,
    review_warning,
)
from analysis.book.front import COVER_FILE, cover_facts
from analysis.book.sources import SourceSets, issue_label
from analysis.book.toc import PRINT_TOC_NAME, TOC_NAME, write_print_toc, write_toc
from analysis.common import paths
from analysis.common.atomic import write_text
from analysis.run.manifest import Manifest
from analysis.run.runner import Case
from analysis.run.scenarios import Scenario, load_scenarios
from analysis.views.common import label
from analysis.views.display import PARTS
from analysis.views.params import glue_slug

__all__ = ["COMPARISON_TITLE", "ISSUE_PAGES_UP_TO", "GeneratedBook", "generate", "issue_pages"]

COMPARISON_TITLE = "Cross-province comparison"
#: Chapters of the templates planned once (not per region): template name -> title.
CHAPTER_TITLES = {"comparison": COMPARISON_TITLE, "over_time": "Over time"}
GENERATED = Path("book/_generated")
#: Up to this many issues, each has its own coded-items and references page; beyond, one page
#: per year holds each issue as a section: Sphinx and the theme's navigation (printed on every
#: page) grow with the number of pages, so 1,000 issues give 84 pages, not 1,000.
ISSUE_PAGES_UP_TO = 24
KEEP = {"references.bib", TOC_NAME, PRINT_TOC_NAME}  # written by their own functions
#: Every coded item in one file, beside the coded-items appendix page; every source set's
#: items in one file, beside the source-sets page.
ITEMS_CSV = "coded-items.csv"
SOURCES_CSV = "source-sets.csv"
SOURCES_PAGE = "appendix/sources"
SUMMARY_MISSING = ("The cross-province comparison could not be computed in this build, so "
                   "there is no summary of its findings; see its chapter for the error.\n")
TESTS_MISSING = ("The cross-province comparison could not be computed in this build, so no "
                 "test was run; see its chapter for the error.\n")


@dataclass
class GeneratedBook:
    """What :func:`generate` wrote."""

    root: Path
    chapters: list[Chapter]
    docnames: list[str]
    toc: Path
    print_toc: Path  # the PDF's (:func:`analysis.book.toc.write_print_toc`)
    written: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Chapter]:
        """Chapters built as failure placeholders."""
        return [c for c in self.chapters if not c.ok]


def _read_csv(path: Path, ints: Sequence[str] = ()) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    for column in ints:
        frame[column] = pd.to_numeric(frame[column].replace("", pd.NA)).astype("Int64")
    return frame


def _chapters(cases: Sequence[Case], manifest: Mapping[str, Mapping[str, Any]],
              names: Mapping[str, str], root: Path,
              scenarios: Mapping[str, Scenario]) -> list[Chapter]:
    out = []
    for case in cases:
        entry = manifest.get(case.name) or {}
        ok = entry.get("status") in OK_STATUSES and case.output.is_file()
        slug = case.name.rsplit("/", 1)[-1]
        region = str(case.parameters.get("region", slug))
        prefix = (f"{case.template_name}_" if case.template_name in CHAPTER_TITLES
                  else f"{glue_slug(names.get(region, region))}_")
        scenario = scenarios.get(case.name)
        if scenario is not None:
            title, doc = scenario.title, GENERATED / "scenarios" / slug
        elif case.template_name in CHAPTER_TITLES:
            title = CHAPTER_TITLES[case.template_name]
            doc = GENERATED / case.template_name
        else:
            title, doc = label(region, names), GENERATED / "regions" / slug
        output = case.output.resolve()
        rel = output.relative_to(root).as_posix() if output.is_relative_to(root) else str(output)
        out.append(Chapter(case.name, title, doc.as_posix(), ok, entry.get("error"),
                           rel if case.output.is_file() else None,
                           scenario.question if scenario else None, prefix))
    return out


def _sync(target: Path, files: Mapping[str, str]) -> list[str]:
    """Write ``files`` (relative path -> text) under ``target`` when changed; delete others."""
    written = []
    for rel, text in files.items():
        path = target / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            write_text(path, text)
            written.append(rel)
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target).as_posix()
        if path.is_file() and rel not in files and rel not in KEEP:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def _review_warning(case: Case, entry: Mapping[str, Any], items: pd.DataFrame,
                    bulletins: pd.DataFrame) -> str:
    """The unreviewed-data warning of a chapter: the items of its selected bulletins (a region
    chapter: those naming its province) that come from unreviewed issues."""
    params = dict(entry.get("parameters") or case.parameters)
    chosen = params.get("bulletins") or list(bulletins["bulletin_id"])
    rows = items[items["bulletin_id"].isin(chosen)]
    region = params.get("region") if case.template_name == "region" else None
    if region:
        rows = rows[rows["provinces"].map(lambda v: region in str(v).split(";"))]
    open_ids = set(bulletins.loc[bulletins["reviewed"] == 0, "bulletin_id"])
    unreviewed = rows[rows["bulletin_id"].isin(open_ids)]
    return review_warning(len(unreviewed), len(rows),
                          sorted(set(unreviewed["bulletin_id"])))


def bibliography_page(bulletin_id: str, issue_date: str, n_items: int, level: int = 1) -> str:
    """The references of one issue: every item's entry (sphinxcontrib-bibtex, filtered on the
    entry's ``bulletin`` field so each entry is listed on exactly one page) from the issue's own
    BibTeX file (:func:`analysis.book.build.issue_bibfile`), under a heading of
    ``level`` labelled ``bib-<bulletin_id>`` (:func:`analysis.book.sources.issue_label`)."""
    return (f"({issue_label(bulletin_id)})=\n{'#' * level} {issue_date or 'undated'} "
            f"({bulletin_id})\n\n"
            f"The {n_items} items of issue {bulletin_id}, in printed order.\n\n"
            f"```{{bibliography}} /{issue_bibfile(bulletin_id).as_posix()}\n"
            f":filter: bulletin == \"{bulletin_id}\"\n```\n")


def issue_pages(bulletins: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The per-issue appendix pages (coded items, references): ``{page name: its issues}`` in
    date order. Up to :data:`ISSUE_PAGES_UP_TO` issues, one page per issue (named by the
    bulletin id); beyond, one page per year (``2021``, ``undated``), each issue a section."""
    by_date = bulletins.sort_values(["issue_date", "bulletin_id"], kind="mergesort")
    if len(by_date) <= ISSUE_PAGES_UP_TO:
        return {str(b): by_date[by_date["bulletin_id"] == b] for b in by_date["bulletin_id"]}
    years = by_date["issue_date"].fillna("").astype(str).str[:4].replace("", "undated")
    return {str(y): by_date[years == y] for y in dict.fromkeys(years)}


def _as_executed(cases: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The manifest as the book states it: how each notebook was made. A case served from the
    cache is shown ``ok`` (its notebook and times are those of the run that made it), so the
    pages do not change, and Sphinx does not re-read them, only because a later run found the
    case cached."""
    return {name: {**entry, "status": "ok" if entry.get("status") == "cached"
                   else entry.get("status")} for name, entry in cases.items()}


def _params_of(cases: Sequence[Case], manifest: Mapping[str, Mapping[str, Any]]
               ) -> dict[str, Any]:
    for case in cases:
        if case.name == "comparison":
            return dict((manifest.get(case.name) or {}).get("parameters") or case.parameters)
    return {}


def _part(case: Case | None, part: str, missing: str) -> str:
    """A part of the book the comparison notebook wrote into its output folder
    (:data:`analysis.views.display.PARTS`), or ``missing`` when it failed or wrote none."""
    path = case.out_dir / PARTS[part] if case is not None else None
    if path is None or not path.is_file():
        return missing
    return path.read_text(encoding="utf-8")


def generate(cases: Sequence[Case], *, root: Path = paths.ROOT,
             manifest_path: Path | None = None) -> GeneratedBook:
    """Write every generated page of the book for the executed ``cases``; see the module doc."""
    from analysis.coding.codebook import load_codebook
    from analysis.compare.stats import MIN_ITEMS
    from analysis.compare.weights import INDICATORS, load_weights
    from analysis.dataset.schema import data_dictionary
    from analysis.dataset.tables import load_figures, load_items
    from analysis.views.params import DataInfo, validate_params

    root = Path(root).resolve()
    processed = root / "data" / "processed"
    manifest = _as_executed(Manifest.load(manifest_path or root / "_build" / "manifest.json")
                            .cases)
    items = load_items(processed / "items.csv")
    figures = load_figures(processed / "figures.csv")
    evidence = _read_csv(processed / "evidence.csv", ("start", "end", "page"))
    bulletins = _read_csv(processed / "bulletins.csv",
                          ("n_items", "n_pages", "reviewed", "synthetic"))
    agreement = pd.read_csv(processed / "agreement.csv")
    names = dict(DataInfo.from_items(items).names)
    scenarios = {s.case: s for s in load_scenarios(root / "data" / "scenarios.yml")}
    chapters = _chapters(cases, manifest, names, root, scenarios)

    files: dict[str, str] = {}
    glued: list[tuple[str, str | None, list[GluedValue]]] = []
    numbers: list[PageNumber] = []
    for ch, case in zip(chapters, cases, strict=True):
        rel = Path(ch.docname).relative_to(GENERATED)
        if ch.ok:
            target = root / f"{ch.docname}.ipynb"
            warning = _review_warning(case, manifest[case.name], items, bulletins)
            nb = reader_copy(case.output, target, ch, manifest[case.name], case.out_dir,
                             warning)
            files[f"{rel.as_posix()}.ipynb"] = nbformat.writes(nb) + "\n"
            values = glued_values(case.output)
        else:
            files[f"{rel.as_posix()}.md"] = placeholder(ch, manifest.get(case.name))
            values = []
        region = case.parameters.get("region") if case.template_name == "region" else None
        glued.append((ch.title, region, values))

    comparison = next((c for c in chapters if c.case == "comparison" and c.ok), None)
    comp_keys = [v.key for t, _, vals in glued if t == COMPARISON_TITLE for v in vals]
    reviewed = bulletins.loc[bulletins["reviewed"] == 1, "bulletin_id"].tolist()
    review_rows = len(pd.read_csv(root / "data" / "review.csv")) \
        if (root / "data" / "review.csv").is_file() else 0
    comp = validate_params("comparison", _params_of(cases, manifest))
    weights = load_weights(root / "data" / "index_weights.yml")
    parts = {
        "include/data.md": fragments.data(bulletins, items, names),
        "include/findings.md": fragments.findings(
            f"_generated/{Path(comparison.docname).name}.ipynb" if comparison else None,
            comp_keys),
        "include/codebook.md": fragments.codebook(load_codebook(root / "data" / "codebook.yml")),
        "include/agreement.md": fragments.agreement(agreement, reviewed, review_rows),
        "include/figures.md": fragments.figures(figures),
        "include/index.md": fragments.index(INDICATORS, weights, comp.n_draws, comp.seed),
        "include/statistics.md": fragments.statistics(MIN_ITEMS, 0.05),
        "appendix/data-dictionary.md": appendix.data_dictionary(data_dictionary(derived=True)),
        "appendix/manifest.md": appendix.manifest_page(chapters, manifest),
    }
    for rel, (text, nums) in parts.items():
        files[rel] = text
        numbers += nums
    pages = issue_pages(bulletins)
    for name, issues in pages.items():
        single = len(issues) == 1 and name == str(issues["bulletin_id"].iloc[0])
        item_parts = [] if single else [f"# Coded items: {name}\n"]
        bib_parts = [] if single else [f"# {name}\n"]
        for bulletin in issues.itertuples():
            mine = items[items["bulletin_id"] == bulletin.bulletin_id]
            text, nums = appendix.items_page(
                mine, names, f"{bulletin.issue_date or 'undated'} ({bulletin.bulletin_id})",
                level=1 if single else 2)
            item_parts.append(text)
            numbers += nums
            bib_parts.append(bibliography_page(bulletin.bulletin_id, bulletin.issue_date,
                                               len(mine), level=1 if single else 2))
            files[issue_bibfile(bulletin.bulletin_id).relative_to(GENERATED).as_posix()] = \
                bibtex_text(mine)
        files[f"appendix/items/{name}.md"] = "\n".join(item_parts)
        files[f"bibliography/{name}.md"] = "\n".join(bib_parts)
    by_year = len(pages) < len(bulletins)
    files["appendix/items.md"] = appendix.items_intro(bulletins, len(items), ITEMS_CSV, by_year)
    files[f"appendix/{ITEMS_CSV}"] = appendix.items_csv(items, names)
    audit, audit_csv = audit_page(glued, items, figures, evidence, numbers)
    files["appendix/audit.md"] = audit
    comp_case = next((c for c, ch in zip(cases, chapters, strict=True)
                      if ch.case == "comparison" and ch.ok), None)
    files["include/summary.md"] = _part(comp_case, "summary", SUMMARY_MISSING)
    files["appendix/tests.md"] = "# Statistical tests\n\n" + _part(comp_case, "tests",
                                                                     TESTS_MISSING)
    sets = SourceSets(items)
    files = {rel: sets.collapse(text) for rel, text in files.items()}
    files[f"{SOURCES_PAGE}.md"] = sets.page(SOURCES_CSV, printed=not by_year)
    files[f"appendix/{SOURCES_CSV}"] = sets.csv()
    files.update({f"appendix/{rel}": text for rel, text in audit_csv.items()})
    files[COVER_FILE] = json.dumps(cover_facts(bulletins, manifest), indent=2,
                                   ensure_ascii=False) + "\n"
    synthetic = bulletins.loc[bulletins["synthetic"] == 1, "bulletin_id"].tolist()
    if synthetic:
        files["synthetic.txt"] = ", ".join(synthetic) + "\n"

    written = _sync(root / GENERATED, files)
    docnames = [c.docname for c in chapters] + [
        (GENERATED / rel).with_suffix("").as_posix() for rel in files
        if rel.startswith(("appendix/", "bibliography/")) and rel.endswith(".md")]
    toc = write_toc(root, docnames)
    # per-year pages (many issues) and the source sets stay out of the PDF, which carries
    # ITEMS_CSV and SOURCES_CSV instead
    unprinted = ([(GENERATED / f"{part}/{name}").as_posix() for name in pages
                  for part in ("appendix/items", "bibliography")]
                 + [(GENERATED / SOURCES_PAGE).as_posix()]) if by_year else []
    print_toc = write_print_toc(toc, unprinted)
    return GeneratedBook(root, chapters, docnames, toc, print_toc, written)
