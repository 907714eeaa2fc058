"""Run the command line in-process against a throw-away project, and fingerprint a project tree.

:func:`run_in` repoints :mod:`analysis.common.paths` (every path derived from the root) and
``BULLETIN_ROOT`` at the given project for one call of :func:`analysis.cli.main`, so a table
of bad inputs runs in one interpreter, each case in its own copy of the project.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outcome:
    """Exit status and output of one in-process command."""

    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def project_paths(root: Path):
    """``analysis.common.paths`` (and ``BULLETIN_ROOT``) pointing at ``root`` for a while."""
    from analysis.common import paths

    old_root = paths.ROOT
    saved = {name: value for name, value in vars(paths).items()
             if isinstance(value, Path) and value.is_relative_to(old_root)}
    old_env = os.environ.get("BULLETIN_ROOT")
    os.environ["BULLETIN_ROOT"] = str(root)
    for name, value in saved.items():
        setattr(paths, name, root.resolve() / value.relative_to(old_root))
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(paths, name, value)
        if old_env is None:
            os.environ.pop("BULLETIN_ROOT", None)
        else:
            os.environ["BULLETIN_ROOT"] = old_env


def run_in(root: Path, *argv: object, cwd: Path | None = None) -> Outcome:
    """``python -m analysis ARGV`` in-process with the project ``root``; SystemExit is caught
    (argparse exits for usage errors)."""
    from analysis.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    with project_paths(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        os.chdir(cwd or root)
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os.chdir(here)
    return Outcome(code, out.getvalue(), err.getvalue())


def tree_digest(root: Path) -> dict[str, str]:
    """``{relative path: sha256 of content (or link target)}`` of everything below ``root``."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            try:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                found[rel] = "unreadable"
        elif path.is_dir():
            found[rel + "/"] = "dir"
    return found
