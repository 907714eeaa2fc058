"""Scenarios (data/scenarios.yml): validation with one line naming the scenario and the key or
parameter, their cases in the report's matrix, and the region parameter of ``run`` that can
never write a case into another case's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.compare.index import compute_index, rank_change, validate_weights
from analysis.run import cases
from analysis.run.scenarios import Scenario, load_scenarios

from conftest import ROOT, make_project

GOOD = """scenarios:
  firsts-double:
    template: comparison
    title: National firsts count double
    question: What if national firsts count double?
    parameters:
      weights: {n_national_first: 2}
  jiangsu-ftz:
    template: region
    title: Jiangsu on FTZ only
    question: How does Jiangsu look on FTZ items alone?
    parameters: {region: 江苏, domains: [ftz]}
"""


@pytest.fixture(autouse=True)
def project(built_project: Path, monkeypatch) -> Path:
    """Validation reads the built project's items."""
    monkeypatch.setattr(paths, "ITEMS_CSV", built_project / "data" / "processed" / "items.csv")
    return built_project


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_declares_valid_scenarios() -> None:
    shipped = load_scenarios(ROOT / "data" / "scenarios.yml")
    assert shipped and all(s.question.endswith("?") for s in shipped)
    assert shipped[0] == Scenario("national-firsts-double", "comparison",
                                  "National firsts count double",
                                  "What if national firsts count double in the "
                                  "policy-activity index?", {"weights": {"n_national_first": 2}})


def test_scenarios_load_in_file_order(tmp_path: Path) -> None:
    found = load_scenarios(write(tmp_path, GOOD))
    assert [s.name for s in found] == ["firsts-double", "jiangsu-ftz"]
    assert found[1].parameters == {"region": "江苏", "domains": ["ftz"]}
    assert found[0].case == "scenario/firsts-double"
    assert load_scenarios(tmp_path / "none.yml") == []


@pytest.mark.parametrize(("text", "message"), [
    ("scenarios:\n  Bad Name:\n    template: comparison\n    title: t\n    question: q\n",
     "scenario 'Bad Name': a name is lower-case letters"),
    ("scenarios:\n  a:\n    template: comparison\n    title: t\n    question: q\n    x: 1\n",
     "scenario a: unknown key 'x'; valid: template, title, question, parameters"),
    ("scenarios:\n  a:\n    template: comparison\n    title: t\n",
     "scenario a: missing key 'question'"),
    ("scenarios:\n  a:\n    template: atlas\n    title: t\n    question: q\n",
     "scenario a, template: 'atlas' is not a template; valid: region, comparison"),
    ("scenarios:\n  a:\n    template: comparison\n    title: t\n    question: q\n"
     "    parameters: {weights: {n_firsts: 2}}\n",
     "scenario a, parameter weights: 'n_firsts' is not an index indicator"),
    ("scenarios:\n  a:\n    template: region\n    title: t\n    question: q\n"
     "    parameters: {region: 火星}\n",
     "scenario a, parameter region: '火星' is not a province in the data"),
    ("scenarios:\n  a:\n    template: region\n    title: t\n    question: q\n",
     "scenario a, parameter region: a region scenario names its province"),
    ("scenarios:\n  a:\n    template: comparison\n    title: t\n    question: q\n"
     "    parameters: {output_dir: x}\n",
     "scenario a, parameter output_dir: set by the runner"),
    ("scenarios:\n  a:\n    template: comparison\n    title: [t]\n    question: q\n",
     "scenario a, title: expected one line of text"),
    ("scenario:\n  a: {}\n", "unknown key 'scenario'"),
])
def test_bad_scenarios_fail_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        load_scenarios(write(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "scenarios.yml"))


def test_plan_adds_each_scenario_in_its_own_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(paths, "SCENARIOS", write(tmp_path, GOOD))
    planned = {c.name: c for c in cases.plan()}
    firsts = planned["scenario/firsts-double"]
    assert firsts.output == paths.SCENARIOS_BOOK / "firsts-double" / "comparison.ipynb"
    assert firsts.parameters == {"output_dir": ".", "weights": {"n_national_first": 2}}
    assert planned["scenario/jiangsu-ftz"].output.parent.name == "jiangsu-ftz"
    assert "comparison" in planned and "region/jiangsu" in planned
    # A run narrowed to some regions runs no scenario; other parameters never reach one.
    assert not any(n.startswith("scenario/") for n in
                   (c.name for c in cases.plan(["江苏"])))
    assert not any(c.name.startswith("scenario/") for c in cases.plan(None, {"region": "江苏"}))
    drawn = {c.name: c for c in cases.plan(None, {"n_draws": 50})}
    assert drawn["comparison"].parameters["n_draws"] == 50
    assert "n_draws" not in drawn["scenario/firsts-double"].parameters


def test_region_parameter_picks_its_case_and_never_disagrees() -> None:
    planned = cases.plan(None, {"region": "Shandong"})
    assert [c.name for c in planned] == ["comparison", "over_time", "region/shandong"]
    assert planned[-1].parameters["region"] == "山东"
    assert planned[-1].out_dir == paths.REGIONS_BOOK / "shandong"
    assert [c.name for c in cases.plan(["山东"], {"region": "山东"})][-1] == "region/shandong"
    with pytest.raises(InputError, match="parameter region: '山东' disagrees with --regions 上海"):
        cases.plan(["上海"], {"region": "山东"})
    with pytest.raises(InputError, match="parameter region: '火星' is not a province"):
        cases.plan(None, {"region": "火星"})


def test_rank_change_against_the_default_weights() -> None:
    import pandas as pd

    table = pd.DataFrame({
        "domain": ["ftz"] * 3, "province": ["A", "B", "C"], "item_ids": ["a", "b", "c"],
        "n_items": [3, 2, 1], "share_of_province": [0.5, 0.5, 0.5],
        "n_national_first": [0, 3, 0], "n_sides_used": [1, 1, 1], "money_yuan": [0, 0, 0],
        "n_count_figures": [0, 0, 0], "horizon_years": [0, 0, 0]})
    from analysis.compare.index import indicator_names

    base = validate_weights({**dict.fromkeys(indicator_names(), 0), "n_items": 3,
                             "n_national_first": 1})
    heavy = validate_weights({"n_national_first": 5}, base=base)
    moved = rank_change(table, base, heavy).set_index("province")
    assert compute_index(table, base).set_index("province").loc["A", "rank"] == 1
    assert moved.loc["A", "rank_base"] == 1 and moved.loc["A", "rank_variant"] == 2
    assert moved.loc["B", "change"] == 1 and moved.loc["C", "change"] == 0


def test_report_refuses_parameters(tmp_path: Path) -> None:
    env = {**os.environ, "BULLETIN_ROOT": str(make_project(tmp_path / "p"))}
    res = subprocess.run([sys.executable, "-m", "analysis", "report", "-p", "weights",
                          "{n_items: 2}"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.startswith("error: report -p weights: the report runs the declared cases")
    assert "data/scenarios.yml" in res.stderr and len(res.stderr.splitlines()) == 1
    assert not (tmp_path / "p" / "_build").exists()


def test_run_says_which_weights_a_weights_parameter_gives(built_project: Path) -> None:
    """``run -p weights`` merges with the project's weights and renormalises; it says so."""
    env = {**os.environ, "BULLETIN_ROOT": str(built_project)}
    res = subprocess.run([sys.executable, "-m", "analysis", "run", "--explain", "-p", "weights",
                          "{n_national_first: 2}"], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[0] == (
        "the index uses weights n_national_first 0.25; n_items, share_of_province, "
        "n_sides_used, money_yuan, n_count_figures, horizon_years 0.125 each (-p weights; the "
        "indicators it leaves out keep their weights from index_weights.yml)")
