"""Adding a bulletin, checking how it was read, sidecars validated on every build, and text
that belongs nowhere stopping the build until it is fixed or accepted (real subprocesses)."""

from __future__ import annotations

import hashlib
import shutil

import pytest
import yaml
from test_cli import run

from analysis.common.errors import InputError
from analysis.dataset.sidecar import validate_sidecar

from conftest import SEED, make_project
from support.layouts import LAYOUTS

SYN = LAYOUTS / "syn-D3.txt"  # SYNTHETIC test bulletin (6 items, no pages)
GOOD = {"sha256": "0" * 64, "issue_date": "2020-10", "reviewed": False}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj")


def test_add_copies_writes_sidecar_and_build_reads_it(project):
    res = run("add", SYN, "--issue-date", "2024-02", "--id", "syn-d3", root=project)
    assert res.returncode == 0, res.stderr
    raw = project / "data" / "raw"
    assert (raw / "syn-d3.txt").read_bytes() == SYN.read_bytes()
    meta = yaml.safe_load((raw / "syn-d3.meta.yml").read_text(encoding="utf-8"))
    assert meta["sha256"] == hashlib.sha256(SYN.read_bytes()).hexdigest()
    assert meta["reviewed"] is False and meta["issue_date"] == "2024-02"
    assert "6 items, no page marks, 0 characters unassigned" in res.stdout
    again = run("add", SYN, "--issue-date", "2024-02", "--id", "other", root=project)
    assert again.returncode == 2 and "already added" in again.stderr
    built = run("build", root=project)
    assert built.returncode == 0, built.stderr
    assert "syn-d3.txt: 6 items, no page marks, 0 characters unassigned" in built.stdout
    assert "bulletin-2020-09.txt: 24 items, 21 pages, 0 characters unassigned" in built.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--issue-date", "2020-13"], "expected a month as YYYY-MM"),
    (["--issue-date", "2020-10", "--id", "a b"], "cannot be an item id"),
    (["--issue-date", "2020-10", "--id", "bulletin-2020-09"], "is taken"),
])
def test_add_refuses_bad_input_and_writes_nothing(project, args, message):
    before = sorted(p.name for p in (project / "data" / "raw").iterdir())
    res = run("add", SYN, *args, root=project)
    assert res.returncode == 2 and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == before


def test_raw_file_without_sidecar_names_the_add_command(project):
    shutil.copy(SYN, project / "data" / "raw" / "stray.txt")
    res = run("build", root=project)
    assert res.returncode == 2
    assert "stray.txt: no sidecar" in res.stderr and "python -m analysis add" in res.stderr


def test_changed_raw_file_fails_with_both_hashes(project):
    raw = project / "data" / "raw" / "bulletin-2020-09.txt"
    raw.write_bytes(raw.read_bytes() + "补一行。\n".encode())
    res = run("build", root=project)
    assert res.returncode == 2
    new = hashlib.sha256(raw.read_bytes()).hexdigest()
    assert "bulletin-2020-09.meta.yml: sha256 e5fac9f2" in res.stderr and new in res.stderr


@pytest.mark.parametrize(("change", "message"), [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"issue_date": "2020-9"}, "expected a month as YYYY-MM"),
    ({"issue_date": "2020-00"}, "expected a month"),
    ({"reviewed": "yes"}, "reviewed: expected true or false"),
    ({"synthetic": 1}, "synthetic: expected true or false"),
    ({"bulletin_id": "x/y"}, "cannot be an item id or citation key"),
    ({"sha256": "abc"}, "sha256: expected 64"),
    ({"accept_unassigned": ["x"]}, "accept_unassigned: expected"),
])
def test_sidecar_validation(change, message):
    with pytest.raises(InputError, match=message):
        validate_sidecar({**GOOD, **change}, "x.meta.yml")
    missing = dict(GOOD)
    del missing["reviewed"]
    with pytest.raises(InputError, match="missing key 'reviewed'"):
        validate_sidecar(missing, "x.meta.yml")
    assert validate_sidecar({**GOOD, "synthetic": True, "accept_unassigned": 3}, "x") is not None


def test_unassigned_text_stops_the_build_until_accepted(project, tmp_path):
    text = SYN.read_text(encoding="utf-8").replace(
        "（来源：中国海洋报）\n", "（来源：中国海洋报）\n\n本条目到此为止\n\n")  # no body follows
    odd = tmp_path / "odd.txt"
    odd.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    number = lines.index("本条目到此为止") + 1
    added = run("add", odd, "--issue-date", "2024-02", root=project)
    assert added.returncode == 1 and f"lines [{number}]" in added.stderr
    assert "7 characters unassigned" in added.stdout
    built = run("build", root=project)
    assert built.returncode == 2
    assert f"7 characters unassigned on lines {number} (first: '本条目到此为止')" in built.stderr
    items = run("items", project / "data" / "raw" / "odd.txt", "--out", tmp_path / "i.csv")
    assert items.returncode == 1 and (tmp_path / "i.csv").is_file()
    sidecar = project / "data" / "raw" / "odd.meta.yml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8")
                       + f"accept_unassigned: [{number}]\n", encoding="utf-8")
    built = run("build", root=project)
    assert built.returncode == 0, built.stderr
    assert "odd.txt: 6 items, no page marks, 7 characters unassigned" in built.stdout


def test_check_prints_the_segmentation_and_writes_html(tmp_path):
    res = run("check", SEED)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].endswith("paragraphs by trailing space")
    assert "[科创聚焦]" in lines
    assert "  1. 上海实施全国首个专利知识产权储架资产证券化项目 [p.1]" in lines
    assert lines[-1] == "24 items, 21 pages, 0 characters unassigned"
    page = tmp_path / "check.html"
    res = run("check", LAYOUTS / "syn-B1.txt", "--html", page)
    assert res.returncode == 0, res.stderr
    html = page.read_text(encoding="utf-8")
    assert "<h2>经济热点</h2>" in html and "(running head): 经济信息参考" in html
    assert "10 items, 4 pages, 0 characters unassigned" in res.stdout


def test_check_of_no_bulletin_says_what_was_expected(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("这是一段没有标题的文字。\n又一句话。\n", encoding="utf-8")
    res = run("check", plain)
    assert res.returncode == 2
    assert "expected titles (short lines without end punctuation)" in res.stderr
