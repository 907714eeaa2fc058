"""The charts of the notebooks, each declared once: its name, how it is drawn, its caption.

A notebook cell asks for a chart by name (``charts.figures("heatmap", section.data, p)``); the
declaration gives the figure's file (``<output_dir>/<stem>.png`` with its data in
``<stem>.csv`` beside it), its glue key (``<notebook prefix>_<stem>_fig``) and its caption.
The book's chapters read the same declarations back from the glue keys
(:func:`parse_key`), so a key no chart declares, or a chart without its data file, is an
error when the book is generated, never a silent gap in a chapter. ``stem`` is the chart's
name, followed by ``_<domain>`` for a chart drawn once per selected domain.

To add a chart: write its plot function in :mod:`analysis.views.plots`, declare it in
:data:`CHARTS`, and call :func:`figures` from a template cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.views import plots
from analysis.views.images import FigureImages
from analysis.views.params import NotebookParams, RegionParams

Draw = Callable[[pd.DataFrame, NotebookParams, "str | None", Path], Figure]


@dataclass(frozen=True)
class Chart:
    """One chart: ``draw(data, params, domain, path)`` draws and saves it; ``caption`` may
    name ``{domain}`` (per-domain charts) and ``{who}`` (the chapter's subject)."""

    name: str
    draw: Draw
    caption: str
    per_domain: bool = False

    def stem(self, domain: str | None = None) -> str:
        """File stem of the figure (and of its CSV)."""
        return f"{self.name}_{domain}" if self.per_domain else self.name

    def figures(self, data: pd.DataFrame, p: NotebookParams) -> dict[str, FigureImages]:
        """Draw the chart (once per selected domain for a per-domain chart) into the case's
        output folder; ``{glue key: images}`` for :func:`analysis.views.display.show`, whose
        PNG is the file just written (rendered once)."""
        out = {}
        for domain in (p.domains if self.per_domain else [None]):
            stem = self.stem(domain)
            path = p.figure_path(stem)
            fig = self.draw(data, p, domain, path)
            out[p.key(f"{stem}_fig")] = FigureImages(fig, path.read_bytes())
        return out

    def caption_for(self, domain: str | None, who: str) -> str:
        """The caption with the domain's phrase and the chapter's subject filled in."""
        return self.caption.format(domain=plots.domain_label(domain) if domain else "", who=who)


def _heatmap(data: pd.DataFrame, p: NotebookParams, _d: str | None, path: Path) -> Figure:
    return plots.heatmap(data, "n_items", names=p.names, path=path,
                         title="Items by province and domain")


def _ranks(data: pd.DataFrame, p: NotebookParams, domain: str | None, path: Path) -> Figure:
    return plots.rank_ranges(data, domain, names=p.names, path=path)


def _instruments(data: pd.DataFrame, p: NotebookParams, _d: str | None, path: Path) -> Figure:
    return plots.instrument_mix_bars(data, names=p.names, path=path)


def _commitments(data: pd.DataFrame, p: NotebookParams, _d: str | None, path: Path) -> Figure:
    return plots.commitments_bars(data, names=p.names, path=path)


def _profile(data: pd.DataFrame, p: NotebookParams, _d: str | None, path: Path) -> Figure:
    if not isinstance(p, RegionParams):
        raise TypeError("the profile chart needs a region notebook's parameters")
    return plots.province_profile(data, p.region, names=p.names, path=path)


def _issues(data: pd.DataFrame, _p: NotebookParams, _d: str | None, path: Path) -> Figure:
    return plots.issue_bars(data, path=path)


def _issue_provinces(data: pd.DataFrame, p: NotebookParams, _d: str | None,
                     path: Path) -> Figure:
    return plots.issue_heatmap(data, names=p.names, path=path)


def _issue_domains(data: pd.DataFrame, _p: NotebookParams, _d: str | None,
                   path: Path) -> Figure:
    return plots.issue_heatmap(data, path=path, title="Items per domain and issue")


#: Every chart of the notebooks, by name.
CHARTS: dict[str, Chart] = {c.name: c for c in (
    Chart("heatmap", _heatmap,
          "Items per province and domain. An item about several provinces or domains counts "
          "in each of its cells."),
    Chart("ranks", _ranks,
          "Policy-activity index rank of each province, {domain}: rank with the given weights "
          "(dot), median rank (tick), and the 5-95% (thick) and min-max (thin) ranges over "
          "the random weightings.", per_domain=True),
    Chart("instruments", _instruments,
          "Instrument uses by side (supply, environment, demand), all items of each "
          "province."),
    Chart("commitments", _commitments,
          "Money stated in the items of the selected domains, per province (sum of the money "
          "figures in yuan; other currencies are not added)."),
    Chart("profile", _profile,
          "Share of {who}'s items per domain beside the median share of its peers."),
    Chart("issues", _issues,
          "Items per issue on the calendar; a month without an issue is marked, not drawn as "
          "zero."),
    Chart("issue_provinces", _issue_provinces,
          "Items per province and issue; grey months had no issue."),
    Chart("issue_domains", _issue_domains,
          "Items per domain and issue; grey months had no issue."),
)}


def figures(name: str, data: pd.DataFrame, p: NotebookParams) -> dict[str, FigureImages]:
    """Draw the declared chart ``name`` (see :meth:`Chart.figures`)."""
    return CHARTS[name].figures(data, p)


def parse_key(key: str, prefix: str, domains: tuple[str, ...]) -> tuple[Chart, str | None]:
    """The chart and domain behind a figure's glue key ``<prefix><stem>_fig``; ``domains`` are
    the codebook's domain ids. Raises ``KeyError`` for a key that no chart declares."""
    stem = key.removeprefix(prefix).removesuffix("_fig")
    if stem in CHARTS and not CHARTS[stem].per_domain:
        return CHARTS[stem], None
    for chart in CHARTS.values():
        if chart.per_domain and stem.startswith(f"{chart.name}_"):
            domain = stem.removeprefix(f"{chart.name}_")
            if domain in domains:
                return chart, domain
    raise KeyError(f"figure {key!r}: no declared chart has this glue key "
                   f"(charts: {', '.join(CHARTS)})")
