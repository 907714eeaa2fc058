"""Reading the coded tables back: typed readers of ``items.csv`` and ``figures.csv`` (columns
and types from :mod:`analysis.dataset.schema`); the ``;``-joined multi-valued fields are
:mod:`analysis.dataset.fields`' (re-exported here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.dataset.fields import issue_year, join_ids, rebuild_hint, split_field
from analysis.dataset.schema import column_types, columns

__all__ = ["issue_year", "join_ids", "load_bulletins", "load_figures", "load_items",
           "read_table", "split_field"]


def read_table(name: str, path: Path | str) -> pd.DataFrame:
    """Read a processed table with the schema's types: text as str ("" for empty), ``int``
    columns as int64, nullable ``Int64`` columns as Int64, ``float`` columns as float.

    Raises ``InputError`` (one line naming the file) when the file or a column is missing or an
    integer column holds something else.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    rebuild = rebuild_hint(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise InputError(path, f"not a readable table ({first}); {rebuild}") from None
    missing = [c for c in columns(name) if c not in frame.columns]
    if missing:
        raise InputError(path, f"missing columns: {', '.join(missing)}; {rebuild}")
    for col, dtype in column_types(name).items():
        if dtype is float:
            frame[col] = pd.to_numeric(frame[col].replace("", pd.NA), errors="coerce").astype(float)
        elif dtype in (int, "Int64"):
            _to_int(frame, path, col, nullable=dtype == "Int64")
    return frame


def _to_int(frame: pd.DataFrame, path: Path, col: str, nullable: bool) -> None:
    values = pd.to_numeric(frame[col].replace("", pd.NA), errors="coerce")
    bad = values.isna() & frame[col].ne("")
    if bad.any() or (not nullable and values.isna().any()):
        row = int((bad | values.isna()).to_numpy().argmax()) + 2
        raise InputError(path, f"column {col}: not an integer on line {row}")
    frame[col] = values.astype("Int64") if nullable else values.astype("int64")


def load_items(path: Path | str | None = None) -> pd.DataFrame:
    """Read ``items.csv`` (default ``paths.ITEMS_CSV``) with the schema's types."""
    return read_table("items", path or paths.ITEMS_CSV)


def load_figures(path: Path | str | None = None) -> pd.DataFrame:
    """Read ``figures.csv`` (default ``paths.FIGURES_CSV``) with the schema's types."""
    return read_table("figures", path or paths.FIGURES_CSV)


def load_bulletins(path: Path | str | None = None) -> pd.DataFrame:
    """Read ``bulletins.csv`` (default ``paths.BULLETINS_CSV``) with the schema's types."""
    return read_table("bulletins", path or paths.BULLETINS_CSV)
