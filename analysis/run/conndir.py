"""Folders for kernel connection files and IPC sockets, and their cleanup after a crash.

Each process makes its own 0700 folder ``$TMPDIR/fanout-kernels-<pid>-XXXX`` and removes it at
exit; after ``kill -9`` nothing runs at exit, so every ``run`` first removes this user's
folders whose process no longer exists.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CONN_PREFIX = "fanout-kernels-"


def connection_dir() -> Path:
    """A new 0700 folder for kernel connection files and IPC sockets, named after this
    process (``fanout-kernels-<pid>-XXXX``); folders left by a process that no longer runs
    (killed with -9: no cleanup ran) are removed first."""
    sweep_connection_dirs()
    return Path(tempfile.mkdtemp(prefix=f"{CONN_PREFIX}{os.getpid()}-"))


def sweep_connection_dirs(folder: Path | None = None) -> list[Path]:
    """Remove this user's connection folders whose process is gone; returns them."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{CONN_PREFIX}*-*"):
        pid = path.name[len(CONN_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not path.is_dir() or path.stat().st_uid != os.getuid():
            continue
        if not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
