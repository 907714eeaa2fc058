"""``python -m analysis run`` on the real templates and the seed data (issue 4).

Everything runs in temporary project copies (``BULLETIN_ROOT``); the repository's ``book/``,
``_build/`` and ``data/processed/`` are never touched. One project goes through a sequence of
runs (cold, no change, one parameter, one review row, bad parameters); a second, limited to two
regions with a template copy that fails for one of them, covers failures and the dask executor.
After every command no process of the project may be left (kernels, dask workers).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from analysis.dataset.tables import load_items
from analysis.views.params import DataInfo, glue_slug
from devtools.bench import append_review_row, one_item_change

from support.runproject import (
    Run,
    cell_outputs,
    make_project,
    manifest,
    run_analysis,
    snapshot,
)

pytestmark = pytest.mark.slow

BROKEN = "安徽"  # the region the template copy fails for
BROKEN_CELL = (
    "import os\n"
    "if os.environ.get('BREAK_REGION') == region:\n"
    "    raise RuntimeError(f'deliberately broken for {region}')"
)


def scenario_names(root: Path) -> set[str]:
    """``scenario/<name>`` for every scenario the project's data/scenarios.yml declares."""
    import yaml

    path = root / "data" / "scenarios.yml"
    declared = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return {f"scenario/{name}" for name in ((declared or {}).get("scenarios") or {})}


def case_names(root: Path) -> set[str]:
    """``comparison``, ``over_time``, ``region/<slug>`` for every province in the project's
    data and ``scenario/<name>`` for every declared scenario."""
    info = DataInfo.load(root / "data" / "processed" / "items.csv")
    regions = {f"region/{glue_slug(info.names[p])}" for p in info.provinces()}
    return {"comparison", "over_time"} | regions | scenario_names(root)


def case_dir(root: Path, name: str) -> Path:
    return root / "book" / name.replace("region/", "regions/").replace("scenario/",
                                                                         "scenarios/")


def notebook_of(root: Path, name: str) -> Path:
    if name.startswith("scenario/"):
        (found,) = case_dir(root, name).glob("*.ipynb")  # named after its template
        return found
    if name in ("comparison", "over_time"):  # templates planned once: named after the case
        return case_dir(root, name) / f"{name}.ipynb"
    return case_dir(root, name) / "region.ipynb"


def max_overlap(entries: dict[str, dict]) -> int:
    """The largest number of cases whose recorded [start, end] intervals overlap."""
    events = sorted([(e["start"], 1) for e in entries.values()]
                    + [(e["end"], -1) for e in entries.values()], key=lambda t: (t[0], t[1]))
    running = best = 0
    for _, step in events:
        running += step
        best = max(best, running)
    return best


def explained(run: Run) -> dict[str, tuple[str, str]]:
    """``--explain`` output as ``{case: (run|skip, reason)}``."""
    out = {}
    for line in run.stdout.splitlines():
        verb, name, reason = line.split(None, 2)
        out[name] = (verb, reason)
    return out


def errors_in(path: Path | nbformat.NotebookNode) -> list[dict]:
    nb = path if isinstance(path, nbformat.NotebookNode) else nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error"]


# --------------------------------------------------------------------------- the sequence


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("run") / "proj")


@pytest.fixture(scope="module")
def cold(project: Path) -> dict:
    run = run_analysis(project, "run")
    return {"run": run, "manifest": manifest(project), "book": snapshot(project / "book")}


@pytest.fixture(scope="module")
def warm(project: Path, cold: dict) -> dict:
    run = run_analysis(project, "run")
    before = (project / "_build" / "manifest.json").read_bytes()
    explain = run_analysis(project, "run", "--explain")
    return {"run": run, "explain": explain, "manifest": manifest(project),
            "book": snapshot(project / "book"),
            "explain_wrote": (project / "_build" / "manifest.json").read_bytes() != before}


@pytest.fixture(scope="module")
def draws(project: Path, warm: dict) -> dict:
    explain = run_analysis(project, "run", "-p", "n_draws", "200", "--explain")
    return {"explain": explain, "run": run_analysis(project, "run", "-p", "n_draws", "200")}


@pytest.fixture(scope="module")
def changed(project: Path, draws: dict) -> dict:
    row = one_item_change(project / "data" / "processed" / "items.csv")
    append_review_row(project / "data" / "review.csv", row, "test: one changed coding")
    before = manifest(project)
    explain = run_analysis(project, "run", "-p", "n_draws", "200", "--explain")
    run = run_analysis(project, "run", "-p", "n_draws", "200")
    return {"row": row, "before": before, "explain": explain, "run": run,
            "after": manifest(project)}


def test_cold_run_executes_every_case_in_parallel(project: Path, cold: dict) -> None:
    run, entries = cold["run"], cold["manifest"]
    assert run.returncode == 0, run.stderr
    names = case_names(project)
    assert len(names) == 8 + len(scenario_names(project)) and scenario_names(project)
    assert set(entries) == names == set(run.executed)
    assert run.cached == []
    assert {e["status"] for e in entries.values()} == {"ok"}
    assert all(e["error"] is None and e["duration"] > 0 for e in entries.values())
    if (os.cpu_count() or 1) >= 2:
        assert run.max_kernels >= 2
        assert max_overlap(entries) >= 2
    assert f"{len(names)} cases: {len(names)} executed, 0 cached, 0 failed" in run.stderr


def test_each_case_has_its_own_folder_with_notebook_and_figures(project: Path,
                                                                cold: dict) -> None:
    names = case_names(project)
    notebooks = sorted(p.relative_to(project / "book") for p in (project / "book").rglob("*.ipynb"))
    assert notebooks == sorted(notebook_of(project, n).relative_to(project / "book")
                               for n in names)
    for name in names:
        folder = case_dir(project, name)
        assert errors_in(notebook_of(project, name)) == []
        assert cold["manifest"][name]["output"] == notebook_of(project, name).relative_to(
            project).as_posix()
        pngs = sorted(folder.glob("*.png"))
        assert pngs, f"{name}: no figures"
        for png in pngs:
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            table = png.with_suffix(".csv")
            assert table.is_file() and table.stat().st_size > 0, table
        assert not [p for p in folder.iterdir() if p.is_dir()]  # no nested case folders
    nb = nbformat.read(notebook_of(project, "region/jiangsu"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "region = '江苏'" in injected[0].source  # readable literal
    assert not (project / "_build" / "figures").exists()  # nothing in the default folder


def test_second_run_executes_nothing_and_explains_why(project: Path, cold: dict,
                                                      warm: dict) -> None:
    run = warm["run"]
    names = case_names(project)
    assert run.returncode == 0, run.stderr
    assert run.executed == [] and set(run.cached) == names
    assert run.max_kernels == 0
    assert {e["status"] for e in warm["manifest"].values()} == {"cached"}
    assert {n: e["key"] for n, e in warm["manifest"].items()} == {
        n: e["key"] for n, e in cold["manifest"].items()}
    assert warm["book"] == cold["book"]  # no notebook or figure rewritten
    explain = warm["explain"]
    assert explain.returncode == 0 and explain.max_kernels == 0
    reasons = explained(explain)
    assert set(reasons) == names
    for name, (verb, reason) in reasons.items():
        key = cold["manifest"][name]["key"]
        assert (verb, reason) == ("skip", f"cached (key {key[:8]}.. unchanged)")
    assert not warm["explain_wrote"]


def test_a_parameter_of_one_template_reruns_only_its_cases(project: Path, draws: dict) -> None:
    reasons = explained(draws["explain"])
    assert reasons["comparison"] == ("run", "parameters changed")
    assert {verb for name, (verb, _) in reasons.items() if name != "comparison"} == {"skip"}
    run = draws["run"]
    assert run.returncode == 0, run.stderr
    assert run.executed == ["comparison"]
    assert set(run.cached) == case_names(project) - {"comparison"}
    assert manifest(project)["comparison"]["parameters"]["n_draws"] == 200


def test_one_review_row_reruns_exactly_the_cases_whose_inputs_changed(project: Path,
                                                                      changed: dict) -> None:
    item_id, field, value = changed["row"]
    items = load_items(project / "data" / "processed" / "items.csv").set_index("item_id")
    assert items.loc[item_id, field] == value  # the review row reached the coded data
    assert field in items.loc[item_id, "overridden"].split(";")
    before, after = changed["before"], changed["after"]
    differing = {name for name in after
                 if after[name]["inputs"] != before[name]["inputs"]}
    # Every case reads the whole items table (a region is compared with all its peers), so
    # one item's coding is an input of every case: all re-run, for that reason only.
    assert differing == case_names(project)
    for name in differing:
        old, new = before[name]["inputs"], after[name]["inputs"]
        assert {k: v for k, v in old.items() if k != "data"} == {
            k: v for k, v in new.items() if k != "data"}
        assert [p for p in new["data"] if new["data"][p] != old["data"][p]] == [
            "data/processed/items.csv"]
    reasons = explained(changed["explain"])
    assert reasons == {name: ("run", "data changed: data/processed/items.csv")
                       for name in differing}
    run = changed["run"]
    assert run.returncode == 0, run.stderr
    assert set(run.executed) == differing and run.cached == []


@pytest.mark.parametrize(("args", "message"), [
    (("-p", "domains", '["space"]'),
     "'space' is not a domain; valid: digital_government, ftz, industrial, other"),
    (("--regions", "火星"),
     "error: --regions: '火星' is not a province in the data; valid: 上海, 江苏, 安徽, 山东, "
     "广东, 重庆"),
])
def test_bad_parameter_exits_2_before_any_kernel_and_writes_nothing(
        project: Path, cold: dict, args: tuple[str, ...], message: str) -> None:
    manifest_file = project / "_build" / "manifest.json"
    before = (manifest_file.read_bytes(), manifest_file.stat().st_mtime_ns,
              snapshot(project / "book"))
    run = run_analysis(project, "run", *args)
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], run.stderr
    assert run.max_kernels == 0
    assert (manifest_file.read_bytes(), manifest_file.stat().st_mtime_ns,
            snapshot(project / "book")) == before


# --------------------------------------------------------------------------- failures, dask


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two regions (江苏, 安徽) + comparison; the region template copy raises for 安徽 while
    ``BREAK_REGION=安徽`` is set. Runs it broken, then again without the variable."""
    root = make_project(tmp_path_factory.mktemp("broken") / "proj")
    template = root / "notebooks" / "region.ipynb"
    nb = nbformat.read(template, as_version=4)
    first_view = next(i for i, c in enumerate(nb.cells) if "views.region_overview" in c.source)
    nb.cells.insert(first_view + 1, nbformat.v4.new_code_cell(BROKEN_CELL))
    nbformat.write(nb, template)
    regions = ("--regions", "江苏", BROKEN)
    failed = run_analysis(root, "run", *regions, env={"BREAK_REGION": BROKEN})
    failed_manifest = manifest(root)
    failed_nb = nbformat.read(notebook_of(root, "region/anhui"), as_version=4)
    rerun = run_analysis(root, "run", *regions)
    return {"root": root, "failed": failed, "failed_manifest": failed_manifest,
            "failed_nb": failed_nb, "rerun": rerun, "regions": regions}


def test_a_broken_region_fails_alone_and_keeps_its_traceback(broken: dict) -> None:
    root, run, entries = broken["root"], broken["failed"], broken["failed_manifest"]
    assert run.returncode == 1
    assert set(run.executed) == {"comparison", "over_time", "region/jiangsu", "region/anhui"}
    assert {n: e["status"] for n, e in entries.items()} == {
        "comparison": "ok", "over_time": "ok", "region/jiangsu": "ok", "region/anhui": "failed"}
    assert "RuntimeError: deliberately broken for 安徽" in entries["region/anhui"]["error"]
    assert "error: 1 notebook case(s) failed: region/anhui" in run.stderr
    for name in ("comparison", "over_time", "region/jiangsu"):
        assert errors_in(notebook_of(root, name)) == []
    nb = broken["failed_nb"]  # as the failed run left it
    errors = errors_in(nb)
    assert len(errors) == 1 and errors[0]["ename"] == "RuntimeError"
    assert "deliberately broken for 安徽" in "\n".join(errors[0]["traceback"])
    assert nb.metadata["papermill"]["exception"] is True
    executed = [c for c in nb.cells if c.cell_type == "code" and c.execution_count]
    assert BROKEN_CELL in executed[-1].source  # the cells after the failing one did not run


def test_rerun_after_a_failure_executes_only_the_failed_case(broken: dict) -> None:
    run = broken["rerun"]
    assert run.returncode == 0, run.stderr
    assert run.executed == ["region/anhui"]
    assert set(run.cached) == {"comparison", "over_time", "region/jiangsu"}
    assert manifest(broken["root"])["region/anhui"]["status"] == "ok"
    assert errors_in(notebook_of(broken["root"], "region/anhui")) == []


def test_dask_executor_gives_the_same_output_cells(broken: dict) -> None:
    root = broken["root"]
    names = ("comparison", "over_time", "region/jiangsu", "region/anhui")
    local = {name: cell_outputs(notebook_of(root, name)) for name in names}
    run = run_analysis(root, "run", *broken["regions"], "--executor", "dask", "--force")
    assert run.returncode == 0, run.stderr
    assert set(run.executed) == set(names)
    for name in names:
        assert cell_outputs(notebook_of(root, name)) == local[name], name
    entries = manifest(root)
    assert {entries[n]["status"] for n in names} == {"ok"}
    assert json.loads(json.dumps(entries["region/anhui"]["parameters"])) == {
        "output_dir": ".", "region": BROKEN}
