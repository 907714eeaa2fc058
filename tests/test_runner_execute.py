"""Fan-out runner with real kernels: warm pool, cache, failures, interrupts, IPC, dask."""

from __future__ import annotations

import asyncio
import json
import stat
import time
from pathlib import Path

import nbformat
import papermill
import psutil
import pytest

from analysis.run.execute import KernelPool
from analysis.run.runner import Case, plan_cases, run

from support.runnerkit import make_template, tiny_inputs

pytestmark = pytest.mark.slow

def outputs(path: Path) -> list:
    """What a reader sees: per code cell its source, execution count and outputs."""
    nb = nbformat.read(path, as_version=4)
    return [
        (cell.source, cell.execution_count,
         [{k: v for k, v in out.items() if k != "metadata"} for out in cell.outputs])
        for cell in nb.cells if cell.cell_type == "code"
    ]


def kernel_children() -> list[psutil.Process]:
    """Live ipykernel processes started by this test process."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE and any(
                "ipykernel" in part for part in child.cmdline()
            ):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def assert_no_kernels_left() -> None:
    deadline = time.monotonic() + 5
    while kernel_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kernel_children() == []


@pytest.fixture
def env(tmp_path: Path) -> dict:
    """A tiny template, data files, and code/deps to hash that nobody else edits."""
    inputs = tiny_inputs(tmp_path)
    code, deps, d1, d2 = inputs["code"], inputs["deps"], inputs["d1"], inputs["d2"]
    tpl = make_template(
        tmp_path / "region.ipynb",
        "x = 1\noutput_dir = None",
        "y = x * 2\nprint(y)",
        "import os\nassert x != 3, f'bad x={x}'\nprint(os.path.basename(os.getcwd()))",
    )
    kw = {"manifest_path": tmp_path / "manifest.json", "code_dir": code, "deps_file": deps,
          "quiet": True}
    return {"tmp": tmp_path, "d1": d1, "d2": d2, "tpl": tpl, "kw": kw}


def executed(result) -> list[str]:
    return sorted(c.name for c, will_run, _ in result.explanations if will_run)


def test_outputs_match_papermill_and_cache_reruns_only_changed(env: dict) -> None:
    reads = {"a": [env["d1"]], "b": [env["d1"]], "c": [env["d2"]]}
    xs = {"a": 1, "b": 2, "c": 4}
    out = env["tmp"] / "regions"

    def plan(xs: dict) -> list[Case]:
        return plan_cases([env["tpl"]], ["a", "b", "c"], lambda t, r: {"x": xs[r]}, out,
                          data_files=lambda t, r: reads[r])

    cases = plan(xs)
    first = run(cases, jobs=2, **env["kw"])
    assert (first.executed, first.cached, first.failed, first.returncode) == (3, 0, [], 0)

    reference = env["tmp"] / "papermill.ipynb"
    papermill.execute_notebook(str(env["tpl"]), str(reference), parameters=cases[1].parameters,
                               cwd=str(cases[1].out_dir), progress_bar=False)
    assert outputs(cases[1].output) == outputs(reference)
    assert outputs(cases[1].output)[2][2][0]["text"] == "4\n"
    nb = nbformat.read(cases[1].output, as_version=4)
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    assert nb.metadata["papermill"]["parameters"] == cases[1].parameters
    assert nb.metadata["papermill"]["output_path"] == str(cases[1].output)
    assert nb.metadata["language_info"]["name"] == "python"

    events = []
    second = run(cases, jobs=2, on_event=lambda kind, case: events.append(kind), **env["kw"])
    assert (second.executed, second.cached, second.returncode) == (0, 3, 0)
    assert events == ["cached"] * 3
    assert second.summary == "3 cases: 0 executed, 3 cached, 0 failed"

    env["d2"].write_text("b\n3\n")
    third = run(cases, jobs=2, **env["kw"])
    assert executed(third) == ["region/c"] and third.executed == 1
    assert third.explanations[2][2].startswith("data changed: ")

    fourth = run(plan({**xs, "b": 5}), jobs=2, **env["kw"])
    assert executed(fourth) == ["region/b"]
    assert fourth.explanations[1][2] == "parameters changed"
    assert outputs(cases[1].output)[2][2][0]["text"] == "10\n"
    manifest = json.loads(env["kw"]["manifest_path"].read_text())
    assert {n: e["status"] for n, e in manifest["cases"].items()} == {
        "region/a": "cached", "region/b": "ok", "region/c": "cached"}
    assert_no_kernels_left()


def test_failing_case_keeps_traceback_and_rerun_runs_only_it(env: dict) -> None:
    out = env["tmp"] / "regions"
    cases = plan_cases([env["tpl"]], ["a", "b", "c"],
                       lambda t, r: {"x": {"a": 1, "b": 3, "c": 4}[r]}, out)
    result = run(cases, jobs=1, **env["kw"])  # one kernel: the case after the failure reuses it
    assert result.failed == ["region/b"] and result.returncode == 1
    assert result.executed == 3
    assert outputs(cases[2].output)[-1][2][0]["text"] == "c\n"  # restarted kernel, right cwd

    nb = nbformat.read(cases[1].output, as_version=4)
    assert nb.metadata["papermill"]["exception"] is True
    assert "papermill-error-cell-tag" in nb.cells[0].metadata["tags"]
    error = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "error"]
    assert error[0]["ename"] == "AssertionError" and error[0]["evalue"] == "bad x=3"
    assert any("In[4]" in line for line in error[0]["traceback"])
    entry = json.loads(env["kw"]["manifest_path"].read_text())["cases"]["region/b"]
    assert entry["status"] == "failed"
    assert entry["error"] == "In [4]: AssertionError: bad x=3"

    rerun = run(cases, jobs=2, **env["kw"])
    assert executed(rerun) == ["region/b"]
    assert rerun.explanations[1][2] == "previous run failed"
    assert rerun.failed == ["region/b"] and rerun.cached == 2
    assert_no_kernels_left()


def test_interrupt_leaves_no_partial_output_and_no_kernels(env: dict) -> None:
    slow = make_template(env["tmp"] / "slow.ipynb", "seconds = 0\noutput_dir = None",
                         "import time\ntime.sleep(seconds)\nprint('done')")
    out = env["tmp"] / "regions"
    cases = plan_cases([slow], ["slow", "fast", "never"],
                       lambda t, r: {"seconds": 60 if r == "slow" else 0}, out)

    def hook(kind: str, case: Case) -> None:
        if kind == "ok":  # "slow" was queued first, so it is running on the other kernel
            raise KeyboardInterrupt

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run(cases, jobs=2, on_event=hook, **env["kw"])
    assert time.monotonic() - began < 30
    assert cases[1].output.is_file()
    assert not cases[0].output.exists() and not cases[2].output.exists()
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["slow.ipynb"]  # no temp files
    manifest = json.loads(env["kw"]["manifest_path"].read_text())
    assert list(manifest["cases"]) == ["slow/fast"]
    assert_no_kernels_left()


def test_kernels_use_ipc_in_a_private_directory() -> None:
    pool = KernelPool(1)
    kernel = pool.kernels[0]

    async def start_and_check() -> None:
        await kernel.start()
        try:
            assert kernel.km.transport == "ipc"
            info = json.loads(Path(kernel.km.connection_file).read_text())
            assert info["transport"] == "ipc"
            assert Path(kernel.km.connection_file).parent == pool.conn_dir
            # rwx for the owner only (jupyter_client adds the sticky bit to the folder)
            assert stat.S_IMODE(pool.conn_dir.stat().st_mode) & 0o777 == 0o700
            assert info["ip"].startswith(str(pool.conn_dir))
            assert kernel_children()
        finally:
            await pool.shutdown()

    asyncio.run(start_and_check())
    pool.close()
    assert not pool.conn_dir.exists()
    assert_no_kernels_left()


def test_broken_warmup_fails_every_case_with_the_reason(env: dict) -> None:
    cases = plan_cases([env["tpl"]], ["a", "b"], None, env["tmp"] / "regions")
    result = run(cases, jobs=1, warmup="import no_such_module_here", **env["kw"])
    assert result.failed == ["region/a", "region/b"] and result.returncode == 1
    entry = json.loads(env["kw"]["manifest_path"].read_text())["cases"]["region/b"]
    assert "warm-up code failed: ModuleNotFoundError" in entry["error"]
    assert not cases[0].output.exists()
    assert_no_kernels_left()


def test_reset_between_cases_isolates_them(env: dict) -> None:
    """One warm kernel, several cases: no state leaks; figures render like papermill's."""
    check = """
import os, sys, warnings
import pandas as pd, matplotlib, matplotlib.pyplot as plt
leaks = [name for name, leaked in [
    ("namespace", "leak" in globals()),
    ("cwd", os.path.realpath(os.getcwd()) != os.path.realpath(output_dir)),
    ("sys.path", "/leak" in sys.path), ("environ", "LEAK" in os.environ),
    ("figures", bool(plt.get_fignums())), ("pandas", pd.get_option("display.max_rows") != 60),
    ("rcParams", matplotlib.rcParams["lines.linewidth"] == 9),
    ("warnings", any(f[0] == "error" and f[2] is UserWarning for f in warnings.filters)),
] if leaked]
print(leaks)
fig, ax = plt.subplots(figsize=(1, 1))
ax.plot([0, i]);
"""
    dirty = """
leak = 1; os.environ["LEAK"] = "1"; sys.path.append("/leak"); plt.figure()
pd.set_option("display.max_rows", 3); matplotlib.rcParams["lines.linewidth"] = 9
warnings.simplefilter("error", UserWarning); os.chdir("/")
assert i != 1, "case 1 fails"
"""
    tpl = make_template(env["tmp"] / "leaky.ipynb", "i = 0\noutput_dir = None", check, dirty)
    cases = plan_cases([tpl], ["r0", "r1", "r2"], lambda t, r: {"i": int(r[1])},
                       env["tmp"] / "regions")
    result = run(cases, jobs=1, warmup="import pandas, matplotlib.pyplot", **env["kw"])
    assert result.failed == ["leaky/r1"]
    for case in cases:
        printed, figure = outputs(case.output)[2][2]
        assert printed["text"] == "[]\n", case.name
        assert "image/png" in figure["data"]
    reference = env["tmp"] / "papermill.ipynb"
    papermill.execute_notebook(str(tpl), str(reference), parameters=cases[2].parameters,
                               cwd=str(cases[2].out_dir), progress_bar=False)
    assert outputs(cases[2].output) == outputs(reference)
    assert_no_kernels_left()


def test_warm_up_objects_are_frozen_for_the_collector(env: dict) -> None:
    """What the warm-up imported is out of the collector's reach in every case (``gc.freeze``
    after the warm-up): resets and collections visit only what the cases create."""
    tpl = make_template(env["tmp"] / "gc.ipynb", "i = 0\noutput_dir = None",
                        "import gc\nprint(gc.get_freeze_count() > 10_000)")
    cases = plan_cases([tpl], ["r0", "r1"], lambda t, r: {"i": int(r[1])},
                       env["tmp"] / "regions")
    result = run(cases, jobs=1, warmup="import pandas", **env["kw"])
    assert result.failed == []
    for case in cases:
        assert outputs(case.output)[2][2][0]["text"] == "True\n", case.name


def test_dask_executor_gives_the_same_outputs(env: dict) -> None:
    cases = plan_cases([env["tpl"]], ["a", "c"], lambda t, r: {"x": {"a": 1, "c": 3}[r]},
                       env["tmp"] / "regions")
    local = run(cases, jobs=2, **env["kw"])
    expected = [outputs(case.output) for case in cases]
    for case in cases:
        case.output.unlink()
    kw = {**env["kw"], "manifest_path": env["tmp"] / "dask.json"}
    remote = run(cases, jobs=2, executor="dask", **kw)
    assert (remote.executed, remote.failed) == (local.executed, local.failed) == (2, ["region/c"])
    # same cells, execution counts, outputs and tracebacks
    assert [outputs(case.output) for case in cases] == expected
    nb = nbformat.read(cases[1].output, as_version=4)
    assert nb.metadata["papermill"]["output_path"] == str(cases[1].output)
    assert "papermill-error-cell-tag" in nb.cells[0].metadata["tags"]
    entries = json.loads(kw["manifest_path"].read_text())["cases"]
    assert entries["region/c"]["error"] == "In [4]: AssertionError: bad x=3"
    assert entries["region/a"]["status"] == "ok"
    files = sorted(p.relative_to(env["tmp"]).as_posix() for p in env["tmp"].rglob("regions/**/*")
                   if p.is_file())
    assert files == ["regions/a/region.ipynb", "regions/c/region.ipynb"]  # no temp files left
    assert run(cases[:1], jobs=2, executor="dask", **kw).cached == 1
    assert_no_kernels_left()
