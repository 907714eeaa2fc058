"""The coded tables' fields without pandas: ``;``-joined multi-valued fields, issue years, and a
reader of a few columns of a processed CSV.

The parameter checks (:mod:`analysis.views.params`) read the items table's bulletin ids and
provinces through :func:`read_columns`: the fan-out runner checks every case before any kernel
starts, and importing pandas was most of that wait. :mod:`analysis.dataset.tables` (typed
tables, pandas) re-exports the field helpers.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis.common.errors import InputError
from analysis.common.text import display_path


def _missing(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pd = sys.modules.get("pandas")  # pandas.NA exists only if pandas was imported
    return pd is not None and value is pd.NA


def split_field(value: object) -> list[str]:
    """Split a ``;``-joined field into its non-empty, stripped parts (NaN/None/"" -> [])."""
    if _missing(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def join_ids(ids: Iterable[object]) -> str:
    """Join ids into one ``;``-joined string: unique, sorted, empty parts dropped."""
    return ";".join(sorted({str(i) for i in ids if str(i)}))


def issue_year(issue_date: object) -> float:
    """The year of a ``YYYY-MM`` issue date as a float (NaN when missing or malformed)."""
    text = "" if issue_date is None else str(issue_date)
    head = text[:4]
    return float(head) if head.isdigit() else float("nan")


def rebuild_hint(path: Path) -> str:
    """How to recover from a broken processed table."""
    return f"remove {display_path(path.parent)}/ and run `python -m analysis build`"


def read_columns(path: Path | str, names: Sequence[str]) -> list[tuple[str, ...]]:
    """The values of columns ``names`` of a processed CSV, row by row, as text.

    Raises ``InputError`` (one line naming the file) when the file is missing, not UTF-8 CSV,
    or lacks one of the columns."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:  # a BOM, as pandas
            header, *rows = list(csv.reader(handle, strict=True)) or [[]]
    except FileNotFoundError:
        raise InputError(path, "file not found; run `python -m analysis build` first") from None
    except UnicodeDecodeError as err:
        raise InputError(path, f"not a readable table (not UTF-8: {err.reason} at byte "
                         f"{err.start}); {rebuild_hint(path)}") from None
    except csv.Error as err:
        raise InputError(path, f"not a readable table ({err}); {rebuild_hint(path)}") from None
    missing = [n for n in names if n not in header]
    if missing:
        raise InputError(path, f"missing columns: {', '.join(missing)}; {rebuild_hint(path)}")
    where = [header.index(n) for n in names]
    return [tuple(row[i] if i < len(row) else "" for i in where) for row in rows if row]
