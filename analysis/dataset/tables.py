"""Table helpers shared by the analysis modules: readers, `;` fields, long province x domain form.

The coded tables (``items.csv``, ``figures.csv``) are defined in ``docs/CONTRACTS.md``.
Multi-valued columns are ``;``-joined strings; the helpers here split them and explode items to
one row per (item, province, domain) so that every aggregate keeps the ids of its items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from analysis.common.errors import InputError
from analysis.common.paths import FIGURES_CSV, ITEMS_CSV
from analysis.dataset.schema import DOMAINS as DOMAINS  # re-exported for the analysis modules
from analysis.dataset.schema import SIDES as SIDES

# The coded policy domains and instrument sides (display order) come from the schema.

_ITEM_INT = ("seq", "start", "end", "is_national_first", "is_provincial_first")
_ITEM_NULLABLE_INT = ("page_start", "page_end")
_FIGURE_FLOAT = ("value", "low", "high")
_FIGURE_INT = ("start", "end")
_FIGURE_NULLABLE_INT = ("target_year", "page")
ITEM_COLUMNS: tuple[str, ...] = (
    "item_id", "bulletin_id", "issue_date", "seq", "section", "title", "page_start", "page_end",
    "start", "end", "body", "provinces", "province_codes", "cities", "domains", "instruments",
    "instrument_sides", "is_national_first", "is_provincial_first", "issuing_level", "overridden",
)
FIGURE_COLUMNS: tuple[str, ...] = (
    "figure_id", "item_id", "bulletin_id", "kind", "value", "unit", "comparator", "low", "high",
    "target_year", "text", "start", "end", "page",
)


def split_field(value: object) -> list[str]:
    """Split a ``;``-joined field into its non-empty, stripped parts (NaN/None/"" -> [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
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


def _read(path: Path | str, columns: Sequence[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing columns: {', '.join(missing)}")
    return frame


def _to_int(frame: pd.DataFrame, path: Path | str, cols: Iterable[str], nullable: bool) -> None:
    for col in cols:
        values = pd.to_numeric(frame[col].replace("", pd.NA), errors="coerce")
        bad = values.isna() & frame[col].ne("")
        if bad.any() or (not nullable and values.isna().any()):
            row = int((bad | values.isna()).to_numpy().argmax()) + 2
            raise InputError(path, f"column {col}: not an integer on line {row}")
        frame[col] = values.astype("Int64") if nullable else values.astype("int64")


def load_items(path: Path | str = ITEMS_CSV) -> pd.DataFrame:
    """Read ``items.csv``: text columns as str ("" for empty), counts/offsets as int, pages Int64.

    Raises ``InputError`` (one line naming the file) when the file or a column is missing or an
    integer column holds something else.
    """
    frame = _read(path, ITEM_COLUMNS)
    _to_int(frame, path, _ITEM_INT, nullable=False)
    _to_int(frame, path, _ITEM_NULLABLE_INT, nullable=True)
    return frame


def load_figures(path: Path | str = FIGURES_CSV) -> pd.DataFrame:
    """Read ``figures.csv``: value/low/high as float, offsets int, target_year and page Int64."""
    frame = _read(path, FIGURE_COLUMNS)
    for col in _FIGURE_FLOAT:
        frame[col] = pd.to_numeric(frame[col].replace("", pd.NA), errors="coerce").astype(float)
    _to_int(frame, path, _FIGURE_INT, nullable=False)
    _to_int(frame, path, _FIGURE_NULLABLE_INT, nullable=True)
    return frame


def ordered_domains(values: Iterable[str]) -> list[str]:
    """Domains in display order: the coded ones in ``DOMAINS`` order, then any others sorted."""
    seen = set(values)
    return [d for d in DOMAINS if d in seen] + sorted(seen - set(DOMAINS))


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

    Provinces are sorted (by their Chinese names) unless given; domains follow ``DOMAINS`` order.
    """
    provs = list(provinces) if provinces is not None else sorted(set(long["province"]))
    doms = list(domains) if domains is not None else ordered_domains(long["domain"])
    index = pd.MultiIndex.from_product([provs, doms], names=["province", "domain"])
    return index.to_frame(index=False)


def ids_by_cell(long: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
    """The ``;``-joined item ids of each (province, domain) cell (optionally of masked rows)."""
    rows = long if mask is None else long[mask]
    return rows.groupby(["province", "domain"])["item_id"].agg(join_ids)
