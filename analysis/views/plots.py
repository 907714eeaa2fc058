"""Figures of the comparison. Each function returns a matplotlib Figure.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state, no backend choice, so
notebooks keep the inline backend). Text uses the project font (``fonts.setup_matplotlib``) and
is rendered once under ``fonts.strict_glyphs``: a missing glyph raises. With ``path`` given,
the PNG and the CSV of the data behind it (same name, ``.csv``, with item ids) are written
atomically (temporary file, then ``os.replace``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from analysis.coding.vocab import vocabulary
from analysis.common.atomic import atomic_open
from analysis.common.fonts import check_glyphs, setup_matplotlib, strict_glyphs
from analysis.compare.indicators import peer_median
from analysis.views.images import render

Names = Mapping[str, str] | None
SIDE_COLOURS = {"supply": "#4c72b0", "environment": "#55a868", "demand": "#c44e52"}


def province_label(province: str, names: Names = None) -> str:
    """``"Jiangsu 江苏"`` from a short-name -> English mapping; the Chinese name alone if absent."""
    en = (names or {}).get(province, "")
    return f"{en} {province}" if en and en != province else province


def domain_label(domain: str) -> str:
    """How text names a domain (codebook ``phrase``: ``ftz`` -> ``FTZ``); unknown codes
    unchanged."""
    return vocabulary().phrase(domain)


def save_figure(fig: Figure, data: pd.DataFrame, path: Path | str | None) -> None:
    """Check glyphs; with ``path``, write the PNG (:func:`analysis.views.images.render`, the
    bytes the notebook shows) and ``path.with_suffix('.csv')`` atomically."""
    if path is None:
        check_glyphs(fig)
        return
    path = Path(path)
    with strict_glyphs():
        png = render(fig, "png")
    with atomic_open(path, "wb") as handle:
        handle.write(png)
    with atomic_open(path.with_suffix(".csv"), "w") as handle:
        data.to_csv(handle, index=False)


def _new(width: float, height: float) -> tuple[Figure, object]:
    setup_matplotlib()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _one_domain(table: pd.DataFrame, domain: str | None) -> tuple[str, pd.DataFrame]:
    doms = list(dict.fromkeys(table["domain"]))
    if domain is None:
        if len(doms) != 1:
            raise ValueError(f"table has domains {doms}; pass domain=")
        domain = doms[0]
    part = table[table["domain"] == domain]
    if part.empty:
        raise ValueError(f"no rows for domain {domain!r}; domains: {doms}")
    return domain, part.reset_index(drop=True)


def heatmap(table: pd.DataFrame, value: str = "n_items", names: Names = None,
            path: Path | str | None = None, title: str | None = None) -> Figure:
    """Province x domain heatmap of ``value`` (a column of a province x domain table)."""
    grid = table.pivot(index="province", columns="domain", values=value)
    grid = grid[list(dict.fromkeys(table["domain"]))].loc[list(dict.fromkeys(table["province"]))]
    fig, ax = _new(1.6 + 1.5 * grid.shape[1], 1.2 + 0.45 * grid.shape[0])
    values = grid.to_numpy(dtype=float)
    # pcolormesh (not imshow): cells are vector shapes, sharp in SVG and print.
    image = ax.pcolormesh(np.arange(grid.shape[1] + 1) - 0.5, np.arange(grid.shape[0] + 1) - 0.5,
                          values, cmap="Blues", vmin=0)
    ax.invert_yaxis()
    top = np.nanmax(values) if np.isfinite(values).any() else 0
    for (i, j), v in np.ndenumerate(values):
        text = "" if np.isnan(v) else (f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}")
        ax.text(j, i, text, ha="center", va="center",
                color="white" if top and v > 0.6 * top else "black")
    ax.set_xticks(range(grid.shape[1]), [domain_label(d) for d in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [province_label(p, names) for p in grid.index])
    ax.set_title(title or f"{value} by province and domain")
    fig.colorbar(image, ax=ax, label=value).solids.set_rasterized(False)
    data = table[["province", "domain", value, "item_ids"]].copy()
    data.insert(1, "label", data["province"].map(lambda p: province_label(p, names)))
    save_figure(fig, data, path)
    return fig


def instrument_mix_bars(mix: pd.DataFrame, domain: str | None = None, names: Names = None,
                        shares: bool = True, path: Path | str | None = None) -> Figure:
    """Stacked bars of the supply / environment / demand mix per province (one domain)."""
    domain, part = _one_domain(mix, domain)
    cols = [f"{'share' if shares else 'n'}_{side}" for side in vocabulary().sides]
    labels = [province_label(p, names) for p in part["province"]]
    fig, ax = _new(7, 1.2 + 0.45 * len(part))
    left, y = np.zeros(len(part)), np.arange(len(part))
    for side, col in zip(vocabulary().sides, cols, strict=True):
        vals = part[col].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=SIDE_COLOURS[side], label=side)
        left += vals
    ax.set_yticks(y, labels)
    ax.set_ylim(len(part) - 0.5, -0.5)
    ax.set_xlabel("share of instrument uses" if shares else "items using the side")
    ax.set_title(f"Policy instrument mix: {domain_label(domain)}")
    fig.legend(loc="outside lower center", ncols=4, fontsize="small")
    save_figure(fig, part[["province", "domain", *cols, "item_ids"]], path)
    return fig


def commitments_bars(commitments: pd.DataFrame, domain: str | None = None,
                     value: str = "money_yuan", names: Names = None,
                     path: Path | str | None = None) -> Figure:
    """Bars of a quantified commitment (money in yuan by default) per province, one domain.

    The axis is logarithmic when the positive values span more than 2 orders of magnitude;
    zero cells are then labelled "0" instead of drawn.
    """
    domain, part = _one_domain(commitments, domain)
    vals = part[value].to_numpy(dtype=float)
    positive = vals[vals > 0]
    log = positive.size > 0 and positive.max() / positive.min() > 100
    labels = [province_label(p, names) for p in part["province"]]
    fig, ax = _new(7, 1.2 + 0.45 * len(part))
    y = np.arange(len(part))
    ax.barh(y, np.where(vals > 0, vals, np.nan) if log else vals, color="#4c72b0")
    if log:
        ax.set_xscale("log")
        for i, v in enumerate(vals):
            if not v > 0:
                ax.text(0.01, i, "0", va="center", transform=ax.get_yaxis_transform())
    ax.set_yticks(y, labels)
    ax.set_ylim(len(part) - 0.5, -0.5)
    ax.set_xlabel(f"{value}{' (log scale)' if log else ''}")
    ax.set_title(f"Quantified commitments: {domain_label(domain)}")
    cols = [c for c in ("figure_ids", "item_ids") if c in part]
    save_figure(fig, part[["province", "domain", value, *cols]], path)
    return fig


def rank_ranges(sensitivity: pd.DataFrame, domain: str | None = None, names: Names = None,
                path: Path | str | None = None) -> Figure:
    """Index ranks with sensitivity ranges: point = rank, thick bar = 5-95%, thin = min-max."""
    domain, part = _one_domain(sensitivity, domain)
    part = part.sort_values(["rank", "province"], kind="mergesort").reset_index(drop=True)
    y = np.arange(len(part))
    fig, ax = _new(7, 1.2 + 0.45 * len(part))
    ax.hlines(y, part["min_rank"], part["max_rank"], color="#999999", linewidth=1.5,
              label="min-max")
    ax.hlines(y, part["p05_rank"], part["p95_rank"], color="#4c72b0", linewidth=5,
              label="5-95%")
    ax.plot(part["rank"], y, "o", color="black", label="rank (given weights)")
    ax.plot(part["median_rank"], y, "|", color="#c44e52", markersize=14, label="median")
    ax.set_yticks(y, [province_label(p, names) for p in part["province"]])
    ax.set_ylim(len(part) - 0.5, -0.5)
    n = int(part["max_rank"].max()) if len(part) else 1
    ax.set_xticks(range(1, n + 1))
    ax.set_xlim(0.5, n + 0.5)
    ax.set_xlabel(f"rank (1 = most active; {int(part['n_draws'].iloc[0])} random weightings)")
    ax.set_title(f"Policy-activity index: {domain_label(domain)}")
    fig.legend(loc="outside lower center", ncols=4, fontsize="small")
    save_figure(fig, part, path)
    return fig


def province_profile(table: pd.DataFrame, province: str, value: str = "share_of_province",
                     names: Names = None, path: Path | str | None = None) -> Figure:
    """One province's ``value`` per domain, as bars beside the median of the other provinces."""
    mine = table[table["province"] == province].set_index("domain")
    if mine.empty:
        raise ValueError(f"no rows for province {province!r}")
    doms = list(dict.fromkeys(table["domain"]))
    others = table[table["province"] != province]
    peer = peer_median(table, province, value).reindex(doms)
    own = mine[value].reindex(doms).astype(float)
    x = np.arange(len(doms))
    fig, ax = _new(1.5 + 1.4 * len(doms), 4)
    ax.bar(x - 0.2, own.to_numpy(), width=0.4, color="#4c72b0",
           label=province_label(province, names))
    ax.bar(x + 0.2, peer.to_numpy(dtype=float), width=0.4, color="#bbbbbb",
           label=f"median of {others['province'].nunique()} other provinces")
    ax.set_xticks(x, [domain_label(d) for d in doms])
    ax.set_ylabel(value)
    ax.set_title(f"Profile: {province_label(province, names)}")
    ax.legend(fontsize="small")
    data = pd.DataFrame({"province": province, "domain": doms, value: own.to_numpy(),
                         "peer_median": peer.to_numpy(dtype=float),
                         "item_ids": mine["item_ids"].reindex(doms).fillna("").to_numpy()
                         if "item_ids" in mine else ""})
    save_figure(fig, data, path)
    return fig


def issue_bars(calendar: pd.DataFrame, path: Path | str | None = None) -> Figure:
    """Items per issue on a month axis; a month without an issue is marked "no issue" (a gap,
    never a zero bar). ``calendar``: :func:`analysis.compare.trend.calendar`."""
    per_month = calendar.groupby("month", sort=True).agg(
        n_items=("n_items", "sum"), gap=("gap", "all"), bulletins=("bulletin_id", ";".join))
    x = np.arange(len(per_month))
    fig, ax = _new(_issue_width(len(per_month), 1.5), 3.6)
    ax.bar(x, np.where(per_month["gap"], np.nan, per_month["n_items"]), color="#4c72b0")
    for i in np.flatnonzero(per_month["gap"].to_numpy()):
        ax.text(i, 0, "no issue", rotation=90, ha="center", va="bottom", fontsize="x-small",
                color="#888888")
    _month_ticks(ax, list(per_month.index))
    ax.set_ylabel("items in the issue")
    ax.set_title("Items per issue")
    save_figure(fig, per_month.reset_index(), path)
    return fig


def issue_heatmap(table: pd.DataFrame, names: Names = None, path: Path | str | None = None,
                  title: str = "Items per province and issue") -> Figure:
    """Rows (provinces or domains) x months of ``value``; gap months are grey, not zero.

    ``table``: long, with columns ``row``, ``month``, ``value`` (NaN in a gap month)."""
    grid = table.pivot(index="row", columns="month", values="value")
    grid = grid.loc[list(dict.fromkeys(table["row"]))]
    values = grid.to_numpy(dtype=float)
    fig, ax = _new(_issue_width(grid.shape[1], 2.5), 1.2 + 0.32 * grid.shape[0])
    cmap = colormaps["Blues"].with_extremes(bad="#dddddd")
    # pcolormesh (not imshow): cells are vector shapes, sharp in SVG and print.
    image = ax.pcolormesh(np.arange(grid.shape[1] + 1) - 0.5, np.arange(grid.shape[0] + 1) - 0.5,
                          np.ma.masked_invalid(values), cmap=cmap, vmin=0)
    ax.invert_yaxis()
    ax.set_yticks(range(grid.shape[0]), [province_label(r, names) if names and r in names
                                         else domain_label(r) for r in grid.index])
    _month_ticks(ax, list(grid.columns))
    ax.set_title(title + " (grey: no issue that month)")
    fig.colorbar(image, ax=ax, label="items").solids.set_rasterized(False)
    save_figure(fig, table, path)
    return fig


def _issue_width(n_months: int, margin: float) -> float:
    """Width in inches of a chart over ``n_months``: at least the printed text width (7 in,
    like the other charts, so the PDF never enlarges it), at most 12 in."""
    return min(12.0, max(7.0, margin + 0.3 * n_months))


def _month_ticks(ax: object, months: list[str]) -> None:
    step = max(1, len(months) // 24)
    ax.set_xticks(range(0, len(months), step),  # type: ignore[attr-defined]
                  months[::step], rotation=90, fontsize="small")
