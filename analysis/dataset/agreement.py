"""How well the automatic coder agrees with the reviewed coding.

For every reviewed bulletin (sidecar ``reviewed: true``) the automatic codes (before the review
file) are compared with the final, reviewed codes (after it), from one coding pass. Per field
we report the share of items whose codes agree exactly and Cohen's kappa: for single-valued
fields over the items, for multi-label fields over every (item, label) decision of the field's
vocabulary (labels seen in either coding for provinces and cities).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.coding.vocab import Vocabulary, vocabulary
from analysis.dataset.schema import REVIEWABLE

MULTI_LABEL = {"provinces", "cities", "domains", "instruments"}


def cohen_kappa(a: Sequence[object], b: Sequence[object]) -> float | None:
    """Cohen's kappa of two codings of the same units; None when it is undefined (both coders
    used a single category, so chance agreement is 1)."""
    if len(a) != len(b) or not a:
        raise ValueError("codings must be non-empty and of equal length")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    cats = set(a) | set(b)
    expected = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in cats)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def _labels(field: str, auto: pd.Series, reviewed: pd.Series, vocab: Vocabulary) -> list[str]:
    if field == "domains":
        return list(vocab.domains)
    if field == "instruments":
        return list(vocab.tools)
    seen = {p for s in (*auto, *reviewed) for p in str(s).split(";") if p}
    return sorted(seen)


def agreement_table(auto: pd.DataFrame, reviewed: pd.DataFrame,
                    vocab: Vocabulary | None = None) -> pd.DataFrame:
    """Per reviewable field: items compared, exact agreement, kappa and its basis (labels of
    the multi-label fields from ``vocab``, default the project codebook's)."""
    vocab = vocab or vocabulary()
    merged = auto.merge(reviewed, on="item_id", suffixes=("_auto", "_rev"))
    rows = []
    for field in REVIEWABLE:
        a = merged[f"{field}_auto"].astype(str)
        r = merged[f"{field}_rev"].astype(str)
        if field in MULTI_LABEL:
            sets_a = [frozenset(p for p in v.split(";") if p) for v in a]
            sets_r = [frozenset(p for p in v.split(";") if p) for v in r]
            exact = sum(x == y for x, y in zip(sets_a, sets_r, strict=True))
            labels = _labels(field, a, r, vocab)
            da = [lab in s for s in sets_a for lab in labels]
            dr = [lab in s for s in sets_r for lab in labels]
            kappa = cohen_kappa(da, dr) if da else None
            basis = f"{len(da)} item-label decisions ({len(labels)} labels)"
        else:
            exact = int((a == r).sum())
            kappa = cohen_kappa(list(a), list(r)) if len(a) else None
            basis = f"{len(a)} items"
        rows.append({"field": field, "n_items": len(merged),
                     "agreement": exact / len(merged) if len(merged) else None,
                     "kappa": kappa, "kappa_basis": basis})
    return pd.DataFrame(rows)


def agreement_for(items: pd.DataFrame, automatic: pd.DataFrame, bulletins: pd.DataFrame,
                  vocab: Vocabulary | None = None) -> pd.DataFrame:
    """Agreement over the reviewed bulletins (``bulletins.reviewed == 1``): the automatic items
    against the final ones (one coding pass gives both)."""
    reviewed_ids = set(bulletins.loc[bulletins["reviewed"] == 1, "bulletin_id"])
    pick = automatic["bulletin_id"].isin(reviewed_ids)
    final = items[items["bulletin_id"].isin(reviewed_ids)]
    return agreement_table(automatic[pick], final, vocab)


def agreement_report(table: pd.DataFrame) -> str:
    """The agreement table as printable text."""
    lines = [f"{'field':22} {'items':>5} {'agree':>7} {'kappa':>7}  basis"]
    for row in table.itertuples():
        kappa = "n/a" if row.kappa is None or pd.isna(row.kappa) else f"{row.kappa:.2f}"
        agree = "n/a" if row.agreement is None else f"{row.agreement:.0%}"
        lines.append(f"{row.field:22} {row.n_items:>5} {agree:>7} {kappa:>7}  {row.kappa_basis}")
    return "\n".join(lines)
