"""Where a command may write: the one rule for every output path a user gives.

- No command writes into ``data/raw/`` (the bulletins and their sidecars) or ``notebooks/``
  (the templates): they are the project's inputs, added by hand.
- An output is a regular file: never a device or pipe (the atomic rename would replace
  it), never one of the command's inputs, nor one of the project's input files
  (codebook, review file, index weights, constraints): it would replace them.
- A folder a notebook writes figures into (``-p output_dir``) lies inside the project or
  inside the folder of the notebook's ``-o`` target; anything else (``../../etc``) is refused.

Each check raises a one-line :class:`InputError` naming the option and the path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from analysis.common import paths
from analysis.common.errors import InputError


def _real(path: Path | str) -> Path:
    """The path with links resolved (a link loop is left as it is, never an error here)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def protected_folders() -> tuple[Path, ...]:
    """Folders no command writes into."""
    return (_real(paths.RAW), _real(paths.TEMPLATES))


def input_files() -> tuple[Path, ...]:
    """The project's own input files (never overwritten by an output)."""
    return tuple(_real(p) for p in (paths.CODEBOOK, paths.REVIEW, paths.INDEX_WEIGHTS,
                                    paths.CONSTRAINTS))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_output(path: Path | str, option: str, inputs: Iterable[Path | str] = ()) -> Path:
    """``path`` (an output file) if writing it loses nothing, else a one-line ``InputError``."""
    real = _real(path)
    if real.exists() and not real.is_file() and not real.is_dir():
        raise InputError(f"{option} {path}", "is not a regular file (a device or pipe would be "
                         "replaced, not written to); leave the option out to write to stdout")
    for given in inputs:
        if real == _real(given):
            raise InputError(f"{option} {path}", "is an input of this command; choose "
                             "another output file")
    if real in input_files():
        raise InputError(f"{option} {path}", "is an input of the project; choose another "
                         "output file")
    for folder in protected_folders():
        if _inside(real, folder):
            raise InputError(f"{option} {path}", f"is inside {_shown(folder)}/, where no "
                             "command writes (project inputs)")
    return real


def check_output_dir(folder: Path | str, option: str, allowed: Iterable[Path | str]) -> Path:
    """``folder`` if it lies inside the project or one of ``allowed`` (and outside the
    protected folders), else a one-line ``InputError``."""
    real = _real(folder)
    for protected in protected_folders():
        if _inside(real, protected):
            raise InputError(option, f"{folder} is inside {_shown(protected)}/, where no "
                             "command writes (project inputs)")
    roots = [_real(paths.ROOT), *(_real(a) for a in allowed)]
    if not any(_inside(real, root) for root in roots):
        raise InputError(option, f"{folder} resolves to {real}, outside the project and the "
                         "output notebook's folder")
    return real


def _shown(folder: Path) -> str:
    root = _real(paths.ROOT)
    return folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
