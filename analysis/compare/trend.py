"""Issues as a time series: the monthly calendar of the issues, counts per issue, and a trend
reading that says when the counts cannot carry one.

Decisions:

* The time axis is the calendar month of each issue (``issue_date`` from its sidecar). Months
  between the first and the last issue that have no issue are *gaps*: they are kept in
  :func:`calendar` (``bulletin_id`` empty) so tables and charts show them as gaps, never as
  zeros. Issues without a date stay out of the series and are counted as such.
* A trend is a quasi-Poisson regression of an item count on time (years since the first issue)
  with the issue's total item count as exposure (``log(n_items)`` offset): the rate ratio per
  year says how the *share* of the issue's items on a province or domain changes, so a longer
  issue does not look like growth. The dispersion is the Pearson chi-square over its degrees of
  freedom, floored at 1 (never narrower than Poisson): over-dispersed counts widen the interval
  instead of faking precision.
* The reading is "not valid" (in words, with the reason) with fewer than
  :data:`MIN_TREND_ISSUES` issues or fewer than :data:`MIN_TREND_ITEMS` items counted; it says
  "rising" / "falling" only when the 95% interval of the rate ratio excludes 1.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.dataset.tables import split_field

__all__ = ["MIN_TREND_ISSUES", "MIN_TREND_ITEMS", "Trend", "calendar", "counts_by_issue",
           "poisson_trend"]

#: Fewest dated issues a trend is estimated from.
MIN_TREND_ISSUES = 4
#: Fewest items (summed over the issues) a trend is estimated from.
MIN_TREND_ITEMS = 10


def calendar(bulletins: pd.DataFrame) -> pd.DataFrame:
    """Every month from the first to the last dated issue, in order.

    Columns: ``month`` (``YYYY-MM``), ``bulletin_id`` (``""`` for a gap; a month with two issues
    has two rows), ``n_items`` (0 for a gap), ``reviewed`` (0/1, 0 for a gap), ``gap`` (bool),
    ``years`` (time since the first month, in years).
    """
    cols = ["month", "bulletin_id", "n_items", "reviewed", "gap", "years"]
    dated = bulletins[bulletins["issue_date"].fillna("").astype(str) != ""]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    periods = pd.PeriodIndex(dated["issue_date"].astype(str), freq="M")
    frame = pd.DataFrame({"period": periods, "bulletin_id": dated["bulletin_id"].to_numpy(),
                          "n_items": dated["n_items"].astype(int).to_numpy(),
                          "reviewed": dated["reviewed"].astype(int).to_numpy()})
    every = pd.period_range(periods.min(), periods.max(), freq="M")
    gaps = pd.DataFrame({"period": [m for m in every if m not in set(periods)]})
    gaps = gaps.assign(bulletin_id="", n_items=0, reviewed=0)
    out = pd.concat([frame, gaps], ignore_index=True).sort_values(["period", "bulletin_id"])
    first = every.min()
    out["gap"] = out["bulletin_id"] == ""
    out["years"] = [(p - first).n / 12 for p in out["period"]]
    out["month"] = out["period"].astype(str)
    return out[cols].reset_index(drop=True)


def counts_by_issue(items: pd.DataFrame, field: str, issues: list[str],
                    values: list[str] | None = None) -> pd.DataFrame:
    """Items per value of a ``;``-joined ``field`` (``provinces``, ``domains``) and issue.

    Rows: ``values`` (default: every value found, in order of appearance); columns: ``issues``
    (bulletin ids, in the given order); an item with several values counts in each row.
    """
    rows = [(v, b) for b, cell in zip(items["bulletin_id"], items[field], strict=True)
            for v in split_field(cell)]
    found = list(dict.fromkeys(v for v, _ in rows))
    index = list(values) if values is not None else found
    table = pd.DataFrame(0, index=pd.Index(index, name=field), columns=list(issues), dtype=int)
    for value, bulletin in rows:
        if value in table.index and bulletin in table.columns:
            table.loc[value, bulletin] += 1
    return table


@dataclass(frozen=True)
class Trend:
    """A trend reading. ``rate_ratio`` (per year) and its interval and ``p`` are None when the
    reading is not valid; ``reason`` then says why."""

    n_issues: int
    n_items: int
    valid: bool
    reason: str
    rate_ratio: float | None = None
    low: float | None = None
    high: float | None = None
    p: float | None = None

    @property
    def reading(self) -> str:
        """``rising`` / ``falling`` / ``no clear trend`` / ``not valid (...)``."""
        if not self.valid:
            return f"not valid ({self.reason})"
        assert self.low is not None and self.high is not None
        if self.low > 1:
            return "rising"
        if self.high < 1:
            return "falling"
        return "no clear trend"


def poisson_trend(counts: pd.Series | list[int], exposure: pd.Series | list[int],
                  years: pd.Series | list[float]) -> Trend:
    """Trend of ``counts`` per issue given each issue's item total (``exposure``) and time in
    ``years``; see the module doc for the model and when it is not valid."""
    y = np.asarray(counts, dtype=float)
    n = np.asarray(exposure, dtype=float)
    t = np.asarray(years, dtype=float)
    n_issues, n_items = len(y), int(y.sum())
    if n_issues < MIN_TREND_ISSUES:
        return Trend(n_issues, n_items, False,
                     f"{n_issues} issue{'s' if n_issues != 1 else ''}; at least "
                     f"{MIN_TREND_ISSUES} needed")
    if n_items < MIN_TREND_ITEMS:
        return Trend(n_issues, n_items, False,
                     f"{n_items} item{'s' if n_items != 1 else ''}; at least "
                     f"{MIN_TREND_ITEMS} needed")
    if np.ptp(t) == 0:
        return Trend(n_issues, n_items, False, "all issues in one month")
    if n_items == n.sum():
        return Trend(n_issues, n_items, False, "every item of every issue is counted")
    import statsmodels.api as sm

    design = sm.add_constant(t - t.mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(n)).fit()
        except (ValueError, np.linalg.LinAlgError):
            return Trend(n_issues, n_items, False, "the model did not fit")
    dispersion = max(1.0, float(fit.pearson_chi2) / max(1, n_issues - 2))
    slope, se = float(fit.params[1]), float(fit.bse[1]) * math.sqrt(dispersion)
    if not (math.isfinite(slope) and math.isfinite(se)):
        return Trend(n_issues, n_items, False, "the model did not fit")
    from scipy.stats import norm

    p = float(2 * norm.sf(abs(slope / se))) if se > 0 else 1.0
    return Trend(n_issues, n_items, True, "", math.exp(slope), math.exp(slope - 1.96 * se),
                 math.exp(slope + 1.96 * se), p)
