"""The Over-time views on the seed (one issue) and on four in-memory copies of it dated with
gaps (the copies share the seed's items, so every count per issue is known)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import views
from analysis.dataset.tables import load_figures, load_items
from analysis.views import over_time as ot
from analysis.views.params import DataInfo, validate_params

DATES = {"a": "2020-09", "b": "2020-10", "c": "2021-01", "d": "2021-02"}


def _copies(items: pd.DataFrame, figures: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    out_items, out_figs, rows = [], [], []
    for bid, date in DATES.items():
        copy = items.assign(bulletin_id=bid, issue_date=date,
                            item_id=items["item_id"].str.replace("bulletin-2020-09", bid))
        figs = figures.assign(bulletin_id=bid,
                              item_id=figures["item_id"].str.replace("bulletin-2020-09", bid),
                              figure_id=figures["figure_id"].str.replace("bulletin-2020-09", bid))
        out_items.append(copy)
        out_figs.append(figs)
        rows.append({"bulletin_id": bid, "issue_date": date, "n_items": len(copy),
                     "reviewed": int(bid == "a"), "synthetic": 0})
    return (pd.concat(out_items, ignore_index=True), pd.concat(out_figs, ignore_index=True),
            pd.DataFrame(rows))


@pytest.fixture(scope="module")
def seed(built_project):
    processed = built_project / "data" / "processed"
    return load_items(processed / "items.csv"), load_figures(processed / "figures.csv")


def _setup(items, figures, bulletins, template="over_time", **raw):
    info = DataInfo.from_items(items)
    p = validate_params(template, raw, info)
    return p, views.load_data(p, items, figures), ot.issues_of(p, bulletins)


def test_one_issue_says_why_there_is_no_trend(seed) -> None:
    items, figures = seed
    bulletins = pd.DataFrame([{"bulletin_id": "bulletin-2020-09", "issue_date": "2020-09",
                               "n_items": 24, "reviewed": 1, "synthetic": 0}])
    p, data, issues = _setup(items, figures, bulletins)
    text = ot.over_time_scope(data, p, issues).text
    assert text.startswith("Only one issue (bulletin-2020-09, 2020-09) is in the data")
    assert "at least 4 dated issues" in text
    trends = ot.trend_table(data, p, issues)
    assert set(trends.table["reading"]) == {"not valid (1 issue; at least 4 needed)"}
    assert "no earlier issue" in ot.latest_issue(data, p, issues).text


def test_four_issues_with_gaps(seed) -> None:
    items, figures, bulletins = _copies(*seed)
    p, data, issues = _setup(items, figures, bulletins)
    assert issues.order == ["a", "b", "c", "d"]
    scope = ot.over_time_scope(data, p, issues).text
    assert scope.startswith("4 issues from 2020-09 to 2021-02 (6 months; no issue in 2 months: "
                            "2020-11 and 2020-12), 96 items in all.")
    overview = ot.issue_overview(data, p, issues).table
    assert list(overview.index) == ["2020-09", "2020-10", "2020-11", "2020-12", "2021-01",
                                    "2021-02"]
    assert overview.loc["2020-11", "issue"] == "no issue"
    assert overview.loc["2021-02", "items"] == 24 and overview.loc["2020-09", "reviewed"] == "yes"
    provinces = ot.by_issue(data, p, issues, "provinces").table
    assert list(provinces.columns[:6]) == ["2020-09", "2020-10", "2020-11", "2020-12",
                                           "2021-01", "2021-02"]
    jiangsu = provinces.loc["Jiangsu 江苏"]
    assert [jiangsu[m] for m in ("2020-09", "2020-10", "2021-01", "2021-02")] == [5] * 4
    assert pd.isna(jiangsu["2020-11"])  # a gap, not a zero
    trends = ot.trend_table(data, p, issues).table
    assert trends.loc["Jiangsu 江苏", "reading"] == "no clear trend"
    assert trends.loc["Jiangsu 江苏", "rate ratio per year"] == pytest.approx(1.0, abs=1e-6)
    assert trends.loc["Jiangsu 江苏", "items"] == 20
    latest = ot.latest_issue(data, p, issues)
    assert latest.values["over_time_latest_new_pairs"] == 0  # the copy adds nothing new


def test_a_region_over_time(seed) -> None:
    items, figures, bulletins = _copies(*seed)
    p, data, issues = _setup(items, figures, bulletins, "region", region="江苏")
    section = ot.region_over_time(data, p, issues)
    assert section.text.startswith("Jiangsu 江苏 across 4 issues: 20 items")
    assert "no clear trend (rate ratio 1.00 per year" in section.text
    assert section.table.loc["2021-01", "share of the issue"] == "21%"


def _issues(n_months: int) -> ot.Issues:
    from analysis.compare.trend import calendar

    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(0, n_months, 2)]
    c = calendar(pd.DataFrame({"bulletin_id": [f"x{i}" for i in range(len(months))],
                               "issue_date": months, "n_items": 1, "reviewed": 1}))
    return ot.Issues(c, c[~c["gap"]].reset_index(drop=True), [])


@pytest.mark.parametrize(("n_months", "columns"), [
    (12, [f"2000-{m:02d}" for m in range(1, 12, 2)]),
    (36, [f"{y} Q{q}" for y in (2000, 2001, 2002) for q in (1, 2, 3, 4)]),
    (120, [str(y) for y in range(2000, 2010)]),
    (240, ["2000-2004", "2005-2009", "2010-2014", "2015-2019"]),
])
def test_long_series_are_summed_into_readable_columns(n_months: int, columns: list[str]) -> None:
    assert sorted(set(ot._column(_issues(n_months)).values())) == columns
