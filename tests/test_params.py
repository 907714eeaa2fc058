"""Notebook parameters: defaults resolve against the data, bad values fail in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.common.errors import InputError
from analysis.compare.index import indicator_names
from analysis.dataset.tables import load_items, split_field
from analysis.run.notebook import parse_parameters, parse_value
from analysis.views.params import (
    ComparisonParams,
    DataInfo,
    RegionParams,
    parameter_names,
    validate_params,
)

from conftest import ROOT

SEED_PROVINCES = ["上海", "江苏", "安徽", "山东", "广东", "重庆"]


@pytest.fixture(scope="module")
def items(built_project: Path) -> pd.DataFrame:
    return load_items(built_project / "data" / "processed" / "items.csv")


@pytest.fixture(scope="module")
def data(items) -> DataInfo:
    return DataInfo.from_items(items)


def provinces_in(items: pd.DataFrame) -> set[str]:
    return {p for v in items["provinces"] for p in split_field(v)}


def test_data_info_lists_the_provinces_of_the_data(data, items) -> None:
    assert set(data.provinces()) == provinces_in(items)
    assert data.provinces() == SEED_PROVINCES  # GB/T 2260 code order
    assert data.bulletins == tuple(sorted(set(items["bulletin_id"])))
    assert data.names["江苏"] == "Jiangsu"


def test_data_info_loads_without_pandas_like_from_the_table(built_project, data,
                                                             tmp_path) -> None:
    """``DataInfo.load`` reads two columns with the csv module (the runner checks every case
    before any kernel starts, without importing pandas) and equals the typed table's."""
    items_csv = built_project / "data" / "processed" / "items.csv"
    assert DataInfo.load(items_csv) == data
    broken = tmp_path / "items.csv"
    broken.write_text("item_id,bulletin_id\nx,2020-09\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns: provinces"):
        DataInfo.load(broken)


def test_checking_parameters_imports_neither_numpy_nor_pandas() -> None:
    code = ("import sys, analysis.run.fanout, analysis.views.params\n"
            "print(sorted(m for m in ('numpy', 'pandas', 'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_region_defaults_resolve(data, items) -> None:
    first = validate_params("region", {}, data)
    assert first.region == "上海"  # no region given: the first province in GB/T 2260 order
    p = validate_params("region", {"region": "江苏"}, data)
    assert isinstance(p, RegionParams)
    # the default domains are every codebook domain but the fallback (other)
    assert p.domains == ["digital_government", "ftz", "industrial"]
    assert p.peers == [x for x in SEED_PROVINCES if x != "江苏"]
    assert p.bulletins == sorted(set(items["bulletin_id"]))
    assert set(p.weights) == set(indicator_names())
    assert sum(p.weights.values()) == pytest.approx(1.0)
    assert p.output_dir.is_absolute() and p.output_dir.parts[-2:] == ("figures",
                                                                      "region-jiangsu")
    assert p.slug == "jiangsu" and p.key("n_items") == "jiangsu_n_items"
    assert p.label("江苏") == "Jiangsu 江苏"
    assert p.figure_path("profile") == p.output_dir / "profile.png"


def test_comparison_defaults_resolve(data) -> None:
    p = validate_params("comparison", {}, data)
    assert isinstance(p, ComparisonParams)
    assert (p.n_draws, p.seed) == (1000, 0)
    assert p.output_dir.name == "comparison" and p.slug == "comparison"


def test_models_construct_with_defaults_on_the_project_data() -> None:
    # What a template's parameters cell does with no injected values, on the session's
    # project (coded here; the build is skipped when its inputs are unchanged).
    from analysis.dataset.build import build

    build()
    assert RegionParams().region == "上海"
    assert ComparisonParams().domains == ["digital_government", "ftz", "industrial"]


def test_names_in_any_form_resolve_to_the_short_name(data) -> None:
    p = validate_params("region", {"region": "anhui", "peers": ["Jiangsu", "上海市", "安徽"]},
                        data)
    assert p.region == "安徽"
    assert p.peers == ["上海", "江苏"]  # region dropped, code order
    assert p.slug == "anhui"


@pytest.mark.parametrize(("raw", "message"), [
    ({"region": "火星"}, "parameter region: '火星' is not a province in the data; valid: "
                         "上海, 江苏, 安徽, 山东, 广东, 重庆"),
    ({"region": "浙江"}, "parameter region: '浙江' is not a province in the data; valid: "
                         "上海, 江苏, 安徽, 山东, 广东, 重庆"),
    ({"region": "江苏", "peers": ["上海", "Mars"]},
     "parameter peers: 'Mars' is not a province in the data; valid: 上海, 安徽, 山东, 广东, 重庆"),
    ({"region": "江苏", "peers": ["江苏"]},
     "parameter peers: no peer province to compare 江苏 with; valid: 上海, 安徽, 山东, 广东, 重庆"),
    ({"domains": ["ftz", "space"]}, "parameter domains: 'space' is not a domain; valid: "
                                    "digital_government, ftz, industrial, other"),
    ({"domains": []}, "parameter domains: give at least one domain; valid: "
                      "digital_government, ftz, industrial, other"),
    ({"bulletins": ["bulletin-1999-01"]}, "parameter bulletins: 'bulletin-1999-01' is not a "
                                          "bulletin in the data; valid: bulletin-2020-09"),
    ({"weights": {"n_items": 1, "money": 2}}, "parameter weights: 'money' is not an index "
                                              "indicator; valid: " + ", ".join(
                                                  indicator_names())),
    ({"weights": {"n_items": -1}}, "parameter weights: weight of n_items must be "
                                   "non-negative, got -1"),
    ({"regoin": "江苏"}, "parameter regoin: not a parameter of the region template; valid: "
                         "domains, bulletins, weights, output_dir, region, peers"),
    ({"weights": "heavy"}, "parameter weights: expected a mapping of indicator -> weight, got "
                           "'heavy'; valid keys: " + ", ".join(indicator_names())),
    ({"domains": 3}, "parameter domains: input should be a valid list, got 3"),
])
def test_bad_region_parameters_fail_in_one_line(data, raw, message) -> None:
    with pytest.raises(InputError) as err:
        validate_params("region", raw, data)
    assert str(err.value) == message
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("raw", "where"), [
    ({"n_draws": 0}, "parameter n_draws"), ({"n_draws": "many"}, "parameter n_draws"),
    ({"seed": -1}, "parameter seed"), ({"region": "江苏"}, "parameter region"),
    ({"weights": {n: 0 for n in indicator_names()}}, "parameter weights"),
])
def test_bad_comparison_parameters(data, raw, where) -> None:
    with pytest.raises(InputError) as err:
        validate_params("comparison", raw, data)
    assert err.value.where == where


def test_unknown_template(data) -> None:
    with pytest.raises(InputError, match="valid: region, comparison"):
        validate_params("atlas", {}, data)
    assert validate_params("/any/folder/region.ipynb", {}, data).region == "上海"


def test_runner_style_parameters(data, tmp_path) -> None:
    """The runner passes region and the case folder; both round-trip."""
    p = validate_params("region", {"region": "广东", "output_dir": str(tmp_path / "gd")}, data)
    assert p.output_dir == tmp_path / "gd" and p.region == "广东"
    assert p.public()["output_dir"] == str(tmp_path / "gd")


def test_parameter_names_follow_the_models() -> None:
    assert parameter_names("region") == ["domains", "bulletins", "weights", "output_dir",
                                          "region", "peers"]
    assert parameter_names("comparison") == list(ComparisonParams.model_fields)


def test_partial_weights_merge_with_the_project_weights(data) -> None:
    p = validate_params("comparison", {"weights": {"n_national_first": 2}}, data)
    assert p.weights["n_national_first"] == pytest.approx(0.25)
    assert p.weights["n_items"] == pytest.approx(0.125)
    assert sum(p.weights.values()) == pytest.approx(1.0)


def test_cli_values_are_yaml() -> None:
    assert parse_value('["ftz"]') == ["ftz"]
    assert parse_value("1000") == 1000 and parse_value("江苏") == "江苏"
    assert parse_value("") is None and parse_value("null") is None
    assert parse_value("{n_items: 2}") == {"n_items": 2}
    assert parse_parameters([("region", "Anhui"), ("seed", "3")]) == {"region": "Anhui",
                                                                      "seed": 3}
    with pytest.raises(InputError, match="parameter seed: given twice"):
        parse_parameters([("seed", "1"), ("seed", "2")])
    with pytest.raises(InputError, match=r"parameter domains: .* is not valid YAML"):
        parse_parameters([("domains", "[ftz")])
