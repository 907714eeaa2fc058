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

The exit status is 1 when a notebook case failed (the book is still built, with a placeholder
chapter for each failed case) or the book build failed, else 0. Running it again with nothing
changed executes no notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd

from analysis.common import paths
from analysis.common.text import display_path

__all__ = ["ReportResult", "build_report", "check_synthetic", "mark_stale", "pdf_pages",
           "read_agreement", "synthetic_bulletins"]


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
    stale: Path | None = None

    @property
    def returncode(self) -> int:
        """0 when every case ran and the book was built, else 1."""
        return 1 if self.failed_cases or self.error else 0


def read_agreement(path: Path = paths.AGREEMENT_CSV) -> pd.DataFrame:
    """The coder's agreement with the review, as written (and validated) by the data build."""
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


def build_report(*, jobs: int | None = None, force: bool = False, pdf: bool = True,
                 regions: Sequence[str] | None = None, out: TextIO = sys.stdout,
                 allow_synthetic: bool = False) -> ReportResult:
    """Build the whole report (see the module doc) and print where everything is.

    Synthetic bulletins are refused before anything is built unless ``allow_synthetic``."""
    from analysis.book.build import BookBuildError, build_html
    from analysis.book.pages import generate
    from analysis.dataset.agreement import agreement_report
    from analysis.run.fanout import run_notebooks

    check_synthetic(allow_synthetic)
    if pdf:
        preflight_pdf()
    run = run_notebooks(regions=regions, jobs=jobs, force=force)
    cases = [case for case, _, _ in run.explanations]
    result = ReportResult(len(cases), run.executed, run.cached, list(run.failed))
    table = read_agreement()
    try:
        book = generate(cases)
        result.failed_cases = sorted({*result.failed_cases, *(c.case for c in book.failed)})
        start = time.perf_counter()
        result.html = build_html(paths.ROOT, toc=book.toc)
        result.html_seconds = time.perf_counter() - start
        if pdf:
            from analysis.book.pdf import build_pdf

            start = time.perf_counter()
            result.pdf = build_pdf(paths.ROOT, toc=book.toc)
            result.pdf_seconds = time.perf_counter() - start
            result.pages = pdf_pages(result.pdf)
    except BookBuildError as err:
        result.error = str(err)
    finally:
        if pdf and result.pdf is None:  # not rebuilt: never leave an old PDF looking current
            result.stale = mark_stale(paths.BOOK_PDF)
    _print(result, table, agreement_report, out)
    return result


def _print(result: ReportResult, table: pd.DataFrame, agreement_report: object,
           out: TextIO) -> None:
    print(f"notebooks: {result.cases} cases, {result.executed} executed, {result.cached} "
          f"cached, {len(result.failed_cases)} failed"
          + (f" ({', '.join(result.failed_cases)}: placeholder chapters)"
             if result.failed_cases else ""), file=out)
    print(f"  data:      {display_path(paths.PROCESSED)}/ (items, figures, evidence, bulletins, "
          "agreement)", file=out)
    print(f"  executed:  {display_path(paths.BOOK / 'comparison')}/, "
          f"{display_path(paths.REGIONS_BOOK)}/<slug>/", file=out)
    print(f"  manifest:  {display_path(paths.MANIFEST)}", file=out)
    if result.html:
        print(f"  HTML:      {display_path(result.html)} (built in {result.html_seconds:.1f} s)",
              file=out)
    if result.pdf:
        print(f"  PDF:       {display_path(result.pdf)} ({result.pages} pages, built in "
              f"{result.pdf_seconds:.1f} s)", file=out)
    if result.error:
        kept = (f" (the previous PDF is now {display_path(result.stale)})"
                if result.stale else "")
        print(f"error: book build failed: {result.error}{kept}", file=sys.stderr)
    print("automatic coder versus reviewed coding:", file=out)
    print(agreement_report(table), file=out)  # type: ignore[operator]
