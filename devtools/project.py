"""Copies of the project's inputs in a temporary folder (a ``BULLETIN_ROOT``), for the tests
and the bench: a build there never touches this checkout's ``data/``, ``book/`` or ``_build/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: The checkout this module belongs to.
CHECKOUT = Path(__file__).resolve().parent.parent
#: What a project copy needs to code the data, execute the notebooks and build the book,
#: besides the bulletins and the review file.
CONFIG = ("data/codebook.yml", "data/index_weights.yml", "data/scenarios.yml", "notebooks",
          "constraints.txt",
          "_config.yml", "_toc.yml")


def copy_project(dest: Path, source: Path | None = None, *, raw: bool | Path = True,
                 review: Path | None = None) -> Path:
    """Copy the inputs of the project at ``source`` (default: this checkout) into ``dest``.

    ``raw``: True copies ``source/data/raw``, False leaves ``data/raw/`` empty (the caller
    writes bulletins), a folder copies that folder's files instead. ``review``: the review file
    to use (default ``source/data/review.csv``). The book's hand-written pages and static files
    are copied too (not the build-time font copy). Returns ``dest``.
    """
    source = source or CHECKOUT
    (dest / "data" / "raw").mkdir(parents=True, exist_ok=True)
    for name in CONFIG:
        src, dst = source / name, dest / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dst)
    book = source / "book"
    if book.is_dir():
        (dest / "book").mkdir(exist_ok=True)
        for page in book.glob("*.md"):
            shutil.copy2(page, dest / "book" / page.name)
        if (book / "_static").is_dir():
            shutil.copytree(book / "_static", dest / "book" / "_static", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("fonts"))
    review_file = review or source / "data" / "review.csv"
    if review_file.is_file():
        shutil.copy2(review_file, dest / "data" / "review.csv")
    folder = source / "data" / "raw" if raw is True else (Path(raw) if raw else None)
    if folder is not None and folder.is_dir():
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy2(path, dest / "data" / "raw" / path.name)
    return dest


def project_env(root: Path, **extra: str) -> dict[str, str]:
    """This environment with ``BULLETIN_ROOT=root``."""
    return {**os.environ, "BULLETIN_ROOT": str(root), **extra}
