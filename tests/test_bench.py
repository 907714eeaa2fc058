"""The bench's pure helpers (``devtools.bench``): progress parsing, ratios, the printed report,
the review-row change. Nothing here runs kernels or times anything."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from devtools.bench import (
    BenchResults,
    CliRun,
    IngestRun,
    Progress,
    append_review_row,
    format_results,
    median,
    one_item_change,
    parse_progress,
    ratio,
    seconds_text,
    verdict,
)
from devtools.project import copy_project

from conftest import ROOT

STDERR = """\
[0/3] start  comparison  (running 1, done 0, failed 0, cached 0)
[1/3] cached region/jiangsu  (running 1, done 0, failed 0, cached 1)
[2/3] ok     comparison  3.0s  (running 0, done 1, failed 0, cached 1)
[2/3] start  region/anhui  (running 1, done 1, failed 0, cached 1)
[3/3] failed region/anhui  1.2s  In [5]: RuntimeError: boom  (running 0, done 1, failed 1, cached 1)
3 cases: 2 executed, 1 cached, 1 failed
"""


def test_parse_progress_sorts_cases_by_outcome() -> None:
    progress = parse_progress(STDERR)
    assert progress == Progress(executed=["comparison", "region/anhui"],
                                cached=["region/jiangsu"], failed=["region/anhui"])
    assert parse_progress("error: parameter domains: ...\n") == Progress()


def test_ratio_median_and_verdict() -> None:
    assert ratio(30.0, 7.5) == 4.0
    assert ratio(1.0, 0.0) == math.inf
    assert median([3.0, 1.0, 2.0]) == 2.0 and math.isnan(median([]))
    assert verdict(4.0, 4) == "met" and verdict(3.9, 4) == "MISSED"
    assert verdict(900, 1024, at_least=False) == "met"
    assert verdict(1024, 1024, at_least=False) == "MISSED"
    assert seconds_text([12.34]) == "12.3 s"
    assert seconds_text([12.0, 14.0]) == "13.0 s (median; runs 12.0, 14.0 s)"


def test_ingest_rate_and_memory_bound() -> None:
    run = IngestRun(jobs=2, files=1000, items=24000, seconds=4.0, provinces=31,
                    maxrss_self_kib=400 * 1024, maxrss_child_kib=200 * 1024)
    assert run.rate == 6000 and run.cpu_rate == math.inf  # no CPU time recorded
    assert run.peak_bound_mib == 800  # parent + 2 workers
    assert IngestRun(1, 1, 10, 1.0, maxrss_self_kib=1024, maxrss_child_kib=4096).peak_bound_mib == 1


def test_format_results_prints_every_measurement_with_ratios() -> None:
    def cli(seconds: float, executed: list[str], cached: list[str] = ()) -> CliRun:
        return CliRun(seconds, progress=Progress(list(executed), list(cached)))

    seven = ["comparison", *(f"region/r{i}" for i in range(6))]
    res = BenchResults(
        cpus=2, cases=7, runner=[cli(10.0, seven), cli(12.0, seven)], papermill=[33.0],
        nochange=[cli(2.0, [], seven)] * 3, change=("b-01", "domains", "other"),
        change_explain="\n".join(f"run   {n}  data changed: data/processed/items.csv"
                                 for n in seven),
        changed=cli(9.0, seven), generate_seconds=10.0,
        ingest=[IngestRun(2, 1000, 24000, 4.0, 31, 400 * 1024, 200 * 1024, 8.0),
                IngestRun(1, 1000, 24000, 8.0, 31, 380 * 1024, 0, 8.0),
                IngestRun(2, 1000, 24000, 6.0, 31, 410 * 1024, 210 * 1024, 8.0)],
        load=[1.5, 2.25],
        corpus_run=cli(150.0, ["comparison"] * 32),
    )
    text = format_results(res)
    assert "(a) cold build of 7 cases" in text
    assert "11.0 s (median; runs 10.0, 12.0 s)" in text
    assert "speed-up 3.0x (per runner run 3.3x, 2.8x); target >= 5x: MISSED" in text
    assert "executed 0 of 7; cold / no-change = 5.5x" in text
    assert "(c) one review row (b-01 domains -> other): 9.0 s, executed 7 of 7" in text
    assert "why (--explain): data changed: data/processed/items.csv" in text
    assert ("jobs=2: 5,000 items/s (runs 6,000, 4,000; 3,000 items per CPU-second); "
            "target >= 5,000: met") in text
    assert "jobs=1: 3,000 items/s (runs 3,000; 3,000 items per CPU-second)" in text
    assert "load average 1.5 -> 2.2" in text
    assert "parent + 2 x worker = 830 MiB; target < 1 GiB: met" in text
    assert "notebook run, 32 cases" in text and "150.0 s" in text


def test_format_results_without_the_corpus_part() -> None:
    res = BenchResults(cpus=1, cases=7, runner=[CliRun(10.0)], papermill=[20.0],
                       nochange=[CliRun(1.0)])
    text = format_results(res)
    assert "speed-up 2.0x" in text and "(c)" not in text and "(d)" not in text


def test_one_item_change_skips_overruled_items_and_appends_a_quoted_row(tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text("item_id,domains,overridden\n"
                     "b-01,ftz,domains;instruments\n"
                     "b-02,other,\n", encoding="utf-8")
    row = one_item_change(items)
    assert row == ("b-02", "domains", "industrial")
    review = tmp_path / "review.csv"
    review.write_text("item_id,field,value,reason\nb-01,domains,ftz,x", encoding="utf-8")
    append_review_row(review, row, "a reason, with a comma")
    rows = list(csv.reader(review.open(encoding="utf-8")))
    assert rows[-1] == ["b-02", "domains", "industrial", "a reason, with a comma"]
    assert len(rows) == 3
    items.write_text("item_id,domains,overridden\nb-01,ftz,domains\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already overruled"):
        one_item_change(items)


def test_copy_project_takes_the_inputs_only(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "proj", ROOT, raw=False)
    assert (root / "data" / "codebook.yml").is_file()
    assert (root / "notebooks" / "region.ipynb").is_file()
    assert (root / "constraints.txt").is_file()
    assert list((root / "data" / "raw").iterdir()) == []
    assert not (root / "data" / "processed").exists()
    assert (root / "book" / "intro.md").is_file() and not (root / "book" / "_generated").exists()


def test_scale_table_reads_the_report_output_and_judges_the_targets() -> None:
    from devtools.scale import ScaleRun, _book_times, format_scale

    run = ScaleRun(120, items=2880, seconds={"data": 20.0, "notebooks": 150.0, "book": 100.0},
                   peak_mib={"data": 300.0, "notebooks": 900.0, "book": 1200.0})
    _book_times(run, "  HTML:      _build/html/index.html (built in 61.5 s)\n"
                     "  PDF:       _build/pdf/book.pdf (88 pages, built in 30.2 s)\n")
    assert run.seconds["html"] == 61.5 and run.seconds["pdf"] == 30.2 and run.pages == 88
    slow = ScaleRun(1000, items=24000, seconds={"data": 100.0, "notebooks": 700.0,
                                                "book": 200.0}, peak_mib={"data": 1.0})
    table = format_scale([run, slow, ScaleRun(12, error="report failed (exit 1)")])
    assert "< 300 s and < 2048 MiB: met" in table  # 270 s, 1200 MiB
    assert "HTML < 900 s: MISSED" in table  # 1000 s
    assert "12 failed: report failed (exit 1)" in table


def test_format_report_prints_cold_no_change_chapter_and_runner_side_by_side() -> None:
    from devtools.bench import ReportBench, book_steps, format_report

    cold_out = ("  HTML:      _build/html/index.html (built in 30.2 s)\n"
                "  PDF:       _build/pdf/book.pdf (173 pages, built in 90.5 s)\n")
    same = ("  HTML:      _build/html/index.html (up to date, not rebuilt)\n"
            "  PDF:       _build/pdf/book.pdf (173 pages, up to date, not rebuilt)\n")
    assert book_steps(cold_out) == "HTML built in 30.2 s, PDF built in 90.5 s"
    assert book_steps("") == "no book built"
    rep = ReportBench(code="/x @ abc", cold=CliRun(200.0, stdout=cold_out),
                      nochange=[CliRun(1.0, stdout=same), CliRun(3.0, stdout=same)],
                      chapter=CliRun(60.0, stdout=cold_out), runner=[5.0, 7.0],
                      papermill=[36.0], cases=8)
    lines = format_report(rep)
    assert lines[0] == ("(e) whole report (python -m analysis report, HTML and PDF; code "
                        "/x @ abc)")
    assert lines[1] == "    cold: 200.0 s (HTML built in 30.2 s, PDF built in 90.5 s)"
    assert lines[2] == ("    nothing changed: 2.0 s (median; runs 1.0, 3.0 s) (HTML up to "
                        "date, not rebuilt, PDF up to date, not rebuilt); 1.0% of cold; "
                        "target < 5%: met")
    assert "book/methods.md): 60.0 s (HTML built in 30.2 s" in lines[3]
    assert lines[4].endswith("speed-up 6.0x; target >= 5x: met")
    assert format_report(ReportBench()) == []
