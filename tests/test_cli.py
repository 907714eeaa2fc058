"""The command line as a user runs it: real subprocesses, real files."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SEED, make_project
from support.synthetic import bulletin_text


def run(*args, root=None, cwd=None):
    env = dict(os.environ)
    if root is not None:
        env["BULLETIN_ROOT"] = str(root)
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd or ROOT)


@pytest.fixture
def project(tmp_path):
    """A copy of the project to break things in."""
    return make_project(tmp_path / "proj")


def test_help_lists_commands():
    out = run("--help")
    assert out.returncode == 0
    for name in ("items", "figures", "build", "agreement"):
        assert name in out.stdout


def test_items_csv_for_seed(tmp_path):
    out = tmp_path / "items.csv"
    res = run("items", SEED, "--out", out)
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df.columns[:9]) == ["item_id", "bulletin_id", "issue_date", "seq", "section",
                                    "title", "page_start", "page_end", "start"]
    assert {"provinces", "cities", "domains", "is_national_first"} <= set(df.columns)
    assert len(df) == 24 and df["is_national_first"].isin([0, 1]).all()
    assert df.loc[9, "provinces"] == "江苏" and df.loc[9, "cities"] == "苏州"


def test_figures_csv_to_stdout_for_unseen_bulletin(tmp_path):
    path = tmp_path / "other-issue.txt"
    path.write_bytes(bulletin_text(eol="\r\n").encode("gb18030"))
    res = run("figures", path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("figure_id,item_id,bulletin_id,kind,value,unit,comparator,low,high,"
                               "target_year")
    assert any("最高 500 万元" in line and ",5000000.0," in line for line in lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "file not found"), (b"", "file is empty"), (b"\x00\x01\x02binary", "binary file"),
     ("只有一句话。\n\n又一句话。\n".encode(), "no recognisable bulletin items")],
)
def test_bad_bulletins(tmp_path, content, message):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.csv"
    res = run("items", path, "--out", out)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and message in res.stderr and str(path) in res.stderr
    assert not out.exists()


def test_failure_keeps_existing_output(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert run("items", empty, "--out", out).returncode == 2
    assert out.read_text() == "precious\n"


def test_broken_codebook(project, tmp_path):
    cb = project / "data" / "codebook.yml"
    cb.write_text(cb.read_text(encoding="utf-8").replace('code: "320000"', 'code: "3200"', 1),
                  encoding="utf-8")
    res = run("items", SEED, "--out", tmp_path / "o.csv", root=project)
    assert res.returncode == 2
    assert "codebook.yml" in res.stderr and "provinces[9].code" in res.stderr
    assert res.stderr.count("\n") == 1 and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [("bulletin-2020-09-99,domains,ftz,why", "unknown item 'bulletin-2020-09-99'"),
     ("bulletin-2020-09-01,colour,red,why", "unknown field 'colour'"),
     ("bulletin-2020-09-01,domains,space,why", "invalid value 'space'"),
     ("bulletin-2020-09-01,domains,ftz,", "reason is empty")],
)
def test_bad_review_rows(project, tmp_path, row, message):
    review = project / "data" / "review.csv"
    review.write_text(review.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    res = run("items", SEED, "--out", tmp_path / "o.csv", root=project)
    assert res.returncode == 2, res.stdout
    assert message in res.stderr and "review.csv:" in res.stderr
    assert res.stderr.count("\n") == 1


def test_review_rows_for_other_bulletins_are_ignored(project, tmp_path):
    review = project / "data" / "review.csv"
    review.write_text(review.read_text(encoding="utf-8") + "other-99,domains,ftz,why\n",
                      encoding="utf-8")
    path = tmp_path / "synthetic.txt"
    path.write_text(bulletin_text(), encoding="utf-8")
    assert run("items", path, root=project).returncode == 0


def test_build_writes_processed_tables(project):
    res = run("build", root=project)
    assert res.returncode == 0, res.stderr
    items = pd.read_csv(project / "data" / "processed" / "items.csv")
    assert len(items) == 24


def test_review_queue_writes_rows_to_paste(project):
    out = project / "queue.csv"
    res = run("review-queue", "--limit", "6", "--out", out, root=project)
    assert res.returncode == 0, res.stderr
    rows = pd.read_csv(out, keep_default_na=False)
    assert list(rows.columns) == ["item_id", "field", "value", "reason"] and len(rows) == 6
    assert rows["reason"].str.startswith("CHECK (confidence ").all()
    assert run("review-queue", "--limit", "0", root=project).returncode == 2


def test_agreement_prints_every_field():
    res = run("agreement")
    assert res.returncode == 0, res.stderr
    for field in ("provinces", "domains", "instruments", "is_national_first", "issuing_level"):
        assert field in res.stdout
