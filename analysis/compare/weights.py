"""The index's indicators and their weights: declared once, read without pandas.

The indicators (:data:`INDICATORS`) and the weights of ``data/index_weights.yml`` and of the
``weights`` parameter are all the parameter checks need; they live here, apart from the index
computation (:mod:`analysis.compare.index`, which re-exports them), so that checking a run's
parameters imports neither numpy nor pandas: the fan-out runner validates every case before any
kernel starts, and that import was most of the wait before the kernels could start.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import read_mapping

if TYPE_CHECKING:
    import pandas as pd

Compute = Callable[["pd.DataFrame"], "pd.Series"]


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
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
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
