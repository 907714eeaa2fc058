"""More than one issue: a second bulletin added to a temporary project keeps the seed's items
and codes, places the issues in time, and synthetic data is refused by the report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.codebook import load_codebook
from devtools.synthetic import generate_corpus

from conftest import ROOT, SEED, build_data, make_project
from support.report import article, run_report


def add_issues(root: Path, n: int, *, skip: tuple[int, ...] = ()) -> Path:
    """``n`` synthetic issues (monthly from 2020-10, ``skip``: month offsets left empty)."""
    generate_corpus(SEED.read_text(encoding="utf-8"), load_codebook(ROOT / "data" /
                    "codebook.yml"), root / "data" / "raw", n_issues=n, first_month="2020-10",
                    skip=skip)
    return root


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT,
                          env={**os.environ, "BULLETIN_ROOT": str(root)},
                          capture_output=True, text=True, timeout=900)


def test_report_refuses_synthetic_data_in_one_line(tmp_path: Path) -> None:
    root = add_issues(make_project(tmp_path / "p"), 1)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    run = _cli(root, "report")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "synthetic-0001.txt" in run.stderr
    assert "--allow-synthetic" in run.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written


def test_a_second_issue_keeps_the_seed_items_and_codes(built_project: Path,
                                                       tmp_path: Path) -> None:
    root = build_data(add_issues(make_project(tmp_path / "p"), 1))
    processed = root / "data" / "processed"
    items = pd.read_csv(processed / "items.csv", dtype=str, keep_default_na=False)
    alone = pd.read_csv(built_project / "data" / "processed" / "items.csv", dtype=str,
                        keep_default_na=False)
    assert len(items) == 2 * len(alone) == 48
    seed = items[items["bulletin_id"] == "bulletin-2020-09"].reset_index(drop=True)
    pd.testing.assert_frame_equal(seed, alone)
    bulletins = pd.read_csv(processed / "bulletins.csv", keep_default_na=False)
    assert bulletins.set_index("bulletin_id")[["issue_date", "reviewed", "synthetic"]].to_dict(
        "index") == {"bulletin-2020-09": {"issue_date": "2020-09", "reviewed": 1, "synthetic": 0},
                     "synthetic-0001": {"issue_date": "2020-10", "reviewed": 0, "synthetic": 1}}


@pytest.mark.slow
def test_many_issues_reach_the_book_over_time_with_provenance(tmp_path: Path) -> None:
    root = add_issues(make_project(tmp_path / "p"), 4, skip=(2,))
    run = run_report(root, "--no-pdf", "--allow-synthetic", timeout=1500)
    assert run.returncode == 0, run.stdout + run.stderr
    html = run.html / "book" / "_generated"
    over = article(html / "over_time.html").get_text(" ", strip=True)
    assert "5 issues from 2020-09 to 2021-02 (6 months; no issue in 1 month: 2020-12" in over
    assert "Synthetic data" in over and "Unreviewed data" in over
    assert "96 of the 120 items this chapter rests on" in over
    assert "not valid (" in over  # small counts say so in words
    region = article(html / "regions" / "jiangsu.html").get_text(" ", strip=True)
    assert "Jiangsu 江苏 across 5 issues" in region and "Synthetic data" in region
    intro = article(run.html / "book" / "intro.html").get_text(" ", strip=True)
    assert "Synthetic data" in intro and "Not yet reviewed by an analyst" in intro
    # per-issue bibliography and items pages; long citations are source sets
    assert {p.stem for p in (html / "bibliography").glob("*.html")} == {
        "bulletin-2020-09", *(f"synthetic-000{i}" for i in range(1, 5))}
    assert len(list((html / "appendix" / "items").glob("*.html"))) == 5
    sets = article(html / "appendix" / "sources.html").get_text(" ", strip=True)
    assert "items in 5 issues" in over and "2020-09 (bulletin-2020-09) (24)" in sets
