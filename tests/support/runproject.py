"""Run ``python -m analysis`` in a temporary project copy (``BULLETIN_ROOT``) as a user would,
watching the kernels it starts and checking that none survives it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from devtools.bench import parse_progress

from conftest import ROOT
from conftest import make_project as make_project


@dataclass
class Run:
    """What one command did: exit status, output, and how many kernels ran at once."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_kernels: int

    @property
    def executed(self) -> list[str]:
        """Cases executed (ok or failed), from the progress lines."""
        return parse_progress(self.stderr).executed

    @property
    def cached(self) -> list[str]:
        """Cases served from the cache."""
        return parse_progress(self.stderr).cached


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return any("ipykernel" in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _kernels_below(pid: int) -> int:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    return sum(1 for child in children if _is_kernel(child))


def processes_of(root: Path) -> list[psutil.Process]:
    """Live processes (other than this one) whose environment has ``BULLETIN_ROOT=root``."""
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            if (process.environ().get("BULLETIN_ROOT") == str(root)
                    and process.status() != psutil.STATUS_ZOMBIE):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def assert_nothing_left(root: Path, grace: float = 10.0) -> None:
    """No kernel, worker or other process of the project ``root`` outlives its command."""
    deadline = time.monotonic() + grace
    while (left := processes_of(root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, [" ".join(p.cmdline()) for p in left]


def run_analysis(root: Path, *args: object, env: dict[str, str] | None = None,
                 timeout: float = 600) -> Run:
    """``python -m analysis ARGS`` with ``BULLETIN_ROOT=root``; then nothing may be left."""
    full_env = {**os.environ, "BULLETIN_ROOT": str(root), **(env or {})}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "analysis", *map(str, args)], cwd=ROOT,
                                env=full_env, stdout=out, stderr=err, text=True)
        max_kernels = 0
        while proc.poll() is None:
            max_kernels = max(max_kernels, _kernels_below(proc.pid))
            if time.perf_counter() - start > timeout:
                proc.kill()
                raise TimeoutError(f"python -m analysis {args} ran for over {timeout} s")
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        run = Run(proc.returncode, out.read(), err.read(), seconds, max_kernels)
    assert_nothing_left(root)
    return run


def manifest(root: Path) -> dict[str, dict]:
    """The run manifest's cases."""
    return json.loads((root / "_build" / "manifest.json").read_text(encoding="utf-8"))["cases"]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of every file below ``folder``."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cell_outputs(path: Path) -> list:
    """What a reader sees of an executed notebook: per code cell its source, execution count
    and outputs (without output metadata)."""
    nb = nbformat.read(path, as_version=4)
    return [
        (cell.source, cell.execution_count,
         [{k: v for k, v in out.items() if k != "metadata"} for out in cell.outputs])
        for cell in nb.cells if cell.cell_type == "code"
    ]
