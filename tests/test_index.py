"""Composite index: weights validation, normalisation, known ranks, seeded sensitivity."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.common.errors import InputError
from analysis.common.paths import INDEX_WEIGHTS
from analysis.compare.index import (
    INDICATORS,
    Indicator,
    compute_index,
    default_weights,
    indicator_names,
    leave_one_out,
    load_weights,
    normalise,
    rank_label,
    rank_sensitivity,
    share_text,
    validate_weights,
    weights_text,
)
from analysis.compare.indicators import indicator_table

from support.frames import figures, items

TWO = (Indicator("x", "X", "higher", "x"), Indicator("y", "Y", "higher", "y"))


def two_table() -> pd.DataFrame:
    """A beats on x, B on y, C is middling on both (normalised: A (1,0), B (0,1), C (.45,.45))."""
    return pd.DataFrame({"province": ["A", "B", "C"], "domain": "ftz",
                         "x": [10.0, 0.0, 4.5], "y": [0.0, 20.0, 9.0],
                         "item_ids": ["a1", "b1;b2", "c1"]})


def test_validate_weights() -> None:
    equal = validate_weights(None)
    assert set(equal) == set(indicator_names()) and math.isclose(sum(equal.values()), 1.0)
    w = validate_weights({"x": 3, "y": 1}, TWO)
    assert w == {"x": 0.75, "y": 0.25}
    # a partial mapping merges with the declared defaults (weight 1 each): never a silent 0
    assert validate_weights({"x": 2}, TWO) == {"x": 2 / 3, "y": 1 / 3}
    assert validate_weights({"x": 2}, TWO, base={"x": 1, "y": 3}) == {"x": 0.4, "y": 0.6}
    with pytest.raises(ValueError, match=r"unknown index indicator 'z'; valid: x, y"):
        validate_weights({"z": 1}, TWO)
    with pytest.raises(ValueError, match="expected a mapping of indicator -> weight, got 'heavy'"):
        validate_weights("heavy", TWO)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        validate_weights({"x": -1, "y": 1}, TWO)
    with pytest.raises(ValueError, match="all zero"):
        validate_weights({"x": 0, "y": 0}, TWO)
    with pytest.raises(ValueError, match="finite number"):
        validate_weights({"x": "a lot"}, TWO)


def test_declared_default_weights() -> None:
    heavy = (Indicator("x", "X", "higher", "x", weight=3), Indicator("y", "Y", "higher", "y"))
    assert default_weights(heavy) == {"x": 0.75, "y": 0.25}
    assert validate_weights({"y": 3}, heavy) == {"x": 0.5, "y": 0.5}


def test_load_weights(tmp_path) -> None:
    project = load_weights(INDEX_WEIGHTS)  # the shipped file: equal weights
    assert all(math.isclose(v, 1 / len(INDICATORS)) for v in project.values())
    path = tmp_path / "w.yml"
    path.write_text("weights:\n  x: 1\n  y: 3\n", encoding="utf-8")
    assert load_weights(path, TWO) == {"x": 0.25, "y": 0.75}
    path.write_text("weights:\n  y: 3\n", encoding="utf-8")  # x keeps its declared weight
    assert load_weights(path, TWO) == {"x": 0.25, "y": 0.75}
    path.write_text("weights:\n  money: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w.yml: weights: unknown index indicator 'money'"):
        load_weights(path)
    path.write_text("weights:\n  x: 1\n  x: 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w.yml: YAML error at line 3, column 3: duplicate key"):
        load_weights(path, TWO)
    path.write_text("weights: [x: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w.yml: YAML error at line"):
        load_weights(path, TWO)
    assert load_weights(tmp_path / "missing.yml", TWO) == {"x": 0.5, "y": 0.5}


def test_weights_text_adds_up() -> None:
    w = validate_weights({"n_national_first": 2})
    assert share_text(w["n_national_first"]) == "0.25" and share_text(w["n_items"]) == "0.125"
    assert weights_text(w) == ("weights n_national_first 0.25; n_items, share_of_province, "
                               "n_sides_used, money_yuan, n_count_figures, horizon_years 0.125 "
                               "each")
    assert weights_text(validate_weights(None)) == "equal weights on 7 indicators"
    thirds = validate_weights({"x": 1, "y": 2}, TWO)
    assert [share_text(v) for v in thirds.values()] == ["1/3", "2/3"]


def test_normalise_min_max_and_all_equal() -> None:
    s = pd.Series([2.0, 4.0, 6.0])
    assert normalise(s).tolist() == [0.0, 0.5, 1.0]
    assert normalise(s, "lower").tolist() == [1.0, 0.5, 0.0]
    assert normalise(pd.Series([3.0, 3.0])).tolist() == [0.0, 0.0]


def test_index_known_ranks_and_scores() -> None:
    idx = compute_index(two_table(), {"x": 0.6, "y": 0.4}, TWO)
    assert idx["province"].tolist() == ["A", "C", "B"] and idx["rank"].tolist() == [1, 2, 3]
    assert [round(s, 6) for s in idx["score"]] == [0.6, 0.45, 0.4]
    tie = compute_index(two_table(), None, TWO)  # equal weights: A and B tie at 0.5
    assert tie.set_index("province")["rank"].to_dict() == {"A": 1, "B": 1, "C": 3}


def test_index_on_indicator_table() -> None:
    idx = compute_index(indicator_table(items(), figures()))
    ftz = idx[idx["domain"] == "ftz"].set_index("province")
    assert ftz["rank"].to_dict() == {"上海": 1, "江苏": 2, "浙江": 3}
    # 上海 is top on 6 of 7 indicators; n_count_figures is 0 everywhere -> 0 for all
    assert math.isclose(ftz.loc["上海", "score"], 6 / 7)
    money = math.log10(1 + 1e6) / math.log10(1 + 501e6)
    assert math.isclose(ftz.loc["江苏", "score"], (0.5 + 1 / 3 + 1 / 3 + money) / 7)
    assert ftz.loc["上海", "item_ids"] == "b-01;b-02"


def test_rank_sensitivity_seeded_and_ranges() -> None:
    a = rank_sensitivity(two_table(), {"x": 0.6, "y": 0.4}, n_draws=2000, seed=7,
                         indicators=TWO)
    b = rank_sensitivity(two_table(), {"x": 0.6, "y": 0.4}, n_draws=2000, seed=7,
                         indicators=TWO)
    pd.testing.assert_frame_equal(a, b)
    r = a.set_index("province")
    # A wins when w_x > .5, is last when w_x < .45; C (0.45) can never be first.
    assert (r.loc["A", "min_rank"], r.loc["A", "max_rank"]) == (1, 3)
    assert (r.loc["C", "min_rank"], r.loc["C", "max_rank"]) == (2, 3)
    assert r.loc["C", "rank_range"] == "2-3" and r.loc["C", "rank"] == 2
    assert r.loc["C", "label"] == "2 (2-3)"
    assert r.loc["C", "p05_rank"] == 2 and r.loc["A", "p95_rank"] == 3
    assert r.loc["B", "item_ids"] == "b1;b2" and (a["n_draws"] == 2000).all()


def test_leave_one_out_known() -> None:
    loo = leave_one_out(two_table(), {"x": 0.6, "y": 0.4}, TWO)
    without_x = loo[loo["dropped"] == "x"].set_index("province")["rank"].to_dict()
    without_y = loo[loo["dropped"] == "y"].set_index("province")["rank"].to_dict()
    assert without_x == {"B": 1, "C": 2, "A": 3}
    assert without_y == {"A": 1, "C": 2, "B": 3}
    assert loo.set_index(["dropped", "province"]).loc[("x", "A"), "shift"] == 2


def test_rank_label() -> None:
    assert rank_label(2, 1, 3) == "2 (1-3)"
    assert rank_label(1, 1, 1) == "1"
