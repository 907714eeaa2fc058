"""What the notebook templates display: tables, generated English sentences, glue values.

The templates (``notebooks/region.ipynb``, ``notebooks/comparison.ipynb``) stay thin: each
cell calls one function here and displays its :class:`Section` with :func:`show` (``text``:
Markdown built from the data, never typed; ``table``: a display-ready DataFrame; ``values``: the
glue values; ``data``: the long table a figure is drawn from; ``sources``: the item and figure
ids behind each glue value, glued as ``<key>__sources`` for the book's numbers audit). Every
sentence carries the numbers and cites the items behind them (``{cite:p}`item_id```, rendered
by the book as ``[2020-09 #6 p.5–6]``); bulletin text is escaped (``md_escape``); glue values
hold the same sentences as plain text. Provinces appear in both languages ("Jiangsu 江苏").

Scope: ``load_data`` keeps the items of the selected ``bulletins``; their ``provinces`` field
is cut to the provinces compared (region + peers, or all) and items about none of them are
dropped. Shares are of ALL a province's items (any domain, as in ``indicators``); the
per-domain numbers, the index and the tests cover the selected ``domains``. The region's
overview, instruments, commitments, firsts and item list cover all its items (each row and
sentence says which domains they are on); the comparison's commitments cover the items in the
selected domains.

Glue keys (``myst_nb.glue``, text values quoted in the book with ``{glue:text}``; figures
with ``{glue:figure}``). ``<slug>`` is the region's English name in lower case (``jiangsu``),
``<domain>`` a domain code (``digital_government``, ``ftz``, ``industrial``, ``other``) among
the selected ones, ``<p>`` a province slug.

Region notebook (``region.ipynb``):

- ``<slug>_label`` "Jiangsu 江苏"; ``<slug>_peers`` the peers, comma-separated;
  ``<slug>_scope`` the scope sentence (peers, bulletins, domains, weights).
- ``<slug>_n_items`` items about the province; ``<slug>_n_items_total`` items in the selected
  bulletins; ``<slug>_n_in_domains`` of the province's items in the selected domains;
  ``<slug>_overview`` the overview sentence.
- ``<slug>_n_<domain>`` items on the domain; ``<slug>_share_<domain>`` "20% (95% CI 4-62%)";
  ``<slug>_share_test_<domain>`` the Fisher/Holm reading; ``<slug>_domains`` the sentence.
- ``<slug>_profile`` profile-vs-peer-median sentence; ``<slug>_profile_fig`` the figure.
- ``<slug>_instruments`` sentence; ``<slug>_instruments_fig`` the figure.
- ``<slug>_n_money_figures``, ``<slug>_money_yuan`` (sum of the yuan figures, float),
  ``<slug>_money`` (text, "102 billion yuan"), ``<slug>_money_other`` (other currencies, never
  added to yuan: "200,000,000 USD" or "none"), ``<slug>_n_count_figures``, ``<slug>_target_years``,
  ``<slug>_commitments`` sentence.
- ``<slug>_n_national_first``, ``<slug>_n_provincial_first``, ``<slug>_firsts`` sentence.
- ``<slug>_rank_<domain>`` rank with range "2 (1-3)", ``<slug>_score_<domain>`` (0-1, 3
  decimals), ``<slug>_index`` sentence.
- ``<slug>_item_ids`` the province's item ids, ``;``-joined.

Comparison notebook (``comparison.ipynb``), prefix ``comparison``:

- ``comparison_scope`` (provinces, bulletins, domains, weights, draws, seed).
- ``comparison_n_items``, ``comparison_n_provinces``, ``comparison_overview``.
- ``comparison_n_<domain>`` distinct items on the domain; ``comparison_counts_<domain>``
  sentence; ``comparison_heatmap_fig``.
- ``comparison_leader_<domain>`` first-ranked province(s); ``comparison_rank_<p>_<domain>``
  "2 (1-3)"; ``comparison_index_<domain>`` sentence; ``comparison_ranks_<domain>_fig``.
- ``comparison_independence`` / ``comparison_count_model`` readings and
  ``comparison_independence_p`` / ``comparison_count_model_p`` ("p = 0.44", or "not tested");
  ``comparison_share_tests_<domain>`` summary sentence.
- ``comparison_versus_default_<domain>`` (only when the weights are not the project's, e.g.
  a scenario): which provinces change rank against the project's weights.
- ``comparison_instruments`` sentence; ``comparison_instruments_fig``.
- ``comparison_commitments`` sentence; ``comparison_money_<p>`` (text);
  ``comparison_commitments_fig``.
- ``comparison_indicators_<domain>`` the top-ranked province of the indicator table.
- ``comparison_summary_<n>`` the executive summary's findings (plain text); the summary
  itself (with citations) and the table of every test are written to the output folder
  (``display.PARTS``) for the front of the book and the appendix.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Name -> the module defining it. Imported on first use (PEP 562), so that
#: ``analysis.views.params`` (parameter checks before any kernel starts) does not pull in
#: statsmodels, matplotlib and the rest; ``views.region_overview`` works as before.
_EXPORTS = {
    "ALL_ITEMS": "analysis.views.common",
    "SELECTED": "analysis.views.common",
    "SOURCES_SUFFIX": "analysis.views.markdown",
    "Data": "analysis.views.common",
    "Section": "analysis.views.common",
    "and_list": "analysis.views.common",
    "cap": "analysis.views.common",
    "ci_text": "analysis.views.common",
    "cite": "analysis.views.markdown",
    "comparison_commitments": "analysis.views.comparison",
    "comparison_counts": "analysis.views.comparison",
    "comparison_index": "analysis.views.comparison",
    "comparison_indicators": "analysis.views.indicators",
    "comparison_instruments": "analysis.views.comparison",
    "comparison_overview": "analysis.views.comparison",
    "comparison_scope": "analysis.views.comparison",
    "comparison_stats": "analysis.views.comparison",
    "comparison_summary": "analysis.views.summary",
    "comparison_versus_default": "analysis.views.comparison",
    "domain_label": "analysis.views.plots",
    "domains_text": "analysis.views.common",
    "export": "analysis.views.display",
    "glue_values": "analysis.views.display",
    "ids_text": "analysis.views.common",
    "indicators": "analysis.views.region",
    "label": "analysis.views.common",
    "labels": "analysis.views.common",
    "load_data": "analysis.views.common",
    "markdown_table": "analysis.views.markdown",
    "md_escape": "analysis.views.common",
    "money_text": "analysis.views.common",
    "page_text": "analysis.views.common",
    "pct": "analysis.common.text",
    "plain_text": "analysis.views.markdown",
    "plural": "analysis.views.common",
    "region_commitments": "analysis.views.region",
    "region_domains": "analysis.views.region",
    "region_firsts": "analysis.views.region",
    "region_index": "analysis.views.region",
    "region_instruments": "analysis.views.region",
    "region_items": "analysis.views.region",
    "region_overview": "analysis.views.region",
    "region_profile": "analysis.views.region",
    "region_scope": "analysis.views.region",
    "restrict": "analysis.views.common",
    "show": "analysis.views.display",
    "show_figures": "analysis.views.display",
    "table_output": "analysis.views.markdown",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """The exported ``name``, importing its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
