"""Shared parts of the notebook views: containers, data loading, text helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from analysis.common import paths
from analysis.common.digest import file_stamp
from analysis.compare.stats import (
    StatResult,
    fmt_p,
)
from analysis.dataset.tables import load_figures, load_items, split_field
from analysis.views.params import (
    NotebookParams,
    RegionParams,
)
from analysis.views.plots import domain_label

#: Domain value of rows that pool every item of a province / the selected domains.
ALL_ITEMS = "all items"
SELECTED = "selected domains"


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class Section:
    """What one notebook cell shows: Markdown text, a table, glue values, figure data.

    ``sources`` maps a glue key of ``values`` to the item and figure ids its value is computed
    from (the numbers audit of the book lists them); a key without sources comes from the
    parameters alone. ``listing``: the table grows with the issues (one row per item, figure
    or issue); the PDF prints its last rows only (``markdown.table_output``).
    """

    text: str
    table: pd.DataFrame
    values: dict[str, Any] = field(default_factory=dict)
    data: pd.DataFrame | None = None
    sources: dict[str, list[str]] = field(default_factory=dict)
    listing: bool = False


@dataclass(frozen=True)
class Data:
    """The tables a notebook works on (see the module docstring for the scope).

    ``bulletin_items``: every item of the selected bulletins; ``items``: those about the
    compared ``provinces`` (their ``provinces`` field cut to them); ``figures``: the figures of
    ``items``; ``provinces``: the compared provinces (region first, then GB/T 2260 order);
    ``source``: what the tables were made from when :func:`load_data` read the project's files
    (their stamps, the bulletins and the provinces in scope), empty for tables passed in.
    """

    bulletin_items: pd.DataFrame
    items: pd.DataFrame
    figures: pd.DataFrame
    provinces: list[str]
    source: tuple = ()

    @cached_property
    def key(self) -> tuple:
        """Equal for equal tables (:func:`memoised` keys): ``source`` when known, else digests
        of the items and figures, computed once (about 0.6 s for 24,000 items)."""
        return self.source or (frame_digest(self.items), frame_digest(self.figures))


def restrict(items: pd.DataFrame, provinces: Iterable[str] | None = None,
             domains: Iterable[str] | None = None) -> pd.DataFrame:
    """Items with ``provinces`` (and ``province_codes``) / ``domains`` cut to the given values.

    Items left with no province (or no domain) are dropped; ``None`` keeps a field as it is.
    """
    out = items.copy()
    if provinces is not None:
        keep = set(provinces)
        pairs = [list(zip(split_field(p), split_field(c) or [""] * len(split_field(p)),
                          strict=False))
                 for p, c in zip(out["provinces"], out["province_codes"], strict=True)]
        out["provinces"] = [";".join(p for p, _ in row if p in keep) for row in pairs]
        out["province_codes"] = [";".join(c for p, c in row if p in keep) for row in pairs]
        out = out[out["provinces"] != ""]
    if domains is not None:
        keep_d = list(domains)
        out["domains"] = out["domains"].map(
            lambda v: ";".join(d for d in split_field(v) if d in keep_d))
        out = out[out["domains"] != ""]
    return out.reset_index(drop=True)


def load_data(p: NotebookParams, items: pd.DataFrame | None = None,
              figures: pd.DataFrame | None = None) -> Data:
    """The notebook's data: ``items.csv`` / ``figures.csv`` (or the given tables) in scope."""
    from_files = items is None and figures is None
    if from_files:
        stamps = tuple(file_stamp(path) for path in (paths.ITEMS_CSV, paths.FIGURES_CSV))
    items = load_items(paths.ITEMS_CSV) if items is None else items
    figures = load_figures(paths.FIGURES_CSV) if figures is None else figures
    chosen = items[items["bulletin_id"].isin(p.bulletins or [])].reset_index(drop=True)
    if isinstance(p, RegionParams):
        provinces = p.provinces
    else:
        present = {x for v in chosen["provinces"] for x in split_field(v)}
        order = {short: i for i, short in enumerate(p.names)}
        provinces = sorted(present, key=lambda x: (order.get(x, len(order)), x))
    scoped = restrict(chosen, provinces=provinces)
    figs = figures[figures["item_id"].isin(set(scoped["item_id"]))].reset_index(drop=True)
    source = (*stamps, tuple(p.bulletins or []), tuple(sorted(provinces))) if from_files else ()
    return Data(chosen, scoped, figs, list(provinces), source)


# --------------------------------------------------------------------------- shared work

T = TypeVar("T")

#: Values computed in this process, one per kind: ``{kind: (key, value)}`` (:func:`memoised`).
MEMO: dict[str, tuple[tuple, Any]] = {}


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a table's columns and rows, in order (the index is ignored)."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def memoised(kind: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the value an earlier call of this ``kind`` with an equal ``key``
    computed in this process.

    A warm kernel of the fan-out runner executes case after case on the same data: the
    comparison, its scenarios and every region with the default peers compute the same tables
    of all compared provinces (the indicator table, per-domain shares and tests, the index).
    Each is then computed once per kernel instead of once per case; a fresh process (papermill,
    a notebook run alone) computes everything as before. One value per kind is kept, so memory
    stays bounded. Values are shared: callers must not modify them."""
    found = MEMO.get(kind)
    if found is None or found[0] != key:
        MEMO.pop(kind, None)  # the old value goes before the new one is computed
        found = MEMO[kind] = (key, compute())
    return found[1]


# --------------------------------------------------------------------------- text helpers


def label(province: str, names: Mapping[str, str]) -> str:
    """``"Jiangsu 江苏"``; the Chinese name alone when no English name is known."""
    en = names.get(province, "")
    return f"{en} {province}" if en and en != province else province


def labels(names: Mapping[str, str]) -> dict[str, str]:
    """Short name -> bilingual label, for ``analysis.compare.stats`` readings."""
    return {short: label(short, names) for short in names}


def md_escape(text: object) -> str:
    """Data text (titles, figure text) made inert Markdown, on one line
    (:func:`analysis.common.escape.escape_markdown`)."""
    from analysis.common.escape import escape_markdown

    return escape_markdown(str(text))


def and_list(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = [str(p) for p in parts]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 item`` / ``3 items``."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def cap(text: str) -> str:
    """First letter upper case (``"digital government"`` -> ``"Digital government"``)."""
    return text[:1].upper() + text[1:]


def ci_text(low: float, high: float) -> str:
    """``95% CI 4-62%``."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no interval (no items)"
    return f"95% CI {100 * low:.0f}-{100 * high:.0f}%"


def money_text(yuan: float) -> str:
    """Yuan in words: ``1.04 trillion yuan``, ``102 billion yuan``, ``10.1 million yuan``,
    ``300,000 yuan`` (three significant digits, never exponent notation)."""
    if yuan is None or not np.isfinite(yuan):
        return "no money figure"
    if abs(yuan) >= 1e12:
        return f"{yuan / 1e12:,.3g} trillion yuan" if abs(yuan) < 1e15 else \
            f"{yuan / 1e12:,.0f} trillion yuan"
    if abs(yuan) >= 1e9:
        return f"{yuan / 1e9:.3g} billion yuan"
    if abs(yuan) >= 1e6:
        return f"{yuan / 1e6:.3g} million yuan"
    return f"{yuan:,.0f} yuan"


def ids_text(ids: object) -> str:
    """Item/figure ids (``;``-joined string or iterable) as ``a, b, c`` (``none`` if empty)."""
    if ids is None:
        return "none"
    parts = split_field(ids) if isinstance(ids, str) else [str(i) for i in ids]
    return ", ".join(parts) if parts else "none"


def page_text(start: object, end: object) -> str:
    """``5``, ``5-6`` or ``""`` (no page markers)."""
    if start is None or start is pd.NA or pd.isna(start):
        return ""
    s = int(start)
    e = s if end is None or end is pd.NA or pd.isna(end) else int(end)
    return str(s) if e == s else f"{s}-{e}"


def domains_text(value: object) -> str:
    """``ftz;industrial`` -> ``FTZ, industrial policy``."""
    return ", ".join(domain_label(d) for d in split_field(value))


def is_first(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int) == 1


def has_province(items: pd.DataFrame, province: str) -> pd.Series:
    return items["provinces"].map(lambda v: province in split_field(v))


def in_domains(items: pd.DataFrame, domains: Sequence[str]) -> pd.Series:
    wanted = set(domains)
    return items["domains"].map(lambda v: bool(wanted & set(split_field(v))))


def bulletins_text(bulletins: Sequence[str]) -> str:
    return ("bulletin " if len(bulletins) == 1 else "bulletins ") + and_list(list(bulletins))


def stat_p(result: StatResult) -> str:
    return fmt_p(result.p_value) if result.valid and result.p_value is not None else \
        "not tested"
