"""Extension points: a domain added to ``data/codebook.yml`` and nothing else is coded,
validated, analysed by default and labelled; charts are declared once and the book's chapters
read the same declarations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import views
from analysis.book import fragments
from analysis.coding.codebook import load_codebook
from analysis.coding.vocab import vocabulary
from analysis.common import paths
from analysis.dataset.schema import data_dictionary
from analysis.dataset.tables import load_figures, load_items, split_field
from analysis.views import charts
from analysis.views.params import DataInfo, validate_params

from conftest import ROOT, build_data, make_project

GREEN = """  green:
    label: Green development
    phrase: green development
    definition: Environmental protection, ecology and low-carbon development.
    keywords: {strong: [绿色, 生态, 环保], weak: []}
    min_score: 2
"""


@pytest.fixture(scope="module")
def green(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose codebook gained one domain, its data built by the CLI."""
    root = make_project(tmp_path_factory.mktemp("green") / "project")
    codebook = root / "data" / "codebook.yml"
    text = codebook.read_text(encoding="utf-8")
    assert "  other:\n    label: Other" in text
    codebook.write_text(text.replace("  other:\n    label: Other",
                                     GREEN + "  other:\n    label: Other", 1), encoding="utf-8")
    return build_data(root)


@pytest.fixture
def green_codebook(green: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(paths, "CODEBOOK", green / "data" / "codebook.yml")
    return green


def test_the_new_domain_is_coded_and_passes_validation(green: Path) -> None:
    items = load_items(green / "data" / "processed" / "items.csv")
    coded = [i for i, d in zip(items["item_id"], items["domains"], strict=True)
             if "green" in split_field(d)]
    assert len(coded) >= 2  # the seed speaks of 绿色 and 生态 in several items


def test_the_new_domain_is_in_the_schema_and_the_data_dictionary(green_codebook: Path) -> None:
    vocab = vocabulary()
    assert vocab.domains[-2:] == ("green", "other") and vocab.fallback_domain == "other"
    row = data_dictionary(vocab=vocab).set_index(["table", "column"]).loc[("items", "domains")]
    assert "green" in row["allowed_values"]


def test_the_new_domain_is_analysed_by_default_with_its_label(green_codebook: Path) -> None:
    processed = green_codebook / "data" / "processed"
    items, figures = load_items(processed / "items.csv"), load_figures(processed / "figures.csv")
    p = validate_params("comparison", {}, DataInfo.from_items(items))
    assert p.domains == ["digital_government", "ftz", "industrial", "green"]
    counts = views.comparison_counts(views.load_data(p, items, figures), p)
    assert "Green development: " in counts.text  # the codebook's phrase, capitalised
    assert "green" in set(counts.data["domain"])
    methods = fragments.codebook(load_codebook(paths.CODEBOOK))[0]
    assert "Green development" in methods and "Environmental protection" in methods


@pytest.mark.slow
def test_the_new_domain_reaches_an_executed_notebook(green: Path, tmp_path: Path) -> None:
    out = tmp_path / "comparison.ipynb"
    env = {**os.environ, "BULLETIN_ROOT": str(green)}
    run = subprocess.run([sys.executable, "-m", "analysis", "notebook", "comparison",
                          "-p", "n_draws", "50", "-o", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    nb = nbformat.read(out, as_version=4)
    shown = "\n".join(o.get("data", {}).get("text/markdown", "")
                      for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Green development: " in shown
    figures = tmp_path / "comparison_figures"
    heatmap = pd.read_csv(figures / "heatmap.csv")
    assert "green" in set(heatmap["domain"])
    assert (figures / "ranks_green.png").is_file()


def test_every_chart_is_declared_once_and_parses_back() -> None:
    domains = ("ftz", "other")
    for name, chart in charts.CHARTS.items():
        assert chart.name == name and chart.caption
        for domain in (domains if chart.per_domain else (None,)):
            key = f"jiangsu_{chart.stem(domain)}_fig"
            assert charts.parse_key(key, "jiangsu_", domains) == (chart, domain)
    with pytest.raises(KeyError, match="no declared chart"):
        charts.parse_key("jiangsu_pie_fig", "jiangsu_", domains)


def test_templates_draw_only_declared_charts() -> None:
    for name in ("region", "comparison"):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        drawn = set(pd.Series(code).str.extractall(r'charts\.figures\("(\w+)"')[0])
        assert drawn and drawn <= set(charts.CHARTS), name
        assert "plots." not in code  # no chart is drawn outside the registry
