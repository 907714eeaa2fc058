"""Indicators on a hand-made frame: 3 provinces, 6 items, known counts.

Items (province; domains; sides; national first):
b-01 上海; ftz; supply+environment; yes       b-02 上海+江苏; ftz+industrial; demand
b-03 江苏; industrial; supply; yes            b-04 江苏; digital_government; environment
b-05 浙江; digital_government; supply+demand  b-06 浙江; digital_government+industrial; none
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.compare.indicators import (
    indicator_table,
    instrument_mix,
    item_counts,
    national_firsts,
    peer_median,
    quantified_commitments,
)

from support.frames import figures, items


def cell(table: pd.DataFrame, province: str, domain: str) -> pd.Series:
    rows = table[(table["province"] == province) & (table["domain"] == domain)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_item_counts_known_values() -> None:
    t = item_counts(items())
    assert len(t) == 9  # 3 provinces x 3 observed domains, zero cells included
    js = cell(t, "江苏", "industrial")
    assert js["n_items"] == 2 and js["item_ids"] == "b-02;b-03"
    assert js["province_items"] == 3 and js["domain_items"] == 3
    assert math.isclose(js["share_of_province"], 2 / 3)
    assert math.isclose(js["share_of_domain"], 2 / 3)
    zero = cell(t, "上海", "digital_government")
    assert zero["n_items"] == 0 and zero["item_ids"] == "" and zero["share_of_province"] == 0
    # b-02 (2 provinces) counts for both in ftz: domain total 2 distinct, cells 2 + 1
    assert cell(t, "上海", "ftz")["n_items"] == 2 and cell(t, "江苏", "ftz")["n_items"] == 1
    assert cell(t, "江苏", "ftz")["domain_items"] == 2
    # 浙江: b-06 has 2 domains -> shares 2/2 and 1/2 sum to more than 1
    assert cell(t, "浙江", "digital_government")["share_of_province"] == 1.0
    assert cell(t, "浙江", "industrial")["share_of_province"] == 0.5


def test_item_counts_per_province_and_fixed_universe() -> None:
    flat = item_counts(items(), per_domain=False)
    assert flat.set_index("province")["n_items"].to_dict() == {"上海": 2, "江苏": 3, "浙江": 2}
    assert (flat["domain"] == "all").all()
    t = item_counts(items(), provinces=["江苏", "安徽"], domains=["ftz", "other"])
    assert len(t) == 4 and cell(t, "安徽", "other")["n_items"] == 0


def test_national_firsts() -> None:
    t = national_firsts(items())
    sh = cell(t, "上海", "ftz")
    assert sh["n_national_first"] == 1 and sh["share_national_first"] == 0.5
    assert sh["item_ids"] == "b-01"
    assert t["n_national_first"].sum() == 2


def test_instrument_mix() -> None:
    t = instrument_mix(items())
    sh = cell(t, "上海", "ftz")
    assert (sh["n_supply"], sh["n_environment"], sh["n_demand"]) == (1, 1, 1)
    assert math.isclose(sh["share_supply"], 1 / 3) and sh["n_sides_used"] == 3
    zj = cell(t, "浙江", "industrial")  # b-06 has no instrument
    assert zj["n_sides_used"] == 0 and zj["share_supply"] == 0 and zj["item_ids"] == ""
    assert cell(t, "浙江", "digital_government")["item_ids"] == "b-05"
    shares = t[["share_supply", "share_environment", "share_demand"]].sum(axis=1)
    assert all(math.isclose(s, 1.0) or s == 0 for s in shares)


def test_quantified_commitments() -> None:
    t = quantified_commitments(items(), figures())
    sh = cell(t, "上海", "ftz")
    assert sh["money_yuan"] == 501_000_000.0 and sh["n_money_figures"] == 2
    assert sh["target_years"] == "2025" and sh["horizon_years"] == 5.0
    assert sh["figure_ids"] == "b-01-f01;b-02-f01" and sh["item_ids"] == "b-01;b-02"
    js = cell(t, "江苏", "industrial")
    assert js["money_yuan"] == 1e6 and js["n_count_figures"] == 1
    assert js["horizon_years"] == 2.0 and js["target_years"] == "2022"
    zj = cell(t, "浙江", "digital_government")  # percent figure: only its target year counts
    assert zj["money_yuan"] == 0 and zj["horizon_years"] == 2.0 and zj["item_ids"] == "b-05"
    assert math.isnan(cell(t, "浙江", "ftz")["horizon_years"])


def test_foreign_currency_is_never_summed_as_yuan() -> None:
    figs = figures()
    extra = pd.DataFrame([("b-01-f02", "b-01", "money", 2e8, "USD", None),
                          ("b-01-f03", "b-01", "money", 3e9, "JPY", None),
                          ("b-02-f02", "b-02", "money", 1e8, "USD", None)], columns=figs.columns)
    t = quantified_commitments(items(), pd.concat([figs, extra], ignore_index=True))
    sh = cell(t, "上海", "ftz")
    assert sh["money_yuan"] == 501_000_000.0 and sh["n_money_figures"] == 2
    assert sh["money_other"] == "3,000,000,000 JPY; 300,000,000 USD"
    assert "b-01-f02" in sh["figure_ids"]
    assert cell(t, "江苏", "industrial")["money_other"] == "100,000,000 USD"
    assert cell(t, "浙江", "ftz")["money_other"] == ""


def test_indicator_table_is_traceable() -> None:
    t = indicator_table(items(), figures())
    assert len(t) == 9 and t.columns[-1] == "item_ids"
    assert cell(t, "浙江", "digital_government")["item_ids"] == "b-05;b-06"
    assert cell(t, "上海", "ftz")["money_yuan"] == 501_000_000.0
    assert cell(t, "江苏", "industrial")["n_national_first"] == 1
    med = peer_median(t, "江苏", "n_items")
    assert med.to_dict() == {"digital_government": 1.0, "ftz": 1.0, "industrial": 1.0}
