"""Composite policy-activity index per domain, with rank-sensitivity analysis.

Definition (per domain, across the provinces in the table):

1. Each declared indicator (``INDICATORS``, declared in :mod:`analysis.compare.weights`) is
   read from the ``indicators.indicator_table`` output; missing values (e.g. no target year ->
   no horizon) count as 0; ``money_yuan`` is taken as log10(1 + yuan) so that one large fund
   does not flatten every other difference.
2. Min-max normalisation across provinces: (x - min) / (max - min), so the most active province
   scores 1 and the least 0 on each indicator; a column where all provinces are equal scores 0
   for all (it carries no ranking information). Indicators with direction "lower" are flipped
   (1 - normalised value).
3. Score = weighted mean of the normalised indicators. Each indicator declares its default
   weight (``INDICATORS``); ``data/index_weights.yml`` and a notebook's ``weights`` parameter
   override some or all of them (the others keep theirs); weights are non-negative and
   renormalised to sum 1. Score lies in [0, 1].
4. Rank 1 = highest score; ties share the best rank ("min" method).

Ranks are reported with ranges: ``rank_sensitivity`` re-ranks under N random weight vectors
(Dirichlet, seeded) and ``leave_one_out`` drops each indicator in turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.compare.weights import (
    INDICATORS,
    Indicator,
    default_weights,
    indicator_names,
    load_weights,
    project_weights,
    share_text,
    validate_weights,
    weights_text,
)


def _raw(table: pd.DataFrame, indicators: Sequence[Indicator]) -> pd.DataFrame:
    raw = pd.DataFrame(index=table.index)
    for ind in indicators:
        col = pd.to_numeric(ind.values(table), errors="coerce").astype(float).fillna(0.0)
        raw[ind.name] = np.log10(1.0 + col.clip(lower=0)) if ind.transform == "log10p1" else col
    return raw


def normalise(values: pd.Series, direction: str = "higher") -> pd.Series:
    """Min-max normalise to [0, 1] (all-equal -> 0 everywhere); "lower" flips the scale."""
    lo, hi = values.min(), values.max()
    if not hi > lo:
        return pd.Series(0.0, index=values.index)
    scaled = (values - lo) / (hi - lo)
    return 1.0 - scaled if direction == "lower" else scaled


def normalised_indicators(
    table: pd.DataFrame, indicators: Sequence[Indicator] = INDICATORS
) -> pd.DataFrame:
    """Per domain, each indicator transformed and min-max normalised across provinces.

    Returns province, domain, one ``<indicator>`` column per indicator in [0, 1], item_ids.
    """
    raw = _raw(table, indicators)
    out = table[["province", "domain"]].copy()
    for ind in indicators:
        out[ind.name] = raw[ind.name].groupby(table["domain"], sort=False).transform(
            lambda s, d=ind.direction: normalise(s, d))
    out["item_ids"] = table["item_ids"] if "item_ids" in table else ""
    return out


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank rows (provinces) of a score array, 1 = highest, ties -> min rank, per column."""
    x = np.round(np.asarray(scores, dtype=float), 12)
    # 1 + how many rows score strictly higher (scipy's rankdata(-x, "min"), without importing
    # scipy.stats: 0.4 s of start-up for every command that checks parameters)
    return (np.expand_dims(x, 0) > np.expand_dims(x, 1)).sum(axis=1).astype(int) + 1


def compute_index(
    table: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> pd.DataFrame:
    """Index score and rank per province within each domain.

    Returns domain, province, score (0-1), rank (1 = most active), n_provinces, the normalised
    indicator columns, and item_ids (the cell's items). Sorted by domain, then rank, province.
    """
    w = validate_weights(weights, indicators)
    norm = normalised_indicators(table, indicators)
    names = indicator_names(indicators)
    norm["score"] = norm[names].to_numpy() @ np.array([w[n] for n in names])
    parts = []
    for _, part in norm.groupby("domain", sort=False):
        part = part.copy()
        part["rank"] = _ranks(part["score"].to_numpy())
        part["n_provinces"] = len(part)
        parts.append(part)
    out = pd.concat(parts) if parts else norm.assign(rank=[], n_provinces=[])
    out = out.sort_values(["domain", "rank", "province"], kind="mergesort")
    return out[["domain", "province", "score", "rank", "n_provinces", *names, "item_ids"]]\
        .reset_index(drop=True)


def rank_change(
    table: pd.DataFrame,
    base: Mapping[str, float] | None,
    variant: Mapping[str, float] | None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> pd.DataFrame:
    """Ranks under two weightings side by side, per domain and province: ``rank_base``,
    ``rank_variant`` and ``change`` (``rank_base - rank_variant``: positive = moved up), with
    the cell's ``item_ids``; in :func:`compute_index`'s row order under ``base``."""
    before = compute_index(table, base, indicators)
    after = compute_index(table, variant, indicators)[["domain", "province", "rank"]]
    out = before[["domain", "province", "rank", "item_ids"]].rename(
        columns={"rank": "rank_base"}).merge(
        after.rename(columns={"rank": "rank_variant"}), on=["domain", "province"], how="left")
    out["change"] = out["rank_base"] - out["rank_variant"]
    return out[["domain", "province", "rank_base", "rank_variant", "change", "item_ids"]]


def rank_sensitivity(
    table: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    concentration: float = 1.0,
    indicators: Sequence[Indicator] = INDICATORS,
) -> pd.DataFrame:
    """Rank stability under ``n_draws`` random weight vectors ~ Dirichlet(concentration * 1).

    Deterministic: the same seed gives the same result. Returns domain, province, rank (with the
    given weights), median_rank, min_rank, max_rank, p05_rank (5th percentile, rounded down),
    p95_rank (95th, rounded up), rank_range ("min-max" text), label (e.g. "2 (1-3)": rank with
    its min-max range), n_draws, item_ids.
    """
    base = compute_index(table, weights, indicators)
    names = indicator_names(indicators)
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(np.full(len(names), concentration), size=n_draws)  # draws x k
    rows = []
    for domain, part in base.groupby("domain", sort=False):
        ranks = _ranks(part[names].to_numpy() @ draws.T)  # provinces x draws
        for i, (_, row) in enumerate(part.iterrows()):
            r = ranks[i]
            rows.append({
                "domain": domain, "province": row["province"], "rank": int(row["rank"]),
                "median_rank": float(np.median(r)), "min_rank": int(r.min()),
                "max_rank": int(r.max()),
                "p05_rank": int(np.percentile(r, 5, method="lower")),
                "p95_rank": int(np.percentile(r, 95, method="higher")),
                "rank_range": f"{int(r.min())}-{int(r.max())}",
                "label": rank_label(int(row["rank"]), int(r.min()), int(r.max())),
                "n_draws": n_draws,
                "item_ids": row["item_ids"],
            })
    return pd.DataFrame(rows)


def leave_one_out(
    table: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    indicators: Sequence[Indicator] = INDICATORS,
) -> pd.DataFrame:
    """Ranks with each indicator dropped in turn (remaining weights renormalised).

    Long form: domain, province, dropped (indicator name), rank (without it), base_rank,
    shift (rank - base_rank; positive = falls behind). Indicators whose removal leaves no
    positive weight are skipped.
    """
    w = validate_weights(weights, indicators)
    base = compute_index(table, w, indicators)
    base_rank = base.set_index(["domain", "province"])["rank"]
    parts = []
    for ind in indicators:
        rest = {k: v for k, v in w.items() if k != ind.name}
        if sum(rest.values()) <= 0:
            continue
        kept = [i for i in indicators if i.name != ind.name]
        idx = compute_index(table, rest, kept)[["domain", "province", "rank"]]
        idx.insert(2, "dropped", ind.name)
        parts.append(idx)
    out = pd.concat(parts, ignore_index=True)
    out["base_rank"] = [base_rank[(d, p)] for d, p in zip(out["domain"], out["province"],
                                                          strict=True)]
    out["shift"] = out["rank"] - out["base_rank"]
    return out


def rank_label(rank: int, low: int, high: int) -> str:
    """A rank with its range, e.g. ``"2 (1-3)"``; just ``"2"`` when the range is one value."""
    return f"{rank}" if low == high else f"{rank} ({low}-{high})"


__all__ = [
    "INDICATORS",
    "Indicator",
    "compute_index",
    "default_weights",
    "indicator_names",
    "leave_one_out",
    "load_weights",
    "normalise",
    "normalised_indicators",
    "project_weights",
    "rank_label",
    "rank_sensitivity",
    "share_text",
    "validate_weights",
    "weights_text",
]
