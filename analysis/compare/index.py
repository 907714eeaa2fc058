"""Composite policy-activity index per domain, with rank-sensitivity analysis.

Definition (per domain, across the provinces in the table):

1. Each declared indicator (``INDICATORS``) is read from the ``indicators.indicator_table``
   output; missing values (e.g. no target year -> no horizon) count as 0; ``money_yuan`` is
   taken as log10(1 + yuan) so that one large fund does not flatten every other difference.
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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import read_mapping

Compute = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Indicator:
    """One index indicator, declared once: ``name`` (its key in weights and tables), ``label``,
    ``direction`` ("higher": more = more active, or "lower"), what it measures, its default
    ``weight``, an optional ``transform`` ("log10p1": log10(1 + x)) and how it is computed from
    the cell table of :func:`analysis.compare.indicators.indicator_table` (default: the column
    of the same name)."""

    name: str
    label: str
    direction: str
    description: str
    weight: float = 1.0
    transform: str = "none"
    compute: Compute | None = None

    def values(self, table: pd.DataFrame) -> pd.Series:
        """The raw (untransformed) value per row of the cell table."""
        if self.compute is not None:
            return self.compute(table)
        if self.name not in table.columns:
            raise ValueError(f"indicator table lacks column {self.name!r}")
        return table[self.name]


#: The declared indicators: the one list the index, the weights, the methods page and the
#: indicator tables read. Add an indicator here (with its computation) and it is weighted,
#: normalised, documented and shown.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("n_items", "Items", "higher",
              "Number of bulletin items about the province in the domain."),
    Indicator("share_of_province", "Focus", "higher",
              "Focus: share of the province's items that concern the domain."),
    Indicator("n_national_first", "National firsts", "higher",
              "Items claiming a national first (全国首个 ...)."),
    Indicator("n_sides_used", "Instrument breadth", "higher",
              "Breadth of the instrument mix: how many of supply/environment/demand occur (0-3)."),
    Indicator("money_yuan", "Money", "higher",
              "Money committed in the items' figures, yuan (log10(1 + yuan)).",
              transform="log10p1"),
    Indicator("n_count_figures", "Count targets", "higher",
              "Quantified count targets (figures of kind count)."),
    Indicator("horizon_years", "Horizon", "higher",
              "Planning horizon: latest target year minus issue year (0 when none)."),
)


def indicator_names(indicators: Sequence[Indicator] = INDICATORS) -> list[str]:
    """The names of the declared indicators."""
    return [ind.name for ind in indicators]


def default_weights(indicators: Sequence[Indicator] = INDICATORS) -> dict[str, float]:
    """The declared default weights, renormalised to sum 1."""
    return validate_weights({i.name: i.weight for i in indicators}, indicators)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ValueError(f"weight of {name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"weight of {name} must be non-negative, got {value}")
    return float(value)


def validate_weights(
    weights: Mapping[str, float] | None, indicators: Sequence[Indicator] = INDICATORS,
    base: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Check weights and renormalise them to sum 1.

    ``None`` or empty gives ``base`` (default: the declared default weights). A mapping that
    names some indicators MERGES with ``base``: the indicators it leaves out keep their base
    weight (never a silent 0). Raises ValueError naming the problem: not a mapping, an unknown
    indicator (listing the valid ones), a non-numeric or negative weight, all weights zero.
    """
    names = indicator_names(indicators)
    if weights is not None and not isinstance(weights, Mapping):
        raise ValueError(f"expected a mapping of indicator -> weight, got {weights!r}; "
                         f"valid keys: {', '.join(names)}")
    unknown = [k for k in (weights or {}) if k not in names]
    if unknown:
        raise ValueError(f"unknown index indicator {unknown[0]!r}; valid: {', '.join(names)}")
    start = dict(base) if base is not None else {i.name: i.weight for i in indicators}
    merged = {name: _number(name, (weights or {}).get(name, start.get(name, 0.0)))
              for name in names}
    total = sum(merged.values())
    if total <= 0:
        raise ValueError("index weights are all zero; give at least one positive weight")
    return {name: value / total for name, value in merged.items()}


def project_weights(path: Path | str | None = None,
                    indicators: Sequence[Indicator] = INDICATORS) -> dict[str, float]:
    """The project's index weights before renormalising: the declared defaults, overridden by
    ``weights:`` of the YAML file (default ``data/index_weights.yml``; a missing file changes
    nothing). Raises ``InputError`` naming the file for any problem (bad YAML, a key named
    twice, an unknown indicator, a bad weight, all zero)."""
    path = Path(path) if path is not None else paths.INDEX_WEIGHTS
    defaults = {i.name: float(i.weight) for i in indicators}
    if not path.is_file():
        return defaults
    data = read_mapping(path)
    unknown_keys = sorted(set(data) - {"weights"})
    if unknown_keys:
        raise InputError(display_path(path), f"unknown key {unknown_keys[0]!r}; the file holds "
                         "one mapping, weights: {indicator: weight}")
    given = data.get("weights") or {}
    try:
        validate_weights(given, indicators)
    except ValueError as err:
        raise InputError(f"{display_path(path)}: weights", str(err)) from None
    return {**defaults, **{k: float(v) for k, v in given.items()}}


def load_weights(path: Path | str | None = None,
                 indicators: Sequence[Indicator] = INDICATORS) -> dict[str, float]:
    """The project's index weights (:func:`project_weights`) renormalised to sum 1."""
    return validate_weights(project_weights(path, indicators), indicators)


def share_text(share: float) -> str:
    """A renormalised weight as printed: up to three decimals when exact (0.125), else a
    fraction (1/3), so that the printed shares add up to 1."""
    if abs(round(share, 3) - share) < 1e-12:
        return f"{share:.3f}".rstrip("0").rstrip(".") or "0"
    frac = Fraction(share).limit_denominator(1000)
    return f"{frac.numerator}/{frac.denominator}"


def weights_text(weights: Mapping[str, float]) -> str:
    """The weights as a phrase: "equal weights on 7 indicators", or the shares grouped by value
    ("weights n_national_first 0.25; n_items, ... 0.125 each"), zero weights named last."""
    values = list(weights.values())
    if values and all(abs(v - values[0]) < 1e-12 for v in values):
        return f"equal weights on {len(values)} indicator{'s' if len(values) != 1 else ''}"
    groups: dict[str, list[str]] = {}
    for name, share in sorted(weights.items(), key=lambda kv: -kv[1]):
        groups.setdefault(share_text(share), []).append(name)
    parts = [f"{', '.join(names)} {share}{' each' if len(names) > 1 else ''}"
             for share, names in groups.items()]
    return "weights " + "; ".join(parts)


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
