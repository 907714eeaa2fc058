"""Indicators per province x domain: pure functions, coded tables in, long tables out.

Counting rules (the same in every function):

- An item about 2 provinces counts once for EACH province; an item with 2 domains counts once in
  EACH domain. Cell values therefore must not be summed across provinces or domains to get item
  totals (use the ``province_items`` / ``domain_items`` denominators, which count distinct items).
- Items with no province or no domain are not placed in any cell.
- Every output row is one (province, domain) cell, zero cells included, and carries ``item_ids``
  (``;``-joined, sorted): the items behind the numbers of that row, so every cell is traceable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from analysis.coding.figure_units import YUAN
from analysis.coding.vocab import vocabulary
from analysis.compare.cells import cell_grid, explode, ids_by_cell
from analysis.dataset.tables import issue_year, join_ids, split_field

KEYS = ["province", "domain"]


def _attach(grid: pd.DataFrame, **columns: pd.Series) -> pd.DataFrame:
    """Join per-cell series (indexed by province, domain) onto the grid; missing cells -> 0/""."""
    out = grid.set_index(KEYS)
    for name, series in columns.items():
        values = series.reindex(out.index)
        fill = "" if series.dtype == object or pd.api.types.is_string_dtype(series) else 0
        out[name] = values.fillna(fill)
    return out.reset_index()


def _share(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den with 0 where the denominator is 0."""
    num = num.astype(float)
    den = den.astype(float)
    return (num / den.where(den > 0)).fillna(0.0)


def item_counts(
    items: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
    per_domain: bool = True,
) -> pd.DataFrame:
    """Items per cell and their shares.

    Columns: province, domain, n_items, province_items (distinct items of the province in any
    domain), domain_items (distinct items of the domain, any province), share_of_province
    (n_items / province_items), share_of_domain (n_items / domain_items), item_ids.
    Because multi-domain items count in each domain, a province's shares can sum to more than 1;
    likewise a domain's shares across provinces, for multi-province items.
    ``per_domain=False`` gives one row per province with domain ``"all"``.
    """
    long = explode(items, per_domain)
    grid = cell_grid(long, provinces, domains if per_domain else ["all"])
    n = long.groupby(KEYS)["item_id"].nunique()
    out = _attach(grid, n_items=n, item_ids=ids_by_cell(long))
    prov = long.groupby("province")["item_id"].nunique()
    dom = long.groupby("domain")["item_id"].nunique()
    out["province_items"] = out["province"].map(prov).fillna(0).astype(int)
    out["domain_items"] = out["domain"].map(dom).fillna(0).astype(int)
    out["n_items"] = out["n_items"].astype(int)
    out["share_of_province"] = _share(out["n_items"], out["province_items"])
    out["share_of_domain"] = _share(out["n_items"], out["domain_items"])
    cols = [*KEYS, "n_items", "province_items", "domain_items", "share_of_province",
            "share_of_domain", "item_ids"]
    return out[cols]


def national_firsts(
    items: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Items claiming a national first (``is_national_first == 1``) per cell.

    Columns: province, domain, n_items, n_national_first, share_national_first (of the cell's
    items), item_ids (the claiming items only).
    """
    long = explode(items)
    grid = cell_grid(long, provinces, domains)
    first = pd.to_numeric(long["is_national_first"], errors="coerce").fillna(0).astype(int) == 1
    out = _attach(
        grid,
        n_items=long.groupby(KEYS)["item_id"].nunique(),
        n_national_first=long[first].groupby(KEYS)["item_id"].nunique(),
        item_ids=ids_by_cell(long, first),
    )
    out[["n_items", "n_national_first"]] = out[["n_items", "n_national_first"]].astype(int)
    out["share_national_first"] = _share(out["n_national_first"], out["n_items"])
    return out[[*KEYS, "n_items", "n_national_first", "share_national_first", "item_ids"]]


def instrument_mix(
    items: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
    per_domain: bool = True,
) -> pd.DataFrame:
    """Policy-instrument sides per cell (Rothwell & Zegveld: supply, environment, demand).

    ``n_<side>`` = items of the cell whose ``instrument_sides`` include that side (an item using
    two sides counts in both); ``share_<side>`` = n_<side> / (n_supply + n_environment +
    n_demand), so the three shares sum to 1 in a cell with any instrument (0 otherwise);
    ``n_sides_used`` = how many of the three sides occur (0-3). ``item_ids`` = the cell's items
    with at least one side.
    """
    sides_ = vocabulary().sides
    long = explode(items, per_domain)
    grid = cell_grid(long, provinces, domains if per_domain else ["all"])
    sides = long["instrument_sides"].map(lambda v: set(split_field(v)))
    counts = {
        f"n_{side}": long[sides.map(lambda s, side=side: side in s)].groupby(KEYS)["item_id"]
        .nunique()
        for side in sides_
    }
    any_side = sides.map(lambda s: bool(s & set(sides_)))
    out = _attach(grid, **counts, item_ids=ids_by_cell(long, any_side))
    n_cols = [f"n_{side}" for side in sides_]
    out[n_cols] = out[n_cols].astype(int)
    total = out[n_cols].sum(axis=1)
    for side in sides_:
        out[f"share_{side}"] = _share(out[f"n_{side}"], total)
    out["n_sides_used"] = (out[n_cols] > 0).sum(axis=1).astype(int)
    share_cols = [f"share_{side}" for side in sides_]
    return out[[*KEYS, *n_cols, *share_cols, "n_sides_used", "item_ids"]]


def quantified_commitments(
    items: pd.DataFrame,
    figures: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quantified commitments per cell, from the figures of the cell's items.

    Columns: money_yuan (sum of ``value`` over the money figures in yuan), n_money_figures
    (those yuan figures), money_other (amounts in other currencies, never added to yuan: their
    sum per currency, e.g. ``200,000,000 USD``; empty when none), n_count_figures
    (``kind == "count"``), target_years (``;``-joined distinct target years of any figure),
    horizon_years (max over figures of target_year minus the issue year of the figure's item;
    NaN when no target year), figure_ids and item_ids (the figures and items counted). An
    item's money counts in full for each of its provinces and
    domains, so money must not be summed across cells.
    """
    long = explode(items)
    grid = cell_grid(long, provinces, domains)
    figs = figures[["figure_id", "item_id", "kind", "value", "unit", "target_year"]]
    rows = long[[*KEYS, "item_id", "issue_date"]].merge(figs, on="item_id", how="inner")
    rows["target_year"] = pd.to_numeric(rows["target_year"], errors="coerce").astype(float)
    money = yuan_money(rows)
    other = rows["kind"].eq("money") & ~money
    count = rows["kind"].eq("count")
    dated = rows["target_year"].notna()
    used = rows[money | other | count | dated].copy()
    used["horizon"] = used["target_year"] - used["issue_date"].map(issue_year)
    group = used.groupby(KEYS)

    def years(values: pd.Series) -> str:
        return ";".join(str(int(y)) for y in sorted(set(values.dropna())))

    out = _attach(
        grid,
        money_yuan=rows[money].groupby(KEYS)["value"].sum(min_count=1),
        n_money_figures=rows[money].groupby(KEYS)["figure_id"].nunique(),
        money_other=_per_cell_text(rows[other], other_money_text),
        n_count_figures=rows[count].groupby(KEYS)["figure_id"].nunique(),
        target_years=group["target_year"].agg(years),
        figure_ids=group["figure_id"].agg(join_ids),
        item_ids=group["item_id"].agg(join_ids),
    )
    horizon = group["horizon"].max().reindex(pd.MultiIndex.from_frame(out[KEYS]))
    out["horizon_years"] = horizon.to_numpy(dtype=float)
    out["money_yuan"] = out["money_yuan"].astype(float)
    out[["n_money_figures", "n_count_figures"]] = out[
        ["n_money_figures", "n_count_figures"]].astype(int)
    cols = [*KEYS, "money_yuan", "n_money_figures", "money_other", "n_count_figures",
            "target_years", "horizon_years", "figure_ids", "item_ids"]
    return out[cols]


def yuan_money(figures: pd.DataFrame) -> pd.Series:
    """Mask of the money figures in yuan: the only ones money sums may add (a figure in USD,
    JPY ... keeps its currency and is never counted as yuan)."""
    return figures["kind"].eq("money") & figures["unit"].eq(YUAN)


def _per_cell_text(rows: pd.DataFrame, text: Callable[[pd.DataFrame], str]) -> pd.Series:
    """``text`` of each cell's rows, indexed by (province, domain)."""
    groups = list(rows.groupby(KEYS))
    index = pd.MultiIndex.from_tuples([k for k, _ in groups], names=KEYS) if groups else \
        pd.MultiIndex.from_arrays([[], []], names=KEYS)
    return pd.Series([text(g) for _, g in groups], index=index, dtype=object)


def other_money_text(figures: pd.DataFrame) -> str:
    """Non-yuan money as ``<sum> <currency>`` per currency, ``; ``-joined (currencies
    sorted)."""
    sums = figures.groupby("unit")["value"].sum()
    return "; ".join(f"{value:,.0f} {unit}" for unit, value in sums.items())


def indicator_table(
    items: pd.DataFrame,
    figures: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
) -> pd.DataFrame:
    """All indicators in one wide province x domain table (the index's input).

    Numeric columns are those of ``item_counts``, ``national_firsts``, ``instrument_mix`` and
    ``quantified_commitments``; ``item_ids`` lists ALL items of the cell (every number in the
    row is computed from a subset of them) and ``figure_ids`` the figures behind the money,
    count and horizon columns.
    """
    long = explode(items)
    provs = provinces if provinces is not None else sorted(set(long["province"]))
    doms = domains if domains is not None else cell_grid(long)["domain"].unique().tolist()
    counts = item_counts(items, provs, doms)
    firsts = national_firsts(items, provs, doms).drop(columns=["n_items", "item_ids"])
    mix = instrument_mix(items, provs, doms).drop(columns=["item_ids"])
    money = quantified_commitments(items, figures, provs, doms).drop(columns=["item_ids"])
    out = counts.merge(firsts, on=KEYS).merge(mix, on=KEYS).merge(money, on=KEYS)
    ids = out.pop("item_ids")
    out["item_ids"] = ids
    return out


def peer_median(table: pd.DataFrame, province: str, column: str) -> pd.Series:
    """Per domain, the median of ``column`` over the OTHER provinces (NaN if there are none)."""
    others = table[table["province"] != province]
    med = others.groupby("domain", sort=False)[column].median()
    doms = table["domain"].drop_duplicates()
    return pd.Series(med.reindex(doms).to_numpy(dtype=float), index=doms.to_numpy(), name=column)


__all__ = [
    "indicator_table", "instrument_mix", "item_counts", "national_firsts", "peer_median",
    "quantified_commitments",
]
