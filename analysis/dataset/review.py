"""The analyst's review file: rows that overrule one field of one item, with a reason.

``data/review.csv`` columns: ``item_id, field, value, reason``. ``field`` is one of
``schema.REVIEWABLE``; ``value`` uses the items table's format (``;`` between several values,
0/1 for the first-claims, empty for none). Rows apply to the bulletins they name (the bulletin
id is the item id without its ``-NN`` suffix); rows for other bulletins are ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.coding.coder import SCOPES
from analysis.coding.vocab import Vocabulary
from analysis.common.errors import InputError
from analysis.common.yamlio import read_text
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


def load_review(path: Path, provinces: set[str], vocab: Vocabulary,
                cities: set[str] | None = None) -> list[Override]:
    """Read and check the review file strictly (missing file = no overrides).

    ``provinces`` are the valid short province names, ``cities`` the gazetteer's place names
    (None: not checked), ``vocab`` the codebook's vocabularies. Raises a one-line
    ``InputError`` naming the file and line for: a file that is not UTF-8, an unterminated
    quote, a row without exactly four fields, an (item, field) given twice, a value outside
    the vocabulary or gazetteer, a value repeated in a list, an empty reason.
    """
    if not path.exists():
        return []
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Override] = []
    seen: dict[tuple[str, str], Override] = {}
    allowed = _allowed(provinces, vocab, cities)
    header = True
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problem = ("unterminated quote (a \" opened here is never closed)"
                       if "end of data" in str(err) else f"malformed CSV: {err}")
            raise InputError(f"{path}:{line}", problem) from None
        if header:
            header = False
            if tuple(c.strip() for c in record) != COLUMNS:
                raise InputError(path, f"header must be {','.join(COLUMNS)}, got {record}")
            continue
        if not any(c.strip() for c in record):
            continue  # blank line
        if len(record) != len(COLUMNS):
            raise InputError(f"{path}:{line}", f"{len(record)} fields, expected "
                             f"{len(COLUMNS)} ({','.join(COLUMNS)}); quote a reason that "
                             "holds a comma")
        row = Override(*(c.strip() for c in record), line=line)
        _check_row(path, row, allowed)
        key = (row.item_id, row.field)
        if key in seen:
            first = seen[key]
            how = (f"repeats line {first.line}" if first.value == row.value else
                   f"conflicts with line {first.line} ({first.value!r} there, {row.value!r} "
                   "here)")
            raise InputError(f"{path}:{line}", f"{row.item_id} {row.field}: {how}; give each "
                             "(item, field) once")
        seen[key] = row
        rows.append(row)
    return rows


def _allowed(provinces: set[str], vocab: Vocabulary,
             cities: set[str] | None) -> dict[str, set[str] | None]:
    return {
        "provinces": provinces, "cities": cities, "domains": set(vocab.domains),
        "instruments": set(vocab.tools), "issuing_level": set(vocab.issuing_levels),
        "is_national_first": {"0", "1"}, "is_provincial_first": {"0", "1"},
        "scope": set(SCOPES),
    }


#: Fields holding one value (the others hold a ``;``-separated list).
_SINGLE = ("is_national_first", "is_provincial_first", "issuing_level", "scope")


def _check_row(path: Path, row: Override, allowed: dict[str, set[str] | None]) -> None:
    where = f"{path}:{row.line}"
    if row.field not in REVIEWABLE:
        raise InputError(where, f"unknown field {row.field!r}; reviewable: {', '.join(REVIEWABLE)}")
    if not row.reason:
        raise InputError(where, "reason is empty; every override needs a reason")
    parts = [p.strip() for p in row.value.split(";")]
    parts = [] if parts == [""] else parts
    if "" in parts:
        raise InputError(where, f"{row.field}: empty value in {row.value!r}")
    valid = allowed.get(row.field)
    if valid is not None:
        bad = [p for p in parts if p not in valid]
        if bad:
            shown = ", ".join(sorted(valid)) if len(valid) <= 40 else "see data/codebook.yml"
            raise InputError(where, f"{row.field}: invalid value {bad[0]!r} in {row.value!r}; "
                             f"valid: {shown}")
    repeated = sorted({p for p in parts if parts.count(p) > 1})
    if repeated:
        raise InputError(where, f"{row.field}: value {repeated[0]!r} given twice in "
                         f"{row.value!r}")
    if row.field in _SINGLE and len(parts) > 1:
        raise InputError(where, f"{row.field}: one value expected, got {row.value!r}")
    if row.field.startswith("is_") and len(parts) != 1:
        raise InputError(where, f"{row.field}: invalid value {row.value!r}; valid: 0, 1")


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
