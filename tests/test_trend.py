"""Issues on the calendar and trend readings (analysis.compare.trend)."""

import math

import pandas as pd
import pytest

from analysis.compare.trend import (
    MIN_TREND_ISSUES,
    MIN_TREND_ITEMS,
    calendar,
    counts_by_issue,
    poisson_trend,
)


def bulletins() -> pd.DataFrame:
    return pd.DataFrame({"bulletin_id": ["b", "a", "c", "u"],
                         "issue_date": ["2021-01", "2020-10", "2020-11", ""],
                         "n_items": [5, 3, 4, 2], "reviewed": [0, 1, 1, 0]})


def test_calendar_orders_issues_by_date_and_keeps_gaps_as_gaps() -> None:
    cal = calendar(bulletins())
    assert list(cal["month"]) == ["2020-10", "2020-11", "2020-12", "2021-01"]
    assert list(cal["bulletin_id"]) == ["a", "c", "", "b"]
    assert list(cal["gap"]) == [False, False, True, False]
    assert list(cal["n_items"]) == [3, 4, 0, 5]
    assert cal["years"].tolist() == pytest.approx([0, 1 / 12, 2 / 12, 3 / 12])
    assert "u" not in set(cal["bulletin_id"])  # undated: out of the series


def test_calendar_of_no_dated_issue_is_empty() -> None:
    frame = bulletins().assign(issue_date="")
    assert calendar(frame).empty


def test_counts_by_issue_counts_an_item_in_each_of_its_rows() -> None:
    items = pd.DataFrame({"bulletin_id": ["a", "a", "b"],
                          "provinces": ["上海;江苏", "江苏", ""]})
    table = counts_by_issue(items, "provinces", ["a", "b"], ["江苏", "上海", "浙江"])
    assert table.loc["江苏"].tolist() == [2, 0]
    assert table.loc["上海"].tolist() == [1, 0]
    assert table.loc["浙江"].tolist() == [0, 0]


def test_trend_is_not_valid_with_too_few_issues_or_items() -> None:
    few = poisson_trend([5] * (MIN_TREND_ISSUES - 1), [20] * 3, [0, 0.1, 0.2])
    assert not few.valid and few.reading.startswith("not valid (3 issues")
    sparse = poisson_trend([1, 0, 2, 1], [20] * 4, [0, 0.1, 0.2, 0.3])
    assert sum([1, 0, 2, 1]) < MIN_TREND_ITEMS
    assert not sparse.valid and "4 items" in sparse.reading


def test_a_steady_share_is_no_trend_and_a_growing_one_rises() -> None:
    steady = poisson_trend([5, 10, 5, 10, 5, 10], [50, 100, 50, 100, 50, 100],
                           [0, 0.25, 0.5, 0.75, 1, 1.25])
    assert steady.valid and steady.reading == "no clear trend"
    assert steady.rate_ratio == pytest.approx(1.0, abs=1e-6)
    rising = poisson_trend([2, 4, 8, 16, 32], [100] * 5, [0, 1, 2, 3, 4])
    assert rising.reading == "rising"
    assert rising.rate_ratio == pytest.approx(2.0, rel=0.02)
    assert rising.low > 1 and rising.p < 0.001


def test_overdispersion_widens_the_interval() -> None:
    calm = poisson_trend([10, 11, 12, 13, 14, 15], [100] * 6, [0, 1, 2, 3, 4, 5])
    wild = poisson_trend([2, 25, 3, 30, 4, 35], [100] * 6, [0, 1, 2, 3, 4, 5])
    width = [math.log(t.high / t.low) for t in (calm, wild)]
    assert width[1] > 3 * width[0]
    assert wild.reading == "no clear trend"
