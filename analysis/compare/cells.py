"""The long province x domain form every aggregate is computed from.

Multi-valued columns are ``;``-joined strings; :func:`explode` turns items into one row per
(item, province, domain), so that every aggregate keeps the ids of its items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.coding.vocab import vocabulary
from analysis.dataset.tables import join_ids, split_field


def ordered_domains(values: Iterable[str]) -> list[str]:
    """Domains in display order: the codebook's order, then any others sorted."""
    return vocabulary().ordered_domains(values)


def explode(items: pd.DataFrame, per_domain: bool = True) -> pd.DataFrame:
    """Long form: one row per (item, province, domain), keeping every other item column.

    An item about 2 provinces gives a row for each; an item with 2 domains gives a row in each.
    Items with no province (or, when ``per_domain``, no domain) cannot be placed in a cell and
    are dropped. With ``per_domain=False`` every row gets domain ``"all"`` (one row per item and
    province), for province-level totals that do not double-count multi-domain items.
    """
    rows = items.copy()
    rows["province"] = rows["provinces"].map(split_field)
    if per_domain:
        rows["domain"] = rows["domains"].map(split_field)
    else:
        rows["domain"] = [["all"] for _ in range(len(rows))]
    rows = rows.explode("province").explode("domain")
    rows = rows.dropna(subset=["province", "domain"])
    rows = rows.drop_duplicates(subset=["item_id", "province", "domain"])
    return rows.reset_index(drop=True)


def cell_grid(
    long: pd.DataFrame,
    provinces: Sequence[str] | None = None,
    domains: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every (province, domain) cell: the given lists, else those observed in ``long``.

    Provinces are sorted (by their Chinese names) unless given; domains follow the codebook's order.
    """
    provs = list(provinces) if provinces is not None else sorted(set(long["province"]))
    doms = list(domains) if domains is not None else ordered_domains(long["domain"])
    index = pd.MultiIndex.from_product([provs, doms], names=["province", "domain"])
    return index.to_frame(index=False)


def ids_by_cell(long: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
    """The ``;``-joined item ids of each (province, domain) cell (optionally of masked rows)."""
    rows = long if mask is None else long[mask]
    return rows.groupby(["province", "domain"])["item_id"].agg(join_ids)
