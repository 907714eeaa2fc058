"""What decides that the book is up to date: tree digests, the state file, the report's no-change
check, and that a failed or interrupted build never leaves a claim of being current."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from analysis import report
from analysis.book import build
from analysis.book.toc import expand
from analysis.common import paths
from analysis.common.digest import tree_files, tree_hash


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_tree_digest_sees_edits_renames_and_removals_but_not_caches(tmp_path: Path) -> None:
    root = tree(tmp_path, {"book/a.md": "A", "book/sub/b.md": "B", "book/_static/fonts/f.ttf": "F",
                           "book/__pycache__/x.pyc": "X", "book/.hidden": "H", "conf.yml": "C"})
    files = tree_files(root, ["book", "conf.yml", "missing.yml"], ["book/_static/fonts"])
    assert [f.relative_to(root).as_posix() for f in files] == [
        "book/a.md", "book/sub/b.md", "conf.yml"]
    first = tree_hash(root, files)
    (root / "book/_static/fonts/f.ttf").write_text("other", encoding="utf-8")
    (root / "book/__pycache__/x.pyc").write_text("other", encoding="utf-8")
    assert tree_hash(root, tree_files(root, ["book", "conf.yml"], ["book/_static/fonts"])) == first
    (root / "book/sub/b.md").rename(root / "book/sub/c.md")
    renamed = tree_hash(root, tree_files(root, ["book", "conf.yml"], ["book/_static/fonts"]))
    assert renamed != first
    (root / "book/sub/c.md").unlink()
    assert tree_hash(root, tree_files(root, ["book", "conf.yml"])) not in (first, renamed)


def test_state_claims_current_only_for_the_same_digest_and_an_existing_output(tmp_path):
    root = tmp_path
    assert build.read_state(root) == {} and not build.is_current(root, "html", "d1")
    build.remember(root, "html", "d1")
    assert not build.is_current(root, "html", "d1")  # no index.html yet
    tree(root, {"_build/html/index.html": "<html>"})
    assert build.is_current(root, "html", "d1") and not build.is_current(root, "html", "d2")
    build.remember(root, "report", "r1", cases=3)
    build.forget(root, "html")
    assert not build.is_current(root, "html", "d1")
    assert build.read_state(root)["report"] == {"digest": "r1", "cases": 3}
    (root / build.STATE_FILE).write_text("{broken", encoding="utf-8")
    assert build.read_state(root) == {}


def test_book_digest_follows_the_generated_pages_and_config(tmp_path: Path) -> None:
    root = tree(tmp_path, {"_config.yml": "title: x\n", "_toc.yml": "root: book/intro\n",
                           "book/intro.md": "# Intro\n", "book/_generated/regions/a.ipynb": "{}"})
    first = build.book_digest(root)
    assert build.book_digest(root) == first
    tree(root, {"book/_generated/regions/a.ipynb": '{"cells": []}'})
    second = build.book_digest(root)
    assert second != first
    tree(root, {"_config.yml": "title: y\n"})
    assert build.book_digest(root) not in (first, second)


def test_failed_build_drops_the_sphinx_environment(tmp_path: Path) -> None:
    root = tree(tmp_path, {"_build/.doctrees/environment.pickle": "old"})
    with pytest.raises(build.BookBuildError):
        build.run_jupyter_book(root, "html", fresh=False, toc=root / "missing-toc.yml")
    assert not (root / "_build" / ".doctrees").exists()


def test_empty_generated_part_is_left_out(tmp_path: Path) -> None:
    tree(tmp_path, {"book/methods.md": "# M\n"})
    skeleton = {"parts": [
        {"caption": "Report", "chapters": [{"file": "book/methods"}]},
        {"caption": "Scenarios", "chapters": [{"glob": "book/_generated/scenarios/*"}]}]}
    assert expand(skeleton, [], tmp_path)["parts"] == [skeleton["parts"][0]]
    found = expand(skeleton, ["book/_generated/scenarios/a"], tmp_path)["parts"][1]
    assert found == {"caption": "Scenarios", "chapters": [{"file": "book/_generated/scenarios/a"}]}


def test_report_with_nothing_changed_does_nothing(monkeypatch) -> None:
    root = paths.ROOT
    build.remember(root, "report", report.report_digest(root, True), cases=8, pages=12,
                   agreement="field  items\nprovinces  24", finished="2026-12-02 01:00 UTC")
    monkeypatch.setattr(report, "_build", lambda **kw: pytest.fail("rebuilt"))
    out = io.StringIO()
    result = report.build_report(pdf=False, out=out)  # a report with the PDF covers one without
    text = out.getvalue()
    assert result.up_to_date and result.returncode == 0 and result.executed == 0
    assert text.startswith("everything is up to date: no input changed since the last report "
                           "(2026-12-02 01:00 UTC)")
    assert "notebooks: 8 cases, 0 executed, 8 cached, 0 failed" in text
    assert "HTML:      _build/html/index.html (up to date, not rebuilt)" in text
    assert "PDF:" not in text and "provinces  24" in text
    # One changed input: the check fails and the claim is withdrawn before anything is built.
    tree(root, {"book/extra.md": "# New page\n"})
    monkeypatch.setattr(report, "_build", _interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.build_report(pdf=True, out=io.StringIO())
    assert "report" not in build.read_state(root)
    (root / "book" / "extra.md").unlink()


def _interrupted(**kwargs: object) -> report.ReportResult:
    raise KeyboardInterrupt


def test_pages_quoting_a_newer_notebook_are_marked_changed(tmp_path: Path) -> None:
    import os

    root = tree(tmp_path, {
        "book/_generated/include/findings.md": "- {glue:text}`_generated/cmp.ipynb::k:s`\n",
        "book/other.md": "No glue here.\n", "book/_generated/cmp.ipynb": "{}"})
    old = 1_000_000_000
    for rel in ("book/_generated/include/findings.md", "book/other.md"):
        os.utime(root / rel, (old, old))
    os.utime(root / "book/_generated/cmp.ipynb", (old - 10, old - 10))
    assert build.touch_glue_dependents(root) == []
    os.utime(root / "book/_generated/cmp.ipynb", (old + 10, old + 10))
    assert build.touch_glue_dependents(root) == [root / "book/_generated/include/findings.md"]
    assert (root / "book/_generated/include/findings.md").stat().st_mtime > old + 10
    assert (root / "book/other.md").stat().st_mtime == old
