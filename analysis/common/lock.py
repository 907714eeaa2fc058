"""One ``run`` or ``report`` at a time per project: an exclusive lock on the project folder.

The lock is ``flock`` on the project folder itself (no lock file is written, none is left
behind, and the kernel drops it when its holder dies, even by ``kill -9``). A second command
does not wait: it stops with one line naming the process that holds the lock (read from
``/proc/locks`` where there is one).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from analysis.common.errors import InputError


@contextlib.contextmanager
def project_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the project's lock while the block runs, or raise a one-line ``InputError``."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(root)
            who = f"process {holder}" + (f" ({_cmdline(holder)})" if _cmdline(holder) else "") \
                if holder else "another process"
            raise InputError(root, f"in use by {who}; wait for it to finish before "
                             f"`{command}`") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def lock_holder(root: Path) -> int | None:
    """The pid holding an ``flock`` on ``root`` (Linux ``/proc/locks``), else None."""
    st = os.stat(root)
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == inode:
            return int(parts[4]) if parts[4].isdigit() else None
    return None


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [w for w in raw.decode(errors="replace").split("\0") if w]
    return " ".join(words[-4:])[:80]
