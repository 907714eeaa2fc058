"""Helpers of the report tests (no tests here): a copy of the project's inputs in a temporary
BULLETIN_ROOT, the report command run in it, and the built HTML pages read back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT, make_project

REPO = ROOT


def copy_project(root: Path, *, raw: bool = True) -> Path:
    """A project in ``root`` (see :func:`conftest.make_project`); ``raw=False`` leaves
    ``data/raw/`` empty (the caller writes its own bulletins)."""
    return make_project(root, raw=raw)


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
