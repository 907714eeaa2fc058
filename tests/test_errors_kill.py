"""Fault test: ``run`` killed with SIGKILL at a random moment, then run again, ends with the
same outputs as a clean run: the same notebooks with the same cells, every case ok in the
manifest, no kernel left, the killed process's connection folder gone."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, build_data
from support.runproject import (
    assert_nothing_left,
    cell_outputs,
    make_project,
    manifest,
    run_analysis,
)

pytestmark = pytest.mark.slow

OUTPUTS = ("book/comparison", "book/over_time", "book/regions", "book/scenarios", "_build")


def _notebooks(root: Path) -> dict[str, list]:
    return {p.relative_to(root).as_posix(): cell_outputs(p)
            for folder in OUTPUTS[:-1]
            for p in sorted((root / folder).rglob("*.ipynb"))}


def _clear(root: Path) -> None:
    for name in OUTPUTS:
        shutil.rmtree(root / name, ignore_errors=True)


def test_kill_at_a_random_moment_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    root = build_data(make_project(tmp_path / "project"))
    clean = run_analysis(root, "run", "--jobs", "2")
    assert clean.returncode == 0, clean.stderr
    expected, expected_cases = _notebooks(root), set(manifest(root))
    _clear(root)

    seed = int(os.environ.get("KILL_SEED", random.randrange(10**6)))
    delay = random.Random(seed).uniform(0.5, max(1.0, clean.seconds * 0.9))
    env = {**os.environ, "BULLETIN_ROOT": str(root)}
    victim = subprocess.Popen([sys.executable, "-m", "analysis", "run", "--jobs", "2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert_nothing_left(root, grace=30)  # the kernels notice their parent is gone

    rerun = run_analysis(root, "run", "--jobs", "2")
    why = f"seed {seed}, killed after {delay:.1f} s of {clean.seconds:.1f} s"
    assert rerun.returncode == 0, (why, rerun.stderr)
    assert _notebooks(root) == expected, why
    cases = manifest(root)
    assert set(cases) == expected_cases and all(
        c["status"] in {"ok", "cached"} for c in cases.values()), why
    left = list(Path(tempfile.gettempdir()).glob(f"fanout-kernels-{victim.pid}-*"))
    assert left == [], why
