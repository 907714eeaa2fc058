"""Build the Jupyter Book (HTML) strictly: ``jupyter-book build <root> -W --builder html``.

Before Sphinx runs, :func:`prepare` copies the Chinese font bundled with zhplot into
``book/_static/fonts/`` (a build artifact: gitignore ``book/_static/fonts/``) and makes sure the
generated bibliography ``book/_generated/references.bib`` exists, writing it from an items frame
when one is given and a placeholder otherwise (sphinxcontrib-bibtex fails on a missing file).

The PDF is built from the same sources by :mod:`analysis.book.pdf`; ``python -m analysis report``
runs both.

What is up to date is recorded in ``_build/book-state.json``: per output (``html``, ``pdf``,
``report``) the digest of the inputs it was last built from (:func:`book_digest`: the book
sources and generated pages under ``book/``, ``_config.yml``, ``_toc.yml``, the pinned
dependencies and the code of the book builder and its Sphinx extensions). An entry is removed
before its output is rebuilt and written only after the build succeeded, so a failed or
interrupted build never leaves a claim that its output is current. Sphinx keeps its environment
(``_build/.doctrees``) between builds, so an HTML build re-reads only changed pages; a failed or
interrupted build deletes that environment, so the next build re-reads every page and reports
every warning again (an incremental build reports only those of the pages it reads). Sphinx does
not know that a page quoting another page's glue values (``{glue:text}`nb.ipynb::key```)
depends on that notebook, so before an incremental build :func:`touch_glue_dependents` marks
such a page changed when the notebook it quotes is newer.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.common.atomic import write_bytes, write_text
from analysis.common.digest import modules_hash, tree_files, tree_hash
from analysis.common.fonts import FONT_FILE, font_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PLACEHOLDER_BIB",
    "BookBuildError",
    "book_digest",
    "build_html",
    "bundled_font",
    "ensure_references",
    "forget",
    "install_font",
    "is_current",
    "prepare",
    "read_state",
    "record_time",
    "remember",
    "run_jupyter_book",
    "settle_outputs",
    "sync_static",
    "touch_glue_dependents",
]

STATIC_DIR = Path("book/_static")
FONT_DIR = STATIC_DIR / "fonts"
REFERENCES = Path("book/_generated/references.bib")
#: One BibTeX file per issue, written by the report: each issue's references page names its
#: own file, so sphinxcontrib-bibtex makes nodes for that issue's entries only (for every
#: configured entry otherwise: the same ids twice on a page of several issues, and pages x
#: entries nodes). When any exists, they replace ``REFERENCES`` in ``bibtex_bibfiles``.
ISSUE_BIBS = Path("book/_generated/bib")


def issue_bibfile(bulletin_id: str) -> Path:
    """The BibTeX file of one issue (relative to the project root)."""
    return ISSUE_BIBS / f"{bulletin_id}.bib"
TIMES_FILE = Path("_build/build-times.json")
STATE_FILE = Path("_build/book-state.json")
DOCTREES = Path("_build/.doctrees")
#: What the HTML and PDF are built from, relative to the project root (fonts are copied in
#: from the pinned zhplot package, so ``constraints.txt`` stands for them).
BOOK_SOURCES = ("book", "_config.yml", "_toc.yml", "constraints.txt")
BOOK_EXCLUDE = ("book/_static/fonts",)
#: The builders and Sphinx extensions: their import closure is the book's code.
BOOK_CODE = ("analysis.book", "analysis.book.citestyle", "analysis.book.build",
             "analysis.book.pdf")
OUTPUTS = {"html": Path("_build/html/index.html"), "pdf": Path("_build/pdf/book.pdf")}
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
        from analysis.book.bibtex import write_bibtex

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


def book_digest(root: Path | str) -> str:
    """Digest of everything the HTML and PDF are built from (see the module doc)."""
    root = Path(root).resolve()
    files = tree_files(root, BOOK_SOURCES, BOOK_EXCLUDE)
    return tree_hash(root, files, (modules_hash(BOOK_CODE),))


def read_state(root: Path | str) -> dict[str, Any]:
    """``_build/book-state.json`` (empty when missing or unreadable)."""
    try:
        state = json.loads((Path(root) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def is_current(root: Path | str, output: str, digest: str) -> bool:
    """True when ``output`` was last built from inputs with ``digest`` and its file exists."""
    entry = read_state(root).get(output)
    stored = entry.get("digest") if isinstance(entry, dict) else None
    target = OUTPUTS.get(output)
    return stored == digest and (target is None or (Path(root) / target).is_file())


def _write_state(root: Path | str, state: dict[str, Any]) -> None:
    write_text(Path(root) / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n")


def forget(root: Path | str, *outputs: str) -> None:
    """Drop the entries of ``outputs`` (before rebuilding them)."""
    state = read_state(root)
    if any(o in state for o in outputs):
        _write_state(root, {k: v for k, v in state.items() if k not in outputs})


def remember(root: Path | str, output: str, digest: str, **extra: Any) -> None:
    """Record that ``output`` is built from inputs with ``digest`` (after a successful build)."""
    state = read_state(root)
    state[output] = {"digest": digest, **extra}
    _write_state(root, state)


def drop_environment(root: Path | str) -> None:
    """Delete Sphinx's saved environment: the next build reads every page again."""
    shutil.rmtree(Path(root) / DOCTREES, ignore_errors=True)


_GLUE_REF = re.compile(r"\{glue(?::\w+)?\}`([^`:]+\.ipynb)::")


def touch_glue_dependents(root: Path | str) -> list[Path]:
    """Touch every Markdown page under ``book/`` that quotes glue values of a notebook newer
    than itself (the path is tried relative to the page and to each folder above it, up to the
    root, as an included fragment resolves against its including page); return them."""
    root = Path(root).resolve()
    touched = []
    for page in sorted((root / "book").rglob("*.md")):
        refs = set(_GLUE_REF.findall(page.read_text(encoding="utf-8", errors="replace")))
        if not refs:
            continue
        mtime = page.stat().st_mtime
        folders = [page.parent, *(p for p in page.parents if p.is_relative_to(root))]
        for ref in refs:
            found = next((f / ref for f in folders if (f / ref).is_file()), None)
            if found is not None and found.stat().st_mtime > mtime:
                os.utime(page)
                touched.append(page)
                break
    return touched


def settle_outputs(root: Path | str) -> None:
    """Date myst-nb's extracted outputs (``_build/jupyter_execute``) back to the epoch.

    myst-nb writes a notebook's images there while Sphinx reads the page, after the moment
    Sphinx records as the page's reading time, and Sphinx notes them as the page's
    dependencies: left as they are, every notebook page looks changed on the next incremental
    build. Their names are content hashes and they are rewritten whenever their notebook is
    read again, so an old date loses nothing."""
    folder = Path(root) / "_build" / "jupyter_execute"
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file():
            os.utime(path, (1, 1))


#: Seconds a Sphinx build may take before it is stopped: a guard against a hung build, far
#: above any real one (a book of 1,000 issues takes tens of minutes on two cores).
BUILD_TIMEOUT = 4 * 3600


def run_jupyter_book(root: Path | str, builder: str, *, fresh: bool = True,
                     toc: Path | str | None = None) -> float:
    """Run ``jupyter-book build ROOT -W --builder BUILDER`` with parallel Sphinx
    (:mod:`analysis.book.jbcli`); return seconds taken.

    ``fresh`` adds ``--all`` so every page is re-read and every warning is seen again (an
    incremental build only reports warnings of changed pages). ``toc``: a table of contents
    other than ``ROOT/_toc.yml`` (the report's generated one). The full output is kept in
    ``_build/logs/<builder>.log``; on failure :class:`BookBuildError` carries its tail.
    """
    root = Path(root).resolve()
    command = [sys.executable, "-m", "analysis.book.jbcli", "build", str(root), "-W",
               "--builder", builder]
    if toc is not None:
        command += ["--toc", str(Path(toc).resolve())]
    if fresh:
        command.append("--all")
    # The book's Sphinx extensions live in this package: make it importable for any root.
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    start = time.perf_counter()
    try:
        result = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, check=False,
            timeout=BUILD_TIMEOUT
        )
    except BaseException:  # interrupted or timed out: the saved environment may be partial
        drop_environment(root)
        raise
    seconds = time.perf_counter() - start
    output = result.stdout + result.stderr
    write_text(root / "_build" / "logs" / f"{builder}.log", output)
    if result.returncode != 0:
        drop_environment(root)
        raise BookBuildError(
            f"jupyter-book build --builder {builder} failed (exit {result.returncode}); "
            f"full log in _build/logs/{builder}.log:\n{_failure_summary(output)}"
        )
    settle_outputs(root)
    return seconds


def _failure_summary(output: str) -> str:
    """The warning/error lines of a failed build, else the last lines of its output."""
    lines = [_ANSI.sub("", line) for line in output.strip().splitlines()]
    causes = [line for line in lines if _CAUSE.search(line)]
    return "\n".join(causes[:20] or lines[-30:])


def sync_static(root: Path) -> list[str]:
    """Copy every file of ``book/_static`` that differs into ``_build/html/_static``; return
    them. Sphinx copies static files only when it writes a page: after an edit to a style
    sheet alone it reports "no targets are out of date" and leaves the old copy in place."""
    source, target = root / STATIC_DIR, root / "_build" / "html" / "_static"
    copied = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        dest = target / path.relative_to(source)
        if not dest.is_file() or not filecmp.cmp(path, dest, shallow=False):
            write_bytes(dest, path.read_bytes())
            copied.append(path.relative_to(source).as_posix())
    return copied


def build_html(root: Path | str, *, items: pd.DataFrame | None = None, fresh: bool = True,
               toc: Path | str | None = None) -> Path:
    """Build the HTML book under ``<root>/_build/html`` with warnings as errors.

    Returns the path of ``_build/html/index.html``; the time taken is recorded as
    ``html_seconds`` in ``_build/build-times.json``. ``toc``: see :func:`run_jupyter_book`.
    """
    root = Path(root).resolve()
    prepare(root, items)
    if not fresh:
        touch_glue_dependents(root)
    seconds = run_jupyter_book(root, "html", fresh=fresh, toc=toc)
    sync_static(root)
    record_time(root, "html_seconds", seconds)
    index = root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise BookBuildError(f"build finished but {index} is missing")
    return index
