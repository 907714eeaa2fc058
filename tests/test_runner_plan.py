"""Fan-out runner without kernels: case matrix, validation, cache keys and reasons, manifest."""

from __future__ import annotations

import io
import json
from pathlib import Path

import nbformat
import pytest

from analysis.common.errors import InputError
from analysis.run import runner
from analysis.run.cache import Hasher, format_explain, template_hash
from analysis.run.manifest import CaseResult, Manifest, now_iso
from analysis.run.plan import Case, slugify
from analysis.run.progress import Progress
from analysis.run.runner import PlanError, explain, plan_cases, run, status_table

from support.runnerkit import make_template, tiny_inputs


@pytest.fixture
def env(tmp_path: Path) -> dict:
    """Template, data files, code dir and deps file in tmp_path (stable against other edits)."""
    tpl = make_template(tmp_path / "region.ipynb", "x = 1\nregion = ''\noutput_dir = None")
    return {**tiny_inputs(tmp_path), "tpl": tpl}


def test_plan_layout_and_declared_parameters(env: dict) -> None:
    out = env["tmp"] / "book" / "regions"
    cases = plan_cases([env["tpl"]], {"jiangsu": "江苏", "zhejiang": "浙江"},
                       lambda t, r: {"x": len(r)}, out)
    assert [c.name for c in cases] == ["region/jiangsu", "region/zhejiang"]
    assert cases[0].output == out / "jiangsu" / "region.ipynb"
    assert cases[0].parameters == {"x": 2, "region": "江苏", "output_dir": str(out / "jiangsu")}
    assert len({c.out_dir for c in cases}) == 2
    # A template that does not declare region/output_dir does not get them.
    plain = make_template(env["tmp"] / "comparison.ipynb")
    (case,) = plan_cases([plain], None, {"x": 3}, env["tmp"] / "book")
    assert case.name == "comparison"
    assert case.parameters == {"x": 3}
    assert case.output == env["tmp"] / "book" / "comparison" / "comparison.ipynb"
    # Several templates per region: one folder per template and region.
    two = plan_cases([env["tpl"], plain], ["江苏"], None, out)
    assert two[1].output == out / "江苏" / "comparison" / "comparison.ipynb"


def test_slugify() -> None:
    assert slugify(" Jiang Su ") == "jiang-su"
    assert slugify("江苏 省") == "江苏-省"
    with pytest.raises(InputError):
        slugify("  / ")


def test_validation_hook_sees_every_case_and_aborts_run(env: dict) -> None:
    seen = []

    def validate(template_name: str, params: dict) -> None:
        seen.append((template_name, params["region"]))
        if params["region"] != "江苏":
            raise InputError("peers", f"unknown region {params['region']}")

    with pytest.raises(PlanError) as info:
        plan_cases([env["tpl"]], ["江苏", "广东", "西藏"], None, env["tmp"] / "out",
                   validate=validate)
    assert seen == [("region", "江苏"), ("region", "广东"), ("region", "西藏")]
    assert len(info.value.errors) == 2
    assert "unknown region 广东" in str(info.value) and "1 more" in str(info.value)
    assert isinstance(info.value, InputError)

    cases = plan_cases([env["tpl"]], ["江苏", "广东"], None, env["tmp"] / "out")
    manifest = env["tmp"] / "m.json"
    with pytest.raises(InputError):
        run(cases, jobs=1, manifest_path=manifest, validate=validate, quiet=True)
    assert not manifest.exists() and not (env["tmp"] / "out").exists()


def test_plan_rejects_clashes_and_bad_parameters(env: dict) -> None:
    with pytest.raises(InputError, match="same name"):
        plan_cases([env["tpl"]], ["a b", "a-b"], None, env["tmp"])
    with pytest.raises(PlanError, match="not plain JSON"):
        plan_cases([env["tpl"]], ["a"], {"x": object()}, env["tmp"])
    with pytest.raises(InputError, match="not found"):
        plan_cases([env["tmp"] / "missing.ipynb"], ["a"], None, env["tmp"])


def test_template_hash_ignores_outputs(env: dict) -> None:
    before = template_hash(env["tpl"])
    nb = nbformat.read(env["tpl"], as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb.cells[2].execution_count = 7
    nbformat.write(nb, env["tpl"])
    assert template_hash(env["tpl"]) == before
    nb.cells[2].source = "y = x * 3\nprint(y)"
    nbformat.write(nb, env["tpl"])
    assert template_hash(env["tpl"]) != before


def _pretend_ran(cases: list[Case], manifest_path: Path, env: dict, status: str = "ok") -> None:
    """Record the cases as executed with their current inputs; create their outputs."""
    manifest = Manifest.load(manifest_path)
    hasher = Hasher((), env["code"], env["deps"])
    for case in cases:
        case.out_dir.mkdir(parents=True, exist_ok=True)
        case.output.write_text("{}")
        stamp = now_iso()
        error = "In [3]: ValueError: boom" if status == "failed" else None
        manifest.record(case, hasher.fingerprint(case),
                        CaseResult(case.name, status, stamp, stamp, 0.5, error), "v1")
    manifest.save()


def test_explain_says_which_input_changed(env: dict) -> None:
    reads = {"a": [env["d1"]], "b": [env["d1"]], "c": [env["d2"]]}
    cases = plan_cases([env["tpl"]], ["a", "b", "c"], None, env["tmp"] / "out",
                       data_files=lambda t, r: reads[r])
    manifest = env["tmp"] / "m.json"
    kw = {"manifest_path": manifest, "code_dir": env["code"], "deps_file": env["deps"]}

    assert {r for _, _, r in explain(cases, **kw)} == {"not run before"}
    _pretend_ran(cases, manifest, env)
    reasons = explain(cases, **kw)
    assert not any(will for _, will, _ in reasons)
    assert reasons[0][2].startswith("cached (key ") and reasons[0][2].endswith(".. unchanged)")

    env["d2"].write_text("b\n3\n")
    assert [(c.name, w) for c, w, _ in explain(cases, **kw)] == [
        ("region/a", False), ("region/b", False), ("region/c", True)]
    assert explain(cases, **kw)[2][2] == f"data changed: {env['d2'].resolve().as_posix()}"

    changed = [cases[0], Case(cases[1].name, cases[1].template, {**cases[1].parameters, "x": 5},
                              cases[1].output, cases[1].data_files)]
    assert [r for _, _, r in explain(changed, **kw)][1] == "parameters changed"
    (env["code"] / "mod.py").write_text("A = 2\n")
    env["deps"].write_text("papermill==2.7.1\n")
    assert explain(cases[:1], **kw)[0][2] == "code changed; dependencies changed"
    make_template(env["tpl"], "x = 1\nregion = ''\noutput_dir = None", "print(x)")
    assert explain(cases[:1], **kw)[0][2].startswith("template changed")
    assert explain(cases[:1], force=True, **kw)[0][1:] == (True, "forced")

    cases[0].output.unlink()
    assert explain(cases[:1], **kw)[0][2] == "output missing"
    _pretend_ran(cases[:1], manifest, env, status="failed")
    assert explain(cases[:1], **kw)[0][2] == "previous run failed"
    text = format_explain(explain(cases, **kw))
    assert text.splitlines()[0].startswith("run   region/a  previous run failed")


def test_explain_only_run_writes_nothing(env: dict) -> None:
    cases = plan_cases([env["tpl"]], ["a"], None, env["tmp"] / "out")
    manifest = env["tmp"] / "m.json"
    result = run(cases, jobs=1, manifest_path=manifest, explain_only=True, quiet=True,
                 code_dir=env["code"], deps_file=env["deps"])
    assert [(c.name, w, r) for c, w, r in result.explanations] == [
        ("region/a", True, "not run before")]
    assert result.returncode == 0
    assert not manifest.exists() and not (env["tmp"] / "out").exists()


def test_manifest_entry_and_status_table(env: dict) -> None:
    cases = plan_cases([env["tpl"]], ["a", "b"], None, env["tmp"] / "out",
                       data_files=[env["d1"]])
    manifest = env["tmp"] / "m.json"
    _pretend_ran(cases[:1], manifest, env)
    _pretend_ran(cases[1:], manifest, env, status="failed")
    data = json.loads(manifest.read_text())
    entry = data["cases"]["region/a"]
    assert set(entry) >= {"name", "template", "parameters", "inputs", "key", "code_version",
                          "start", "end", "duration", "status", "output", "error"}
    assert set(entry["inputs"]) == {"template", "params", "code", "deps", "data"}
    assert list(entry["inputs"]["data"]) == [env["d1"].resolve().as_posix()]
    table = status_table(manifest)
    lines = table.splitlines()
    assert lines[0].split() == ["case", "status", "seconds", "finished", "error"]
    assert "region/b" in lines[3] and "failed" in lines[3] and "ValueError: boom" in lines[3]
    bad = env["tmp"] / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        Manifest.load(bad)


def test_progress_lines_and_summary(env: dict) -> None:
    cases = plan_cases([env["tpl"]], ["a", "b", "c"], None, env["tmp"])
    stream = io.StringIO()
    progress = Progress(3, stream=stream)
    progress.event("cached", cases[0])
    progress.event("start", cases[1])
    progress.event("ok", cases[1])
    progress.event("start", cases[2])
    progress.event("failed", cases[2], "In [3]: ValueError: boom")
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 6
    assert "running 0, done 1, failed 1, cached 1" in lines[4]
    assert lines[-1] == "3 cases: 2 executed, 1 cached, 1 failed"


def test_longest_cases_start_first(tmp_path: Path) -> None:
    def case(template: str, name: str) -> Case:
        return Case(name=name, template=tmp_path / f"{template}.ipynb", parameters={},
                    output=tmp_path / name / f"{template}.ipynb")

    manifest = Manifest(tmp_path / "m.json", {
        "comparison": {"template": "notebooks/comparison.ipynb", "duration": 5.5},
        "region/a": {"template": "notebooks/region.ipynb", "duration": 2.0},
        "region/b": {"template": "notebooks/region.ipynb", "duration": 2.4},
    })
    cases = [case("region", "region/a"), case("region", "region/b"),
             case("region", "region/new"), case("comparison", "comparison"),
             case("over_time", "over_time")]
    order = [c.name for c in runner.longest_first(cases, manifest)]
    # never run before: first (unknown); a new region: its template's longest (2.4)
    assert order == ["over_time", "comparison", "region/b", "region/new", "region/a"]


def test_code_version_is_dirty_for_code_changes_only(tmp_path: Path) -> None:
    """An uncommitted edit to data or the book leaves the code version clean; one to the
    package marks it ``-dirty``; outside git it is ``code:<hash>``."""
    import subprocess

    from analysis.run.manifest import code_version

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                              cwd=tmp_path, capture_output=True, text=True,
                              check=True).stdout.strip()

    (tmp_path / "analysis").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "analysis" / "m.py").write_text("x = 1\n")
    (tmp_path / "data" / "scenarios.yml").write_text("scenarios: []\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "start")
    head = git("rev-parse", "--short", "HEAD")
    assert code_version(tmp_path) == head
    (tmp_path / "data" / "scenarios.yml").write_text("scenarios: [x]\n")
    assert code_version(tmp_path) == head
    (tmp_path / "analysis" / "m.py").write_text("x = 2\n")
    assert code_version(tmp_path) == f"{head}-dirty"
    outside = tmp_path.parent / f"{tmp_path.name}-nogit"
    outside.mkdir()
    assert code_version(outside, "abcdef0123456789") == "code:abcdef012345"
