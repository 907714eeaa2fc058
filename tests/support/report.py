"""Helpers of the report tests (no tests here): a copy of the project's inputs in a temporary
BULLETIN_ROOT, the report command run in it, and the built HTML pages read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]


def copy_project(root: Path, *, raw: bool = True) -> Path:
    """Copy what the report reads (data inputs, templates, book config and pages) to ``root``;
    ``raw=False`` leaves ``data/raw/`` empty (the caller writes its own bulletins)."""
    (root / "data" / "raw").mkdir(parents=True)
    if raw:
        shutil.copytree(REPO / "data" / "raw", root / "data" / "raw", dirs_exist_ok=True)
    for name in ("codebook.yml", "review.csv", "index_weights.yml"):
        shutil.copy(REPO / "data" / name, root / "data" / name)
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    for name in ("_config.yml", "_toc.yml", "constraints.txt"):
        shutil.copy(REPO / name, root / name)
    (root / "book").mkdir()
    for page in (REPO / "book").glob("*.md"):
        shutil.copy(page, root / "book" / page.name)
    shutil.copytree(REPO / "book" / "_static", root / "book" / "_static",
                    ignore=shutil.ignore_patterns("fonts"))
    return root


@dataclass
class Run:
    """One ``python -m analysis report`` run."""

    root: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"


def run_report(root: Path, *args: str, jobs: int = 2, timeout: float = 600) -> Run:
    """``python -m analysis report --jobs JOBS ARGS`` with ``BULLETIN_ROOT=root``."""
    env = {**os.environ, "BULLETIN_ROOT": str(root)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis", "report", "--jobs", str(jobs), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    return Run(root, proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start)


def article(page: Path) -> BeautifulSoup:
    """The ``<article>`` of a built HTML page."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = soup.find("article")
    assert found is not None, page
    return found
