"""The review queue: the automatic codes an analyst should check first, weakest first.

One row per (item, reviewable field) not yet overruled, ordered by the coder's confidence
(lowest first, then item and field order). Rows are in the review file's format
(``item_id, field, value, reason``) so they can be pasted into ``data/review.csv``: ``value``
is the automatic code, ``reason`` says how sure the coder was, on what, and the evidence text
with its page. An analyst corrects ``value`` where it is wrong, writes a reason, and deletes
the rows left unchanged (a pasted row still marks its field as overruled).
"""

from __future__ import annotations

import pandas as pd

from analysis.dataset.review import COLUMNS
from analysis.dataset.schema import CONFIDENCE_COLUMN, REVIEWABLE

#: The evidence table's field for each reviewable field (scope rests on the provinces).
EVIDENCE_OF = {"provinces": "province", "cities": "city", "domains": "domain",
               "instruments": "instrument", "is_national_first": "national_first",
               "is_provincial_first": "provincial_first", "issuing_level": "issuing_level",
               "scope": "province"}
MAX_EVIDENCE = 4


def review_queue(items: pd.DataFrame, evidence: pd.DataFrame,
                 limit: int | None = None) -> pd.DataFrame:
    """The ``limit`` weakest codes (all when None) as review rows, plus a ``confidence``
    column (drop it before pasting; :func:`as_review_csv` does)."""
    auto = evidence[evidence["source"] == "auto"]
    spans = {key: group for key, group in auto.groupby(["item_id", "field"], sort=False)}
    rows = []
    for item in items.itertuples(index=False):
        overruled = set(str(item.overridden).split(";"))
        basis = _basis(str(item.confidence_basis))
        for order, field in enumerate(REVIEWABLE):
            if field in overruled:
                continue
            conf = float(getattr(item, CONFIDENCE_COLUMN.format(field)))
            found = spans.get((item.item_id, EVIDENCE_OF[field]))
            reason = (f"CHECK (confidence {conf:.2f}; {basis.get(field, '')}; evidence: "
                      f"{_evidence(found)}): correct the value if wrong and give your reason")
            rows.append({"item_id": item.item_id, "field": field,
                         "value": str(getattr(item, field)), "reason": reason,
                         "confidence": conf, "_order": order})
    queue = pd.DataFrame(rows, columns=[*COLUMNS, "confidence", "_order"])
    queue = queue.sort_values(["confidence", "item_id", "_order"], kind="stable")
    queue = queue.drop(columns="_order").reset_index(drop=True)
    return queue if limit is None else queue.head(limit)


def as_review_csv(queue: pd.DataFrame) -> str:
    """The queue as review-file CSV text (header included)."""
    return queue[list(COLUMNS)].to_csv(index=False, lineterminator="\n")


def _basis(text: str) -> dict[str, str]:
    """``field: basis; ...`` (the items table's ``confidence_basis``) as a mapping."""
    out = {}
    for part in text.split("; "):
        name, _, rest = part.partition(": ")
        out[name] = rest
    return out


def _evidence(found: pd.DataFrame | None) -> str:
    if found is None or found.empty:
        return "none"
    texts = []
    for row in found.head(MAX_EVIDENCE).itertuples(index=False):
        page = "" if pd.isna(row.page) else f" p.{int(row.page)}"
        texts.append(f"{row.value}={row.text}{page}")
    more = len(found) - MAX_EVIDENCE
    return ", ".join(texts) + (f" (+{more} more)" if more > 0 else "")
