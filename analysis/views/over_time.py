"""The "Over time" chapter and each region's items over time.

Issues are placed on their calendar month (:func:`analysis.compare.trend.calendar`); a month
with no issue is a gap, shown as such. With one issue the chapter says why it shows no trend;
trend readings follow :func:`analysis.compare.trend.poisson_trend` (rate ratio per year of a
province's or domain's share of each issue's items; "not valid" in words when the counts cannot
carry one). Tables over more than :data:`MAX_MONTH_COLUMNS` months are summed by quarter, year
or several years (the finest that fits) so they stay readable; the heatmap keeps every month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.compare.trend import MIN_TREND_ISSUES, Trend, calendar, counts_by_issue, poisson_trend
from analysis.dataset.tables import join_ids, load_bulletins
from analysis.views.common import (
    Data,
    Section,
    and_list,
    cap,
    has_province,
    is_first,
    label,
    money_text,
    plural,
)
from analysis.views.markdown import cite, plain_text
from analysis.views.params import NotebookParams, RegionParams
from analysis.views.plots import domain_label

__all__ = [
    "MAX_MONTH_COLUMNS",
    "Issues",
    "by_issue",
    "issue_overview",
    "issues_of",
    "latest_issue",
    "over_time_scope",
    "region_over_time",
    "trend_table",
    "trend_text",
]

#: Widest province x month table; longer series are summed by year in tables.
MAX_MONTH_COLUMNS = 12


@dataclass(frozen=True)
class Issues:
    """The selected issues on their calendar: ``calendar`` (gaps included), ``dated`` (issue
    rows only, in date order), ``undated`` (bulletin ids without an issue date)."""

    calendar: pd.DataFrame
    dated: pd.DataFrame
    undated: list[str]

    @property
    def order(self) -> list[str]:
        """Bulletin ids of the dated issues in date order."""
        return list(self.dated["bulletin_id"])

    @property
    def months(self) -> dict[str, str]:
        """Bulletin id -> month."""
        return dict(zip(self.dated["bulletin_id"], self.dated["month"], strict=True))


def issues_of(p: NotebookParams, bulletins: pd.DataFrame | None = None) -> Issues:
    """The issues selected by ``p.bulletins`` (``bulletins.csv`` unless given)."""
    table = load_bulletins() if bulletins is None else bulletins
    table = table[table["bulletin_id"].isin(p.bulletins or [])]
    cal = calendar(table)
    dated = cal[~cal["gap"]].reset_index(drop=True)
    undated = [b for b in table["bulletin_id"] if b not in set(dated["bulletin_id"])]
    return Issues(cal, dated, undated)


#: Table column widths tried in turn (months per column) until at most MAX_MONTH_COLUMNS remain.
BIN_MONTHS = (1, 3, 12, 60, 120, 600)


def _bin(issues: Issues) -> int:
    """Months per table column: the finest of :data:`BIN_MONTHS` that fits the series."""
    months = issues.calendar["month"]
    if months.empty:
        return 1
    first, last = (pd.Period(m, freq="M") for m in (months.iloc[0], months.iloc[-1]))
    span = (last - first).n + 1
    return next((b for b in BIN_MONTHS if -(-span // b) <= MAX_MONTH_COLUMNS), BIN_MONTHS[-1])


def _bin_label(month: str, width: int) -> str:
    """``2020-09`` (a month), ``2020 Q3``, ``2020``, or ``2020-2024`` (several years)."""
    period = pd.Period(month, freq="M")
    if width == 1:
        return month
    if width == 3:
        return f"{period.year} Q{period.quarter}"
    years = width // 12
    start = period.year - period.year % years
    return str(start) if years == 1 else f"{start}-{start + years - 1}"


def _column(issues: Issues) -> dict[str, str]:
    """Bulletin id -> table column: its month, or its quarter, year or years when the series
    is too long for :data:`MAX_MONTH_COLUMNS` month columns."""
    months = issues.months
    width = _bin(issues)
    if width > 1:
        return {b: _bin_label(m, width) for b, m in months.items()}
    dup = pd.Series(list(months.values())).duplicated(keep=False).to_numpy()
    return {b: f"{m} ({b})" if d else m for (b, m), d in zip(months.items(), dup, strict=True)}


def over_time_scope(d: Data, p: NotebookParams, issues: Issues) -> Section:
    """Which issues the chapter covers, their span and gaps, and whether a trend can be read."""
    n = len(issues.dated)
    gaps = issues.calendar.loc[issues.calendar["gap"], "month"].tolist()
    undated = (f" {plural(len(issues.undated), 'issue')} without an issue date "
               f"({and_list(issues.undated)}) are left out of the series." if issues.undated
               else "")
    if n == 0:
        text = "No selected issue has an issue date, so nothing can be placed in time." + undated
    elif n == 1:
        only = issues.dated.iloc[0]
        text = (f"Only one issue ({only['bulletin_id']}, {only['month']}) is in the data, so this "
                f"chapter shows no change over time and reads no trend: a trend needs at least "
                f"{MIN_TREND_ISSUES} dated issues." + undated)
    else:
        first, last = issues.dated["month"].iloc[0], issues.dated["month"].iloc[-1]
        text = (f"{plural(n, 'issue')} from {first} to {last} "
                f"({plural(len(issues.calendar['month'].unique()), 'month')}"
                + (f"; no issue in {plural(len(gaps), 'month')}: {and_list(gaps[:12])}"
                   + (" ..." if len(gaps) > 12 else "") if gaps else "; no gaps")
                + f"), {plural(len(d.bulletin_items), 'item')} in all."
                + (f" Trends are read only with at least {MIN_TREND_ISSUES} issues; with "
                   f"{n} they are not valid." if n < MIN_TREND_ISSUES else "") + undated)
    values = {p.key("n_issues"): n, p.key("span"): plain_text(text)}
    sources = {p.key("n_issues"): list(d.bulletin_items["item_id"])}
    return Section(text, pd.DataFrame(), values, sources=sources)


def _per_month(issues: Issues, row: Callable[[Any], dict[str, Any]]) -> pd.DataFrame:
    """One row per calendar month: ``issue`` and ``row(calendar row)`` for an issue, "no issue"
    and empty cells for a gap; indexed by month."""
    rows = [{"month": cal.month, "issue": "no issue"} if cal.gap else
            {"month": cal.month, "issue": cal.bulletin_id, **row(cal)}
            for cal in issues.calendar.itertuples(index=False)]
    return pd.DataFrame(rows).set_index("month") if rows else pd.DataFrame()


def issue_overview(d: Data, p: NotebookParams, issues: Issues) -> Section:
    """One row per month: the issue, its items, provinces named, firsts, money, review state."""
    items, figs = d.bulletin_items, d.figures

    def row(cal: Any) -> dict[str, Any]:
        mine = items[items["bulletin_id"] == cal.bulletin_id]
        money = figs[figs["item_id"].isin(set(mine["item_id"])) & figs["kind"].eq("money")]
        provinces = {x for v in mine["provinces"] for x in str(v).split(";") if x}
        return {"items": len(mine), "provinces named": len(provinces),
                "national firsts": int(is_first(mine, "is_national_first").sum()),
                "money stated": money_text(float(money["value"].sum())) if len(money) else "none",
                "reviewed": "yes" if cal.reviewed else "no",
                "item_ids": join_ids(mine["item_id"])}

    table = _per_month(issues, row)
    unreviewed = issues.dated.loc[issues.dated["reviewed"] == 0, "bulletin_id"].tolist()
    text = ("Each issue with its items, the provinces it names, its national firsts and the money "
            "its items state." + (f" Not yet reviewed: {and_list(unreviewed)}."
                                  if unreviewed else " Every issue has been reviewed."))
    data = issues.calendar.copy()
    return Section(text, table, {}, data=data)


def by_issue(d: Data, p: NotebookParams, issues: Issues, field: str) -> Section:
    """Items per province (``field="provinces"``) or domain (``"domains"``) and issue."""
    items = d.bulletin_items if field == "domains" else d.items
    values = p.domains if field == "domains" else d.provinces
    counts = counts_by_issue(items, field, issues.order, values)
    columns = _column(issues)
    table = counts.T.groupby(columns).sum().T
    if _bin(issues) == 1:  # gap months stay visible as empty columns
        gaps = issues.calendar.loc[issues.calendar["gap"], "month"].tolist()
        table = table.reindex(columns=sorted([*table.columns, *gaps]))
    ids = {v: join_ids(items.loc[items[field].map(lambda c, v=v: v in str(c).split(";")),
                                 "item_id"]) for v in counts.index}
    table.index = [label(v, p.names) if field == "provinces" else cap(domain_label(v))
                   for v in counts.index]
    table.index.name = "province" if field == "provinces" else "domain"
    table["item_ids"] = [ids[v] for v in counts.index]
    long = _long(counts, issues)
    what = "province" if field == "provinces" else "domain"
    width = _bin(issues)
    summed = {1: "", 3: " (summed by quarter)", 12: " (summed by year)"}.get(
        width, f" (summed over {width // 12} years)")
    text = (f"Items per {what} and issue{summed}; an item about several "
            f"{what.replace('y', 'ie')}s counts in each row.")
    return Section(text, table, {}, data=long)


def _long(counts: pd.DataFrame, issues: Issues) -> pd.DataFrame:
    """Counts as long rows ``row, month, value, bulletin_id`` over every calendar month (NaN in
    a gap month; two issues of one month summed into one cell)."""
    rows = [{"row": row, "month": cal.month, "bulletin_id": cal.bulletin_id,
             "value": float("nan") if cal.gap else float(counts.loc[row, cal.bulletin_id])}
            for cal in issues.calendar.itertuples(index=False) for row in counts.index]
    frame = pd.DataFrame(rows, columns=["row", "month", "bulletin_id", "value"])
    return frame.groupby(["row", "month"], sort=False, as_index=False).agg(
        value=("value", lambda s: s.sum(min_count=1)),
        bulletin_id=("bulletin_id", lambda s: ";".join(x for x in s if x)))


def latest_issue(d: Data, p: NotebookParams, issues: Issues) -> Section:
    """What the latest issue brings that the earlier ones did not: provinces and
    province x domain pairs seen for the first time, and its firsts."""
    if len(issues.dated) < 2:
        text = "With one issue there is no earlier issue to compare the latest one with."
        return Section(text, pd.DataFrame(), {})
    last = issues.order[-1]
    items = d.items
    new_rows = items[items["bulletin_id"] == last]
    old = items[items["bulletin_id"] != last]
    seen = {(pr, dm) for pv, dv in zip(old["provinces"], old["domains"], strict=True)
            for pr in str(pv).split(";") for dm in str(dv).split(";")}
    seen_p = {pr for pr, _ in seen}
    rows = []
    for r in new_rows.itertuples(index=False):
        for pr in str(r.provinces).split(";"):
            for dm in str(r.domains).split(";"):
                if dm in p.domains and (pr, dm) not in seen:
                    rows.append({"province": label(pr, p.names), "domain": domain_label(dm),
                                 "new province": "yes" if pr not in seen_p else "",
                                 "item_id": r.item_id})
    table = pd.DataFrame(rows, columns=["province", "domain", "new province", "item_id"])
    new_p = sorted({r["province"] for r in rows if r["new province"]})
    firsts = new_rows[is_first(new_rows, "is_national_first")]
    text = (f"The latest issue, {last} ({issues.months[last]}), has "
            f"{plural(len(new_rows), 'item')} about the compared provinces "
            f"{cite(new_rows['item_id'])}. "
            f"{cap(plural(len(table), 'province and domain pair'))} appear for the first time"
            + (f" {cite(table['item_id'])}" if len(table) else "")
            + (f", including {plural(len(new_p), 'province')} never named before "
               f"({and_list(new_p)})" if new_p else "")
            + f"; {plural(len(firsts), 'item')} claim a national first"
            + (f" {cite(firsts['item_id'])}" if len(firsts) else "") + ".")
    values = {p.key("latest_new_pairs"): len(table), p.key("latest"): plain_text(text)}
    sources = {p.key("latest_new_pairs"): list(table["item_id"]),
               p.key("latest"): list(new_rows["item_id"])}
    return Section(text, table.set_index("province") if len(table) else table, values,
                   sources=sources)


def _trend_row(name: str, items: pd.DataFrame, issues: Issues) -> tuple[dict, Trend]:
    per = items.groupby("bulletin_id").size().reindex(issues.order, fill_value=0)
    result = poisson_trend(per.to_numpy(), issues.dated["n_items"].to_numpy(),
                           issues.dated["years"].to_numpy())
    row = {"row": name, "issues": result.n_issues, "items": result.n_items,
           "rate ratio per year": result.rate_ratio,
           "95% CI": (f"{result.low:.2f}-{result.high:.2f}" if result.valid else ""),
           "reading": result.reading, "item_ids": join_ids(items["item_id"])}
    return row, result


def trend_table(d: Data, p: NotebookParams, issues: Issues) -> Section:
    """A trend reading per province and per selected domain (see the module doc)."""
    rows, valid = [], []
    for province in d.provinces:
        mine = d.items[has_province(d.items, province)]
        row, result = _trend_row(label(province, p.names), mine, issues)
        rows.append(row)
        valid += [(row, result)] if result.valid else []
    for domain in p.domains:
        mine = d.bulletin_items[d.bulletin_items["domains"].map(
            lambda v, dm=domain: dm in str(v).split(";"))]
        row, result = _trend_row(cap(domain_label(domain)), mine, issues)
        rows.append(row)
        valid += [(row, result)] if result.valid else []
    table = pd.DataFrame(rows).set_index("row")
    table.index.name = "province or domain"
    text = trend_text(valid, len(rows), issues)
    values = {p.key("n_valid_trends"): len(valid), p.key("trends"): plain_text(text)}
    return Section(text, table, values,
                   sources={p.key("n_valid_trends"): list(d.bulletin_items["item_id"])})


def trend_text(valid: list[tuple[dict, Trend]], n_rows: int, issues: Issues) -> str:
    """The trend readings in words: how many could be read and which rise or fall."""
    n = len(issues.dated)
    if n < MIN_TREND_ISSUES:
        return (f"No trend is read: {plural(n, 'dated issue')}, and a trend needs at least "
                f"{MIN_TREND_ISSUES}. The table says so for every row.")
    moving = [(r, t) for r, t in valid if t.reading in ("rising", "falling")]
    text = (f"A trend could be read for {len(valid)} of {n_rows} provinces and domains (the others "
            f"have too few items; the table says why). Rate ratio per year of the share of each "
            f"issue's items, with a 95% interval that allows for over-dispersion.")
    if moving:
        parts = [f"{r['row']} {t.reading} (rate ratio {t.rate_ratio:.2f} per year) "
                 f"{cite(r['item_ids'])}" for r, t in moving]
        text += " " + cap(and_list(parts)) + "."
    else:
        text += " None rises or falls clearly."
    return text


def region_over_time(d: Data, p: RegionParams, issues: Issues) -> Section:
    """The region's items per issue, its share of each issue, and its trend reading."""
    mine = d.items[has_province(d.items, p.region)]
    who = label(p.region, p.names)
    def row(cal: Any) -> dict[str, Any]:
        part = mine[mine["bulletin_id"] == cal.bulletin_id]
        return {"items": len(part), "share of the issue": f"{len(part) / cal.n_items:.0%}",
                "item_ids": join_ids(part["item_id"])}

    table = _per_month(issues, row)
    if len(issues.dated) < 2:
        text = (f"{who} in the one issue of the data: {plural(len(mine), 'item')}"
                f"{' ' + cite(mine['item_id']) if len(mine) else ''}; no change over time can be "
                f"shown with one issue.")
    else:
        _, result = _trend_row(who, mine, issues)
        text = (f"{who} across {plural(len(issues.dated), 'issue')}: "
                f"{plural(len(mine), 'item')} {cite(mine['item_id'])}. Trend of its share of "
                f"each issue's items: {result.reading}"
                + (f" (rate ratio {result.rate_ratio:.2f} per year, 95% CI {result.low:.2f}-"
                   f"{result.high:.2f})" if result.valid else "") + ".")
    values = {p.key("over_time"): plain_text(text)}
    return Section(text, table, values, sources={p.key("over_time"): list(mine["item_id"])},
                   listing=True)
