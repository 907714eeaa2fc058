"""The analyst's review file: rows that overrule one field of one item, with a reason.

``data/review.csv`` columns: ``item_id, field, value, reason``. ``field`` is one of
``schema.REVIEWABLE``; ``value`` uses the items table's format (``;`` between several values,
0/1 for the first-claims, empty for none). Rows apply to the bulletins they name (the bulletin
id is the item id without its ``-NN`` suffix); rows for other bulletins are ignored.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.coding.coder import SCOPES
from analysis.coding.vocab import Vocabulary
from analysis.common.errors import InputError
from analysis.dataset.schema import CONFIDENCE_COLUMN, REVIEWABLE

COLUMNS = ("item_id", "field", "value", "reason")


@dataclass(frozen=True)
class Override:
    """One review row; ``line`` is its line number in the review file (for messages)."""

    item_id: str
    field: str
    value: str
    reason: str
    line: int

    @property
    def bulletin_id(self) -> str:
        return self.item_id.rsplit("-", 1)[0]


def load_review(path: Path, provinces: set[str], vocab: Vocabulary) -> list[Override]:
    """Read and check the review file (missing file = no overrides).

    ``provinces`` are the valid short province names, ``vocab`` the codebook's vocabularies.
    Raises a one-line ``InputError`` naming the file, line and field for a malformed row.
    """
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise InputError(path, f"header must be {','.join(COLUMNS)}, got {reader.fieldnames}")
        rows = [
            Override(*(str(r[c] or "").strip() for c in COLUMNS), line=n)
            for n, r in enumerate(reader, start=2)
        ]
    for row in rows:
        _check_row(path, row, provinces, vocab)
    return rows


def _check_row(path: Path, row: Override, provinces: set[str], vocab: Vocabulary) -> None:
    where = f"{path}:{row.line}"
    if row.field not in REVIEWABLE:
        raise InputError(where, f"unknown field {row.field!r}; reviewable: {', '.join(REVIEWABLE)}")
    if not row.reason:
        raise InputError(where, "reason is empty; every override needs a reason")
    parts = [p for p in row.value.split(";") if p]
    allowed = {
        "provinces": provinces, "domains": set(vocab.domains), "instruments": set(vocab.tools),
        "issuing_level": set(vocab.issuing_levels), "is_national_first": {"0", "1"},
        "is_provincial_first": {"0", "1"}, "scope": set(SCOPES),
    }.get(row.field)
    if allowed is not None:
        bad = [p for p in parts if p not in allowed]
        single = row.field.startswith("is_") or row.field == "scope"
        if bad or (single and len(parts) != 1):
            raise InputError(where, f"{row.field}: invalid value {row.value!r}")


def apply_review(items: pd.DataFrame, overrides: list[Override], review_path: Path,
                 province_codes: dict[str, str], vocab: Vocabulary) -> pd.DataFrame:
    """Apply the overrides naming bulletins present in ``items`` (a copy is returned).

    Sets ``overridden`` to the overruled fields and their confidence to 1; keeps
    ``province_codes``, ``instrument_sides`` and ``scope`` (unless reviewed itself) in step with
    the provinces. A row naming an unknown item of a present bulletin is an error.
    """
    items = items.copy()
    known = set(items["item_id"])
    present = set(items["bulletin_id"])
    for row in overrides:
        if row.bulletin_id not in present:
            continue
        if row.item_id not in known:
            raise InputError(f"{review_path}:{row.line}", f"unknown item {row.item_id!r}")
        mask = items["item_id"] == row.item_id
        value: object = int(row.value) if row.field.startswith("is_") else row.value
        items.loc[mask, row.field] = value
        if row.field == "provinces":
            codes = ";".join(province_codes[p] for p in row.value.split(";") if p)
            items.loc[mask, "province_codes"] = codes
        if row.field == "instruments":
            items.loc[mask, "instrument_sides"] = vocab.sides_of(row.value)
        items.loc[mask, CONFIDENCE_COLUMN.format(row.field)] = 1.0
        done = [f for f in str(items.loc[mask, "overridden"].iloc[0]).split(";") if f]
        items.loc[mask, "overridden"] = ";".join(dict.fromkeys([*done, row.field]))
    for i in items.index:
        if "scope" not in str(items.at[i, "overridden"]).split(";"):
            items.at[i, "scope"] = scope_of(str(items.at[i, "provinces"]),
                                            str(items.at[i, "scope"]))
    return items


def scope_of(provinces: str, scope: str) -> str:
    """The scope that ``;``-joined ``provinces`` imply; without provinces the coded
    ``scope`` when it is national or foreign, else national."""
    n = len([p for p in provinces.split(";") if p])
    if n:
        return "provincial" if n == 1 else "multi_provincial"
    return scope if scope in {"national", "foreign"} else "national"
