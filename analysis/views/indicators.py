"""The indicator values behind the policy-activity index, per domain.

For each selected domain one table: per province, each declared indicator's raw value and, in
brackets, its min-max normalised value (the number the weight multiplies), then the score and
rank; the column headers carry the weights. A reader sees why a province ranks where it does.
Each row cites the province's items on the domain (the items every value of the row counts).
"""

from __future__ import annotations

import pandas as pd

from analysis.common.text import pct
from analysis.compare.index import INDICATORS, compute_index, validate_weights
from analysis.views.common import Data, Section, label, money_text, plural
from analysis.views.markdown import markdown_table
from analysis.views.params import ComparisonParams
from analysis.views.plots import domain_label
from analysis.views.region import indicators

__all__ = ["comparison_indicators"]


def _raw_text(name: str, value: object) -> str:
    """An indicator's raw value for reading: shares as percentages, money in words
    (``286 billion yuan``), counts and years as integers."""
    number = float(pd.to_numeric(value, errors="coerce"))
    if pd.isna(number):
        number = 0.0
    if name.startswith("share"):
        return pct(number)
    if name.startswith("money"):
        return money_text(number) if number > 0 else "0"
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.3g}"


def comparison_indicators(d: Data, p: ComparisonParams) -> Section:
    """One table per domain of raw (normalised) indicator values, score and rank."""
    table = indicators(d, p)
    idx = compute_index(table, p.weights).set_index(["domain", "province"])
    weights = validate_weights(p.weights)
    cells = table.set_index(["domain", "province"])
    parts = [f"Raw value of each of the {plural(len(INDICATORS), 'indicator')} and, in "
             "brackets, its value normalised to 0-1 across the provinces of the domain; the "
             "score is the weighted sum of the normalised values (weights in the headers). "
             "Focus is the share of the province's items on the domain; money is normalised on "
             "log10(1 + yuan)."]
    values, sources = {}, {}
    for domain in p.domains:
        rows = []
        for prov in d.provinces:
            raw = cells.loc[(domain, prov)]
            norm = idx.loc[(domain, prov)]
            row = {"province": label(prov, p.names)}
            for ind in INDICATORS:
                head = f"{ind.label} (w {weights[ind.name]:.2f})"
                row[head] = (f"{_raw_text(ind.name, ind.values(raw.to_frame().T).iloc[0])} "
                             f"({float(norm[ind.name]):.2f})")
            row["score"] = f"{float(norm['score']):.2f}"
            row["rank"] = int(norm["rank"])
            row["item_ids"] = raw.get("item_ids", "")
            rows.append(row)
        frame = pd.DataFrame(rows).sort_values(["rank", "province"]).set_index("province")
        parts += [f"**{domain_label(domain).capitalize()}**", markdown_table(frame)]
        key = f"comparison_indicators_{domain}"
        values[key] = frame.index[0]
        sources[key] = [i for ids in frame["item_ids"] for i in str(ids).split(";") if i]
    return Section("\n\n".join(parts), pd.DataFrame(), values, sources=sources)
