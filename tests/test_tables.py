"""Readers and `;`-field helpers of analysis.dataset.tables and the long form of
analysis.compare.cells, on hand-made CSVs."""


from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.common.errors import InputError
from analysis.compare.cells import cell_grid, explode, ids_by_cell
from analysis.dataset.schema import columns
from analysis.dataset.tables import (
    issue_year,
    join_ids,
    load_figures,
    load_items,
    split_field,
)

ITEM_COLUMNS = columns("items")
FIGURE_COLUMNS = columns("figures")


def test_split_field_handles_empty_nan_and_spaces() -> None:
    assert split_field("上海;江苏") == ["上海", "江苏"]
    assert split_field(" ftz ; ;industrial;") == ["ftz", "industrial"]
    assert split_field("") == []
    assert split_field(None) == []
    assert split_field(float("nan")) == []
    assert split_field(pd.NA) == []


def test_join_ids_sorted_unique() -> None:
    assert join_ids(["b-02", "b-01", "b-02", ""]) == "b-01;b-02"
    assert join_ids([]) == ""


def test_issue_year() -> None:
    assert issue_year("2020-09") == 2020.0
    assert math.isnan(issue_year(""))


def _items() -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": ["b-01", "b-02", "b-03"],
        "provinces": ["上海;江苏", "江苏", ""],
        "domains": ["ftz;industrial", "industrial", "ftz"],
    })


def test_explode_counts_each_province_and_domain() -> None:
    long = explode(_items())
    # b-01: 2 provinces x 2 domains = 4 rows; b-02: 1 row; b-03 has no province: dropped.
    assert len(long) == 5
    assert sorted(long.loc[long["item_id"] == "b-01", "province"] + "/" +
                  long.loc[long["item_id"] == "b-01", "domain"]) == [
        "上海/ftz", "上海/industrial", "江苏/ftz", "江苏/industrial"]
    flat = explode(_items(), per_domain=False)
    assert list(flat["domain"].unique()) == ["all"]
    assert len(flat) == 3  # b-01 twice (2 provinces), b-02 once


def test_cell_grid_and_ids_by_cell() -> None:
    long = explode(_items())
    grid = cell_grid(long)
    assert len(grid) == 4 and list(grid["domain"].unique()) == ["ftz", "industrial"]
    ids = ids_by_cell(long)
    assert ids[("江苏", "industrial")] == "b-01;b-02"
    assert cell_grid(long, ["浙江"], ["ftz"]).to_dict("records") == [
        {"province": "浙江", "domain": "ftz"}]


def _write(path, columns, rows) -> None:
    frame = pd.DataFrame(rows, columns=list(columns))
    frame.to_csv(path, index=False)


def test_load_items_dtypes(tmp_path) -> None:
    row = {c: "" for c in ITEM_COLUMNS}
    row.update(item_id="bulletin-2020-09-01", bulletin_id="bulletin-2020-09",
               issue_date="2020-09", seq="1", start="0", end="120", provinces="上海;江苏",
               domains="ftz", is_national_first="1", is_provincial_first="0", page_start="3")
    path = tmp_path / "items.csv"
    _write(path, ITEM_COLUMNS, [row])
    items = load_items(path)
    assert items.loc[0, "seq"] == 1 and items["seq"].dtype == "int64"
    assert items["page_start"].dtype == "Int64" and items.loc[0, "page_start"] == 3
    assert items.loc[0, "page_end"] is pd.NA
    assert items.loc[0, "cities"] == ""  # empty text stays "", not NaN
    assert items.loc[0, "is_national_first"] == 1


def test_load_items_errors(tmp_path) -> None:
    path = tmp_path / "items.csv"
    _write(path, ITEM_COLUMNS[:-1], [])
    with pytest.raises(InputError, match="missing columns: overridden"):
        load_items(path)
    with pytest.raises(InputError, match="file not found"):
        load_items(tmp_path / "nope.csv")
    row = {c: "" for c in ITEM_COLUMNS}
    row.update(seq="x", start="0", end="1", is_national_first="0", is_provincial_first="0")
    _write(path, ITEM_COLUMNS, [row])
    with pytest.raises(InputError, match="column seq: not an integer on line 2"):
        load_items(path)


def test_load_figures_dtypes(tmp_path) -> None:
    row = {c: "" for c in FIGURE_COLUMNS}
    row.update(figure_id="b-01-f01", item_id="b-01", kind="money", value="5e8", low="5e8",
               high="5e8", target_year="2025", start="10", end="15", unit="yuan")
    path = tmp_path / "figures.csv"
    _write(path, FIGURE_COLUMNS, [row])
    figs = load_figures(path)
    assert figs.loc[0, "value"] == 5e8 and figs["value"].dtype == "float64"
    assert figs["target_year"].dtype == "Int64" and figs.loc[0, "target_year"] == 2025
    assert figs.loc[0, "page"] is pd.NA
