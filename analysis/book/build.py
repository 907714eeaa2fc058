"""Build the Jupyter Book (HTML) strictly: ``jupyter-book build <root> -W --builder html``.

Before Sphinx runs, :func:`prepare` copies the Chinese font bundled with zhplot into
``book/_static/fonts/`` (a build artifact: gitignore ``book/_static/fonts/``) and makes sure the
generated bibliography ``book/_generated/references.bib`` exists, writing it from an items frame
when one is given and a placeholder otherwise (sphinxcontrib-bibtex fails on a missing file).

The PDF is built from the same sources by :mod:`analysis.book.pdf`; ``python -m analysis report``
runs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from analysis.book.bibtex import write_bibtex
from analysis.common.atomic import write_text
from analysis.common.fonts import FONT_FILE, font_path

__all__ = [
    "PLACEHOLDER_BIB",
    "BookBuildError",
    "build_html",
    "bundled_font",
    "ensure_references",
    "install_font",
    "prepare",
    "record_time",
    "run_jupyter_book",
]

FONT_DIR = Path("book/_static/fonts")
REFERENCES = Path("book/_generated/references.bib")
TIMES_FILE = Path("_build/build-times.json")
PLACEHOLDER_BIB = (
    "% Placeholder written by analysis.book.build: no bulletin items yet.\n"
    "% The report build replaces it with one entry per row of items.csv.\n"
)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CAUSE = re.compile(r"WARNING:|ERROR:|SphinxWarning|treated as error|Exception occurred|Error:")


class BookBuildError(RuntimeError):
    """A Jupyter Book build failed; the message ends with the tail of its output."""


def bundled_font() -> Path:
    """Path of the NotoSansSC TTF shipped inside the zhplot package."""
    try:
        return font_path()
    except FileNotFoundError as err:
        raise BookBuildError(str(err)) from None


def _copy_if_changed(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically unless a copy of the same size exists."""
    if target.is_file() and target.stat().st_size == source.stat().st_size:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def install_font(root: Path | str) -> Path:
    """Copy the bundled TTF (and its OFL licence) into ``<root>/book/_static/fonts/``."""
    source = bundled_font()
    target = Path(root) / FONT_DIR / FONT_FILE
    _copy_if_changed(source, target)
    licence = source.with_name("OFL.txt")
    if licence.is_file():
        _copy_if_changed(licence, target.with_name("OFL.txt"))
    return target


def ensure_references(root: Path | str, items: pd.DataFrame | None = None) -> Path:
    """Write ``references.bib`` from ``items``; without items, only create a placeholder."""
    path = Path(root) / REFERENCES
    if items is not None:
        write_bibtex(items, path)
    elif not path.is_file():
        write_text(path, PLACEHOLDER_BIB)
    return path


def prepare(root: Path | str, items: pd.DataFrame | None = None) -> None:
    """Everything the Sphinx build needs besides the sources: font copy and bibliography."""
    install_font(root)
    ensure_references(root, items)


def record_time(root: Path | str, key: str, seconds: float) -> None:
    """Store a measured duration under ``key`` in ``<root>/_build/build-times.json``."""
    path = Path(root) / TIMES_FILE
    try:
        times = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        times = {}
    times[key] = round(seconds, 2)
    write_text(path, json.dumps(times, indent=2, sort_keys=True) + "\n")


def _jupyter_book() -> str:
    """The ``jupyter-book`` executable of the running virtualenv."""
    candidate = Path(sys.executable).with_name("jupyter-book")
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("jupyter-book")
    if not found:
        raise BookBuildError("jupyter-book executable not found next to python or on PATH")
    return found


def run_jupyter_book(root: Path | str, builder: str, *, fresh: bool = True,
                     toc: Path | str | None = None) -> float:
    """Run ``jupyter-book build ROOT -W --builder BUILDER``; return seconds taken.

    ``fresh`` adds ``--all`` so every page is re-read and every warning is seen again (an
    incremental build only reports warnings of changed pages). ``toc``: a table of contents
    other than ``ROOT/_toc.yml`` (the report's generated one). The full output is kept in
    ``_build/logs/<builder>.log``; on failure :class:`BookBuildError` carries its tail.
    """
    root = Path(root).resolve()
    command = [_jupyter_book(), "build", str(root), "-W", "--builder", builder]
    if toc is not None:
        command += ["--toc", str(Path(toc).resolve())]
    if fresh:
        command.append("--all")
    # The book's Sphinx extensions live in this package: make it importable for any root.
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    seconds = time.perf_counter() - start
    output = result.stdout + result.stderr
    write_text(root / "_build" / "logs" / f"{builder}.log", output)
    if result.returncode != 0:
        raise BookBuildError(
            f"jupyter-book build --builder {builder} failed (exit {result.returncode}); "
            f"full log in _build/logs/{builder}.log:\n{_failure_summary(output)}"
        )
    return seconds


def _failure_summary(output: str) -> str:
    """The warning/error lines of a failed build, else the last lines of its output."""
    lines = [_ANSI.sub("", line) for line in output.strip().splitlines()]
    causes = [line for line in lines if _CAUSE.search(line)]
    return "\n".join(causes[:20] or lines[-30:])


def build_html(root: Path | str, *, items: pd.DataFrame | None = None, fresh: bool = True,
               toc: Path | str | None = None) -> Path:
    """Build the HTML book under ``<root>/_build/html`` with warnings as errors.

    Returns the path of ``_build/html/index.html``; the time taken is recorded as
    ``html_seconds`` in ``_build/build-times.json``. ``toc``: see :func:`run_jupyter_book`.
    """
    root = Path(root).resolve()
    prepare(root, items)
    seconds = run_jupyter_book(root, "html", fresh=fresh, toc=toc)
    record_time(root, "html_seconds", seconds)
    index = root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise BookBuildError(f"build finished but {index} is missing")
    return index
