"""The notebook templates: structure (fast) and papermill execution through the CLI (slow).

Three kernels in all (region 江苏, region 安徽 with a single item, comparison), started in
parallel subprocesses on a copy of the project built in a temporary BULLETIN_ROOT.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.dataset.tables import load_figures, load_items, split_field
from analysis.run.notebook import check_kernel, resolve_template
from analysis.views.params import parameter_names

from conftest import ROOT

TEMPLATES = ("region", "comparison")
GLUE = "application/papermill.record/"


def cli(*args: object, root: Path) -> subprocess.Popen:
    env = {**os.environ, "BULLETIN_ROOT": str(root)}
    return subprocess.Popen([sys.executable, "-m", "analysis", "notebook", *map(str, args)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def code_cells(name: str) -> list:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_thin_and_saved_without_outputs(name) -> None:
    cells = code_cells(name)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and cells[0] is tagged[0]
    assert "validate_params" in cells[1].source
    for cell in cells:
        assert cell.outputs == [] and cell.execution_count is None
        assert "hide-input" in cell.metadata.get("tags", [])
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith("%"))
        tree = ast.parse(source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value and "\\" not in node.value, node.value
                assert not node.value.endswith((".csv", ".png", ".ipynb", ".yml"))
        assert "matplotlib.use" not in cell.source


@pytest.mark.parametrize("name", TEMPLATES)
def test_parameters_cell_reads_the_model(name) -> None:
    # The parameters cell sets every parameter from its model (the one list of them) and
    # types none of their names; papermill injects after it.
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    namespace: dict = {}
    exec(cell.source, namespace)
    assert [k for k in namespace if k in parameter_names(name)] == parameter_names(name)
    assert not any(f"{k} =" in cell.source for k in parameter_names(name))


def test_templates_resolve_and_the_kernel_is_this_python() -> None:
    assert resolve_template("region") == paths.TEMPLATES / "region.ipynb"
    with pytest.raises(InputError, match="valid names: region, comparison"):
        resolve_template("atlas")
    check_kernel("python3")
    with pytest.raises(InputError, match="no kernel spec named"):
        check_kernel("no-such-kernel-here")


@pytest.fixture(scope="module")
def project(built_project: Path) -> Path:
    """The session's project copy with its data built (templates included)."""
    return built_project


def test_bad_parameter_exits_2_before_any_kernel(project, tmp_path) -> None:
    out = tmp_path / "out" / "region.ipynb"
    proc = cli("region", "-p", "region", "火星", "-o", out, root=project)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip() == ("error: parameter region: '火星' is not a province in the data; "
                           "valid: 上海, 江苏, 安徽, 山东, 广东, 重庆")
    assert not out.parent.exists()
    proc = cli("comparison", "-p", "domains", '["ftz", "space"]', "-o", out, root=project)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "'space' is not a domain; valid: " in err
    assert not out.parent.exists()


# --------------------------------------------------------------------------- execution


@pytest.fixture(scope="module")
def executed(project, tmp_path_factory):
    """Execute the three cases in parallel through the CLI; return their paths and data."""
    root = project
    out = tmp_path_factory.mktemp("executed")
    cases = {
        # an explicit output_dir: inside the output notebook's folder (the rule of
        # analysis.common.outputs)
        "jiangsu": (out / "jiangsu" / "region.ipynb", out / "jiangsu" / "figs",
                    ["region", "-p", "region", "江苏", "-p", "output_dir",
                     out / "jiangsu" / "figs"]),
        "anhui": (out / "anhui" / "region.ipynb", out / "anhui" / "region_figures",
                  ["region", "-p", "region", "Anhui", "-p", "domains",
                   '["industrial", "ftz"]']),
        "comparison": (out / "comparison" / "comparison.ipynb",
                       out / "comparison" / "comparison_figures",
                       ["comparison", "-p", "n_draws", "200"]),
    }
    procs = {}
    for name, (nb_path, _, args) in cases.items():
        procs[name] = (cli(*args, "-o", nb_path, root=root), time.perf_counter())
    results = {}
    for name, (proc, start) in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        results[name] = {"rc": proc.returncode, "stdout": stdout, "stderr": stderr,
                         "seconds": time.perf_counter() - start,
                         "path": cases[name][0], "figures": cases[name][1]}
    processed = root / "data" / "processed"
    return {"cases": results, "items": load_items(processed / "items.csv"),
            "figures": load_figures(processed / "figures.csv")}


def outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def glued(nb) -> dict[str, dict]:
    out = {}
    for o in outputs(nb):
        name = o.get("metadata", {}).get("scrapbook", {}).get("name")
        if name:
            out[name] = {k.removeprefix(GLUE): v for k, v in o.get("data", {}).items()}
    return out


def markdown(nb) -> str:
    return "\n".join(o["data"]["text/markdown"] for o in outputs(nb)
                     if "text/markdown" in o.get("data", {}))


def read(case: dict):
    assert case["rc"] == 0, case["stderr"]
    return nbformat.read(case["path"], as_version=4)


def check_clean(nb, case: dict) -> None:
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs(nb))
    assert not list(case["path"].parent.glob(".*.tmp.ipynb"))  # temp file renamed away
    assert str(case["path"]) in case["stdout"]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "region"), [("jiangsu", "江苏"), ("anhui", "安徽")])
def test_region_notebook(executed, case, region) -> None:
    run = executed["cases"][case]
    nb = read(run)
    check_clean(nb, run)
    items = executed["items"]
    mine = items[items["provinces"].map(lambda v: region in split_field(v))]
    glue = glued(nb)
    assert glue[f"{case}_n_items"]["text/plain"] == str(len(mine))
    assert glue[f"{case}_n_items_total"]["text/plain"] == str(len(items))
    assert f"appears in {len(mine)} of the {len(items)} items" in markdown(nb)
    assert "image/png" in glue[f"{case}_profile_fig"]
    assert "image/png" in glue[f"{case}_instruments_fig"]
    national = mine.loc[mine["is_national_first"] == 1, "item_id"]
    assert glue[f"{case}_n_national_first"]["text/plain"] == str(len(national))
    for item_id in mine["item_id"]:  # the items table lists every item
        assert any(item_id in o.get("data", {}).get("text/markdown", "") for o in outputs(nb))
    for name in ("profile", "instruments"):
        assert (run["figures"] / f"{name}.png").stat().st_size > 0
        assert (run["figures"] / f"{name}.csv").is_file()


@pytest.mark.slow
def test_region_parameters_reach_the_notebook(executed) -> None:
    nb = read(executed["cases"]["anhui"])
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "Anhui" in injected[0].source
    glue = glued(nb)
    assert set(k for k in glue if k.startswith("anhui_n_")) >= {"anhui_n_industrial",
                                                                "anhui_n_ftz"}
    assert "anhui_n_digital_government" not in glue
    assert glue["anhui_label"]["text/plain"] == "'Anhui 安徽'"


@pytest.mark.slow
def test_comparison_notebook(executed) -> None:
    run = executed["cases"]["comparison"]
    nb = read(run)
    check_clean(nb, run)
    items = executed["items"]
    glue = glued(nb)
    assert glue["comparison_n_items"]["text/plain"] == str(len(items))
    provinces = {p for v in items["provinces"] for p in split_field(v)}
    assert glue["comparison_n_provinces"]["text/plain"] == str(len(provinces))
    for domain in ("digital_government", "ftz", "industrial"):
        n = items["domains"].map(lambda v, d=domain: d in split_field(v)).sum()
        assert glue[f"comparison_n_{domain}"]["text/plain"] == str(n)
        assert "image/png" in glue[f"comparison_ranks_{domain}_fig"]
        assert (run["figures"] / f"ranks_{domain}.png").is_file()
        ranks = pd.read_csv(run["figures"] / f"ranks_{domain}.csv")
        assert set(ranks["n_draws"]) == {200} and len(ranks) == len(provinces)
    for name in ("heatmap", "instruments", "commitments"):
        assert "image/png" in glue[f"comparison_{name}_fig"]
        assert (run["figures"] / f"{name}.png").is_file()
    text = markdown(nb)
    for key in ("comparison_independence", "comparison_count_model"):
        assert glue[key]["text/plain"].strip("'\"") in text
