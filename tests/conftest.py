"""Shared fixtures and the test session's project.

Before any module of the package is imported, ``BULLETIN_ROOT`` is pointed at a temporary copy
of the project whose ``data/raw/`` holds the fixture copy of the real bulletin (and whose
review file is the fixture review), so no test reads what happens to be in the checkout's
``data/raw/`` and none writes into the checkout. Tests that build or change a project make
their own copy with :func:`make_project`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from devtools.project import copy_project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: The fixture copy of the real bulletin (September 2020, 24 items) and its reviewed coding.
SEED = FIXTURES / "raw" / "bulletin-2020-09.txt"
REVIEW = FIXTURES / "review.csv"


def make_project(dest: Path, *, raw: bool | Path = True) -> Path:
    """A project in ``dest``: this checkout's codebook, weights, templates and book sources,
    the fixture bulletin (``raw=True``), no bulletin (``False``) or those of a folder, and
    the fixture review file."""
    return copy_project(dest, ROOT, raw=FIXTURES / "raw" if raw is True else raw,
                        review=REVIEW)


def build_data(root: Path) -> Path:
    """``python -m analysis build`` in the project ``root``; returns ``root``."""
    env = {**os.environ, "BULLETIN_ROOT": str(root)}
    res = subprocess.run([sys.executable, "-m", "analysis", "build"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return root


_SESSION = Path(tempfile.mkdtemp(prefix="bulletin-tests-"))
atexit.register(shutil.rmtree, _SESSION, True)
#: The project the in-process tests see (``analysis.common.paths`` points here).
PROJECT = make_project(_SESSION / "project")
os.environ["BULLETIN_ROOT"] = str(PROJECT)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with its data built (shared by the tests that only read it)."""
    return build_data(make_project(tmp_path_factory.mktemp("built") / "project"))


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory):
    """``python -m analysis report`` (HTML and PDF) run once in a project copy, shared by the
    slow tests that read the built book."""
    from support.report import run_report

    run = run_report(make_project(tmp_path_factory.mktemp("report") / "project"))
    assert run.returncode == 0, run.stdout + run.stderr
    return run
