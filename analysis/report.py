"""``python -m analysis report``: data, notebooks, book pages, HTML and PDF, in that order.

1. :func:`analysis.run.fanout.run_notebooks`: code the bulletins into ``data/processed/`` (with
   the automatic coder's agreement with the reviewed coding, ``agreement.csv``; skipped when
   the inputs are unchanged), then execute the comparison and region notebooks (only cases
   whose inputs changed).
2. The agreement table is read back for the summary.
3. :func:`analysis.book.pages.generate`: chapters (or failure placeholders), data-generated
   fragments, appendices, numbers audit, bibliography and table of contents.
4. HTML (``_build/html/index.html``, warnings are errors) and PDF (``_build/pdf/book.pdf``).
   When the PDF is not rebuilt (a failed step), the previous one is renamed
   ``book.stale.pdf``, so it is never taken as current.

Before anything is built: synthetic bulletins (sidecar ``synthetic: true``) are refused unless
``--allow-synthetic`` is given, and the PDF's font must hold every character of the bulletins.

The exit status is 1 when a notebook case failed (the book is still built, with a placeholder
chapter for each failed case) or the book build failed, else 0. Running it again with nothing
changed executes no notebook and builds nothing: before anything else, :func:`report_digest`
(every input and output of the report, hashed without importing the pipeline) is compared with
the one stored after the last successful report (``_build/book-state.json``, entry
``report``); when they match the command prints that everything is up to date, and where.
Otherwise the entry is removed first (an interrupted or failed report never claims to be up to
date), and after the pages are generated the HTML and the PDF are each rebuilt only when
:func:`analysis.book.build.book_digest` differs from the one they were built from (the HTML
incrementally: Sphinx re-reads only changed pages).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from analysis.common import paths
from analysis.common.text import display_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ReportResult", "build_report", "check_synthetic", "mark_stale", "pdf_pages",
           "preflight_pdf", "read_agreement", "report_digest", "synthetic_bulletins"]

#: Everything a report is made from and everything it writes, relative to the project root
#: (the package code is hashed on its own: it may live outside the root).
REPORT_FILES = ("data", "notebooks", "book", "_config.yml", "_toc.yml", "constraints.txt",
                "pyproject.toml", "_build/manifest.json", "_build/html/index.html")
REPORT_EXCLUDE = ("book/_static/fonts",)
PDF_FILE = paths.BOOK_PDF.relative_to(paths.ROOT).as_posix()


@dataclass
class ReportResult:
    """What one report build did; ``returncode`` is the command's exit status."""

    cases: int = 0
    executed: int = 0
    cached: int = 0
    failed_cases: list[str] = field(default_factory=list)
    html: Path | None = None
    pdf: Path | None = None
    pages: int | None = None
    html_seconds: float | None = None
    pdf_seconds: float | None = None
    error: str | None = None
    up_to_date: bool = False  # nothing changed: nothing executed or rebuilt
    html_current: bool = False  # the HTML's inputs were unchanged: not rebuilt
    pdf_current: bool = False
    stale: Path | None = None  # the previous PDF, renamed when it could not be rebuilt

    @property
    def returncode(self) -> int:
        """0 when every case ran and the book was built, else 1."""
        return 1 if self.failed_cases or self.error else 0


def read_agreement(path: Path = paths.AGREEMENT_CSV) -> pd.DataFrame:
    """The coder's agreement with the review, as written (and validated) by the data build."""
    import pandas as pd

    from analysis.dataset.schema import validate

    return validate("agreement", pd.read_csv(path))


def pdf_pages(pdf: Path) -> int | None:
    """Page count of ``pdf`` (``pdfinfo``), None if it cannot be read."""
    try:
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def synthetic_bulletins(raw_dir: Path | None = None) -> list[str]:
    """Raw bulletins whose sidecar says ``synthetic: true`` (file names)."""
    from analysis.dataset.sidecar import load_sidecar
    from analysis.dataset.state import raw_bulletins

    return [f.name for f in raw_bulletins(raw_dir)
            if paths.sidecar_for(f).is_file()
            and load_sidecar(paths.sidecar_for(f)).get("synthetic") is True]


def check_synthetic(allow: bool, raw_dir: Path | None = None) -> None:
    """Refuse synthetic bulletins (one ``InputError`` line, nothing built) unless ``allow``."""
    from analysis.common.errors import InputError

    found = synthetic_bulletins(raw_dir)
    if found and not allow:
        raise InputError(display_path(raw_dir or paths.RAW),
                         f"{len(found)} bulletin(s) are synthetic ({', '.join(found[:5])}"
                         f"{' ...' if len(found) > 5 else ''}); synthetic data never reaches "
                         "the report: remove them, or pass --allow-synthetic to build a "
                         "bannered test book")


def preflight_pdf() -> None:
    """What the PDF needs that can be checked before anything is rebuilt: the CJK font, and a
    glyph in it for every visible character of the bulletins (their titles and quotations
    are printed)."""
    from analysis.common.errors import InputError
    from analysis.common.fonts import MissingGlyphError, check_text, font_path
    from analysis.dataset.state import raw_bulletins
    from analysis.ingest.document import read_document

    try:
        font = font_path()
    except FileNotFoundError as err:
        raise InputError("PDF font", f"{err}; or build with --no-pdf") from None
    for path in raw_bulletins():
        try:
            check_text(read_document(path).text, font)
        except MissingGlyphError as err:
            raise InputError(display_path(path), f"the PDF cannot print it: {err}; or build "
                             "with --no-pdf") from None


def mark_stale(path: Path) -> Path | None:
    """Rename an output that could not be rebuilt to ``NAME.stale.EXT`` (replacing an older
    one), so nothing takes it for current; returns the new path, None if there was none."""
    if not path.is_file():
        return None
    stale = path.with_name(f"{path.stem}.stale{path.suffix}")
    os.replace(path, stale)
    return stale


def report_digest(root: Path = paths.ROOT, pdf: bool = True) -> str:
    """Digest of every input and output of a report (see the module doc): no pandas, no
    pipeline import, a fraction of a second."""
    from analysis.common.digest import code_hash, tree_files, tree_hash

    files = tree_files(root, (*REPORT_FILES, *((PDF_FILE,) if pdf else ())), REPORT_EXCLUDE)
    return tree_hash(root, files, (code_hash(), f"pdf={pdf}"))


def _up_to_date(pdf: bool, out: TextIO) -> ReportResult | None:
    """The result of a report with nothing to do, or None when something changed."""
    from analysis.book.build import read_state

    entry = read_state(paths.ROOT).get("report")
    if not isinstance(entry, dict):
        return None
    # A report with the PDF also covers one without it.
    if not any(entry.get("digest") == report_digest(paths.ROOT, with_pdf)
               for with_pdf in ((True, False) if not pdf else (True,))):
        return None
    cases = int(entry.get("cases", 0))
    result = ReportResult(cases, 0, cases, up_to_date=True, html_current=True,
                          pdf_current=pdf, html=paths.ROOT / "_build/html/index.html",
                          pdf=paths.ROOT / PDF_FILE if pdf else None, pages=entry.get("pages"))
    print(f"everything is up to date: no input changed since the last report "
          f"({entry.get('finished', '?')}); nothing executed or rebuilt", file=out)
    _print(result, str(entry.get("agreement", "")), out)
    return result


def build_report(*, jobs: int | None = None, force: bool = False, pdf: bool = True,
                 regions: Sequence[str] | None = None, out: TextIO = sys.stdout,
                 allow_synthetic: bool = False) -> ReportResult:
    """Build the whole report (see the module doc) and print where everything is.

    Synthetic bulletins are refused before anything is built unless ``allow_synthetic``."""
    from analysis.book import build as book

    check_synthetic(allow_synthetic)
    complete = regions is None  # a report of some regions only is never recorded as current
    if complete and not force and (done := _up_to_date(pdf, out)) is not None:
        return done
    if pdf:
        preflight_pdf()
    book.forget(paths.ROOT, "report")
    result = _build(jobs=jobs, force=force, pdf=pdf, regions=regions)
    from analysis.dataset.agreement import agreement_report

    agreement = agreement_report(read_agreement())
    _print(result, agreement, out)
    if complete and result.returncode == 0:
        from datetime import datetime

        finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        book.remember(paths.ROOT, "report", report_digest(paths.ROOT, pdf), cases=result.cases,
                      pages=result.pages, agreement=agreement, finished=finished)
    return result


def _build(*, jobs: int | None, force: bool, pdf: bool, regions: Sequence[str] | None
           ) -> ReportResult:
    """Notebooks, pages, then the HTML and PDF whose inputs changed."""
    from analysis.book.build import (
        BookBuildError,
        book_digest,
        build_html,
        forget,
        is_current,
        remember,
    )
    from analysis.book.pages import generate
    from analysis.run.fanout import run_notebooks

    run = run_notebooks(regions=regions, jobs=jobs, force=force)
    cases = [case for case, _, _ in run.explanations]
    result = ReportResult(len(cases), run.executed, run.cached, list(run.failed))
    root = paths.ROOT
    try:
        generated = generate(cases)
        result.failed_cases = sorted({*result.failed_cases, *(c.case for c in generated.failed)})
        digest = book_digest(root)
        result.html = root / "_build" / "html" / "index.html"
        result.html_current = is_current(root, "html", digest)
        if not result.html_current:
            forget(root, "html")
            start = time.perf_counter()
            result.html = build_html(root, toc=generated.toc, fresh=False)
            result.html_seconds = time.perf_counter() - start
            remember(root, "html", digest)
        if pdf:
            from analysis.book.pdf import build_pdf

            result.pdf = root / PDF_FILE
            result.pdf_current = is_current(root, "pdf", digest)
            if not result.pdf_current:
                forget(root, "pdf")
                start = time.perf_counter()
                result.pdf = build_pdf(root, toc=generated.print_toc)
                result.pdf_seconds = time.perf_counter() - start
                remember(root, "pdf", digest)
            result.pages = pdf_pages(result.pdf)
    except BookBuildError as err:
        result.error = str(err)
    finally:
        if pdf and not result.pdf_current and result.pdf_seconds is None:
            result.stale = mark_stale(root / PDF_FILE)  # never leave it looking current
            result.pdf = None
            forget(root, "pdf")
    return result


def _built(seconds: float | None) -> str:
    return "up to date, not rebuilt" if seconds is None else f"built in {seconds:.1f} s"


def _print(result: ReportResult, agreement: str, out: TextIO) -> None:
    print(f"notebooks: {result.cases} cases, {result.executed} executed, {result.cached} "
          f"cached, {len(result.failed_cases)} failed"
          + (f" ({', '.join(result.failed_cases)}: placeholder chapters)"
             if result.failed_cases else ""), file=out)
    print(f"  data:      {display_path(paths.PROCESSED)}/ (items, figures, evidence, bulletins, "
          "agreement)", file=out)
    print(f"  executed:  {display_path(paths.BOOK / 'comparison')}/, "
          f"{display_path(paths.BOOK / 'over_time')}/, "
          f"{display_path(paths.REGIONS_BOOK)}/<slug>/"
          + (f", {display_path(paths.SCENARIOS_BOOK)}/<name>/"
             if paths.SCENARIOS_BOOK.is_dir() else ""), file=out)
    print(f"  manifest:  {display_path(paths.MANIFEST)}", file=out)
    if result.html and (result.html_current or result.html_seconds is not None):
        print(f"  HTML:      {display_path(result.html)} ({_built(result.html_seconds)})",
              file=out)
    if result.pdf and (result.pdf_current or result.pdf_seconds is not None):
        print(f"  PDF:       {display_path(result.pdf)} ({result.pages} pages, "
              f"{_built(result.pdf_seconds)})", file=out)
    if result.error:
        kept = (f" (the previous PDF is now {display_path(result.stale)})"
                if result.stale else "")
        print(f"error: book build failed: {result.error}{kept}", file=sys.stderr)
    print("automatic coder versus reviewed coding:", file=out)
    print(agreement, file=out)
