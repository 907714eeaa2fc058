"""What the notebook templates display: tables, generated English sentences, glue values.

The templates (``notebooks/region.ipynb``, ``notebooks/comparison.ipynb``) stay thin: each
cell calls one function here and displays its :class:`Section` (``text``: Markdown built from
the data, never typed; ``table``: a display-ready DataFrame; ``values``: the glue values;
``data``: the long table a figure is drawn from). Every sentence carries the numbers and the
item ids behind them. Provinces appear in both languages ("Jiangsu 江苏").

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
- ``<slug>_n_money_figures``, ``<slug>_money_yuan`` (sum, float), ``<slug>_money`` (text,
  "102 billion yuan"), ``<slug>_n_count_figures``, ``<slug>_target_years``,
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
- ``comparison_instruments`` sentence; ``comparison_instruments_fig``.
- ``comparison_commitments`` sentence; ``comparison_money_<p>`` (text);
  ``comparison_commitments_fig``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths
from analysis.index import compute_index, leave_one_out, rank_sensitivity
from analysis.indicators import (
    indicator_table,
    instrument_mix,
    item_counts,
    peer_median,
    quantified_commitments,
)
from analysis.params import (
    DEFAULT_N_DRAWS,
    DEFAULT_SEED,
    ComparisonParams,
    NotebookParams,
    RegionParams,
    glue_slug,
)
from analysis.plots import domain_label
from analysis.stats import (
    StatResult,
    count_model,
    fmt_p,
    independence_test,
    proportions,
    province_share_tests,
)
from analysis.tables import SIDES, issue_year, join_ids, load_figures, load_items, split_field

#: Domain value of rows that pool every item of a province / the selected domains.
ALL_ITEMS = "all items"
SELECTED = "selected domains"


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class Section:
    """What one notebook cell shows: Markdown text, a table, glue values, figure data."""

    text: str
    table: pd.DataFrame
    values: dict[str, Any] = field(default_factory=dict)
    data: pd.DataFrame | None = None


@dataclass(frozen=True)
class Data:
    """The tables a notebook works on (see the module docstring for the scope).

    ``bulletin_items``: every item of the selected bulletins; ``items``: those about the
    compared ``provinces`` (their ``provinces`` field cut to them); ``figures``: the figures of
    ``items``; ``provinces``: the compared provinces (region first, then GB/T 2260 order).
    """

    bulletin_items: pd.DataFrame
    items: pd.DataFrame
    figures: pd.DataFrame
    provinces: list[str]


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
    return Data(chosen, scoped, figs, list(provinces))


def glue_values(values: Mapping[str, Any] | Section) -> None:
    """Glue every value (``myst_nb.glue(key, value, display=False)``) for the book."""
    from myst_nb import glue

    mapping = values.values if isinstance(values, Section) else values
    for key, value in mapping.items():
        glue(key, value, display=False)


def show_figures(figures: Mapping[str, Any]) -> None:
    """Display and glue figures: ``{glue key: Figure}`` (``myst_nb.glue`` displays them)."""
    from myst_nb import glue

    for key, fig in figures.items():
        glue(key, fig)


# --------------------------------------------------------------------------- text helpers


def label(province: str, names: Mapping[str, str]) -> str:
    """``"Jiangsu 江苏"``; the Chinese name alone when no English name is known."""
    en = names.get(province, "")
    return f"{en} {province}" if en and en != province else province


def labels(names: Mapping[str, str]) -> dict[str, str]:
    """Short name -> bilingual label, for ``analysis.stats`` readings."""
    return {short: label(short, names) for short in names}


def md_escape(text: object) -> str:
    """Escape Markdown emphasis/code/link characters of data text (titles, figure text)."""
    out = str(text)
    for ch in "\\`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


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


def pct(x: float) -> str:
    """``0.4`` -> ``40%``."""
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.0f}%"


def ci_text(low: float, high: float) -> str:
    """``95% CI 4-62%``."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no interval (no items)"
    return f"95% CI {100 * low:.0f}-{100 * high:.0f}%"


def money_text(yuan: float) -> str:
    """Yuan in words: ``102 billion yuan``, ``10.1 million yuan``, ``300,000 yuan``."""
    if yuan is None or not np.isfinite(yuan):
        return "no money figure"
    if abs(yuan) >= 1e9:
        return f"{yuan / 1e9:,.3g} billion yuan".replace("e+", "e")
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


def _is_first(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int) == 1


def _has_province(items: pd.DataFrame, province: str) -> pd.Series:
    return items["provinces"].map(lambda v: province in split_field(v))


def _in_domains(items: pd.DataFrame, domains: Sequence[str]) -> pd.Series:
    wanted = set(domains)
    return items["domains"].map(lambda v: bool(wanted & set(split_field(v))))


def _bulletins_text(bulletins: Sequence[str]) -> str:
    return ("bulletin " if len(bulletins) == 1 else "bulletins ") + and_list(list(bulletins))


def _weights_text(weights: Mapping[str, float]) -> str:
    vals = [v for v in weights.values()]
    if vals and max(vals) - min(vals) < 1e-12:
        return f"equal weights on {plural(len(vals), 'indicator')}"
    used = [f"{k} {v:.2f}" for k, v in weights.items() if v > 0]
    return "weights " + ", ".join(used)


def _stat_p(result: StatResult) -> str:
    return fmt_p(result.p_value) if result.valid and result.p_value is not None else \
        "not tested"


# --------------------------------------------------------------------------- region


def region_scope(d: Data, p: RegionParams) -> Section:
    """Who is compared with whom, on which bulletins, domains and index weights."""
    peers = [label(x, p.names) for x in p.peers or []]
    doms = [domain_label(x) for x in p.domains]
    text = (f"**{label(p.region, p.names)}** compared with {plural(len(peers), 'peer')} "
            f"({and_list(peers)}) in {_bulletins_text(p.bulletins or [])}; domains: "
            f"{and_list(doms)}; policy-activity index with {_weights_text(p.weights or {})}.")
    table = pd.DataFrame({"parameter": ["region", "peers", "bulletins", "domains",
                                        "weights", "output_dir"],
                          "value": [label(p.region, p.names), ", ".join(peers),
                                    ", ".join(p.bulletins or []), ", ".join(p.domains),
                                    ", ".join(f"{k}={v:.3f}" for k, v in
                                              (p.weights or {}).items()),
                                    str(p.output_dir)]}).set_index("parameter")
    values = {p.key("label"): label(p.region, p.names), p.key("peers"): ", ".join(peers),
              p.key("scope"): text.replace("**", "")}
    return Section(text, table, values)


def region_overview(d: Data, p: RegionParams) -> Section:
    """How many items are about the province, in the selected domains, with firsts, figures."""
    mine = d.items[_has_province(d.items, p.region)]
    scoped = mine[_in_domains(mine, p.domains)]
    nat = mine[_is_first(mine, "is_national_first")]
    prov = mine[_is_first(mine, "is_provincial_first")]
    figs = d.figures[d.figures["item_id"].isin(set(mine["item_id"]))]
    n, total = len(mine), len(d.bulletin_items)
    who = label(p.region, p.names)
    doms = and_list([domain_label(x) for x in p.domains])
    text = (f"{who} appears in {n} of the {total} items of {_bulletins_text(p.bulletins or [])} "
            f"({ids_text(mine['item_id'])}). {len(scoped)} of them "
            f"concern the selected domains ({doms})"
            + (f": {ids_text(scoped['item_id'])}" if 0 < len(scoped) < n else "")
            + f"; {len(nat)} claim a national first"
            + (f" ({ids_text(nat['item_id'])})" if len(nat) else "")
            + f"; their text states {plural(len(figs), 'figure')}.")
    rows = [("items about the province", n, join_ids(mine["item_id"])),
            ("items in the selected domains", len(scoped), join_ids(scoped["item_id"])),
            ("items claiming a national first", len(nat), join_ids(nat["item_id"])),
            ("items claiming a provincial first", len(prov), join_ids(prov["item_id"])),
            ("figures stated in the items", len(figs), join_ids(figs["item_id"])),
            ("items in the selected bulletins (all provinces)", total, "")]
    table = pd.DataFrame(rows, columns=["measure", "value", "item_ids"]).set_index("measure")
    values = {p.key("n_items"): n, p.key("n_items_total"): total,
              p.key("n_in_domains"): len(scoped), p.key("overview"): text,
              p.key("item_ids"): join_ids(mine["item_id"])}
    return Section(text, table, values)


def region_domains(d: Data, p: RegionParams) -> Section:
    """Items and shares per selected domain with Wilson intervals and Fisher/Holm tests."""
    who = label(p.region, p.names)
    names = labels(p.names)
    rows, parts, readings, values = [], [], [], {}
    n_all = 0
    for domain in p.domains:
        props = proportions(d.items, domain).set_index("province")
        mine = props.loc[p.region]
        n_all = int(mine["n"])
        peers = props.drop(index=p.region, errors="ignore")
        peer_med = float(peers["share"].median()) if len(peers) else float("nan")
        tests = {r.name: r for r in province_share_tests(d.items, domain, names)}
        test = tests[f"{p.region} share of {domain}"]
        k, share = int(mine["k"]), float(mine["share"])
        ci = ci_text(float(mine["ci_low"]), float(mine["ci_high"]))
        rows.append({"domain": domain_label(domain), "items": k, "of its items": n_all,
                     "share": pct(share), "95% CI (Wilson)": ci.removeprefix("95% CI "),
                     "peer median share": pct(peer_med),
                     "Holm-adjusted p": _stat_p(test).removeprefix("p = "),
                     "item_ids": mine["item_ids"]})
        parts.append(f"{domain_label(domain)} {k} ({pct(share)}, {ci}"
                     + (f"; {ids_text(mine['item_ids'])}" if k else "") + ")")
        readings.append(test.reading)
        values[p.key(f"n_{domain}")] = k
        values[p.key(f"share_{domain}")] = f"{pct(share)} ({ci})"
        values[p.key(f"share_test_{domain}")] = test.reading
    head = (f"Of {who}'s {plural(n_all, 'item')} (any domain), these concern the selected "
            f"domains: {'; '.join(parts)}. An item can concern several domains.")
    values[p.key("domains")] = head
    text = head + "\n\n" + "\n".join(f"- {r}" for r in readings)
    return Section(text, pd.DataFrame(rows).set_index("domain"), values)


def indicators(d: Data, p: NotebookParams) -> pd.DataFrame:
    """``indicators.indicator_table`` of the compared provinces and the selected domains."""
    return indicator_table(d.items, d.figures, d.provinces, p.domains)


def region_profile(d: Data, p: RegionParams, value: str = "share_of_province") -> Section:
    """The province's share of items per domain beside the median of its peers.

    ``data`` is the indicator table to draw ``plots.province_profile`` from.
    """
    table = indicators(d, p)
    who = label(p.region, p.names)
    med = peer_median(table, p.region, value)
    own = table[table["province"] == p.region].set_index("domain")
    rows, parts = [], []
    for domain in p.domains:
        x, m = float(own.loc[domain, value]), float(med.get(domain, np.nan))
        rel = ("above" if x > m + 1e-12 else "below" if x < m - 1e-12 else "equal to") \
            if np.isfinite(m) else "without peers for"
        parts.append(f"{domain_label(domain)} {pct(x)} ({rel} the peer median {pct(m)})")
        rows.append({"domain": domain_label(domain), "province": pct(x),
                     "peer median": pct(m), "difference (points)": f"{100 * (x - m):+.0f}",
                     "item_ids": own.loc[domain, "item_ids"]})
    n_peers = len(p.peers or [])
    text = (f"Share of {who}'s items per domain against the median of its "
            f"{plural(n_peers, 'peer')}: {'; '.join(parts)}.")
    return Section(text, pd.DataFrame(rows).set_index("domain"), {p.key("profile"): text},
                   table)


def _mix_all(items: pd.DataFrame, provinces: Sequence[str]) -> pd.DataFrame:
    mix = instrument_mix(items, provinces, per_domain=False)
    mix["domain"] = ALL_ITEMS
    return mix


def _dominant(row: pd.Series) -> list[str]:
    counts = {side: int(row[f"n_{side}"]) for side in SIDES}
    top = max(counts.values())
    return [side for side, c in counts.items() if c == top and top > 0]


def region_instruments(d: Data, p: RegionParams) -> Section:
    """Supply / environment / demand instruments of the province's items, beside its peers.

    ``data`` (all items, one row per compared province) feeds ``plots.instrument_mix_bars``.
    """
    who = label(p.region, p.names)
    mix = _mix_all(d.items, d.provinces)
    per_dom = instrument_mix(d.items, [p.region], p.domains)
    mine = mix[mix["province"] == p.region].iloc[0]
    n = int(_has_province(d.items, p.region).sum())
    rows = []
    for _, row in pd.concat([mix[mix["province"] == p.region], per_dom]).iterrows():
        rows.append({"scope": domain_label(row["domain"]),
                     **{side: int(row[f"n_{side}"]) for side in SIDES},
                     **{f"{side} share": pct(row[f"share_{side}"]) for side in SIDES},
                     "sides used": int(row["n_sides_used"]), "item_ids": row["item_ids"]})
    counts = [f"{int(mine[f'n_{s}'])} {s}-side" for s in SIDES]
    top = _dominant(mine)
    peers = mix[mix["province"] != p.region]
    parts = []
    for side in top:
        m = float(peers[f"share_{side}"].median()) if len(peers) else float("nan")
        parts.append(f"{side}-side instruments make up {pct(mine[f'share_{side}'])} of its "
                     f"instrument uses (peer median {pct(m)})")
    text = (f"Of {who}'s {plural(n, 'item')}, {and_list(counts)} instruments are used "
            f"(an item can use several sides)"
            + (f"; {and_list(parts)}." if parts else "; no instrument is coded."))
    return Section(text, pd.DataFrame(rows).set_index("scope"),
                   {p.key("instruments"): text}, mix)


def _commitment_figures(figures: pd.DataFrame) -> pd.DataFrame:
    ty = pd.to_numeric(figures["target_year"], errors="coerce")
    keep = figures["kind"].isin(["money", "count"]) | ty.notna()
    return figures[keep]


def region_commitments(d: Data, p: RegionParams) -> Section:
    """Money, count targets and target years stated in the province's items, figure by figure."""
    who = label(p.region, p.names)
    mine = d.items[_has_province(d.items, p.region)]
    figs = _commitment_figures(d.figures[d.figures["item_id"].isin(set(mine["item_id"]))])
    issue = mine.set_index("item_id")["issue_date"]
    money = figs[figs["kind"] == "money"]
    count = figs[figs["kind"] == "count"]
    years = pd.to_numeric(figs["target_year"], errors="coerce").dropna().astype(int)
    total = float(money["value"].sum()) if len(money) else 0.0
    parts = []
    if len(money):
        big = money.loc[money["value"].idxmax()]
        parts.append(f"{plural(len(money), 'money figure')} summing to {money_text(total)} "
                     f"(items {ids_text(join_ids(money['item_id']))}; largest "
                     f"{md_escape(big['text'])}, {big['figure_id']})")
    else:
        parts.append("no money figure")
    parts.append(plural(len(count), "count target")
                 + (f" (items {ids_text(join_ids(count['item_id']))})" if len(count) else ""))
    if len(years):
        issued = figs.loc[years.index, "item_id"].map(issue).map(issue_year)
        horizon = (years - issued).max()
        parts.append(f"target years {and_list([str(y) for y in sorted(set(years))])}"
                     + (f" (up to {plural(int(horizon), 'year')} after issue)"
                        if np.isfinite(horizon) else ""))
    else:
        parts.append("no target year")
    text = f"{who}'s items state {and_list(parts)}."
    table = pd.DataFrame({
        "figure_id": figs["figure_id"], "item_id": figs["item_id"],
        "page": [page_text(x, x) for x in figs["page"]], "kind": figs["kind"],
        "text": figs["text"], "value": figs["value"], "unit": figs["unit"],
        "target_year": figs["target_year"].astype("string").fillna(""),
    }).set_index("figure_id")
    values = {p.key("n_money_figures"): len(money), p.key("money_yuan"): total,
              p.key("money"): money_text(total) if len(money) else "no money figure",
              p.key("n_count_figures"): len(count),
              p.key("target_years"): ", ".join(str(y) for y in sorted(set(years))),
              p.key("commitments"): text}
    return Section(text, table, values)


def _item_rows(items: pd.DataFrame, domains: Sequence[str] | None = None) -> pd.DataFrame:
    out = pd.DataFrame({
        "item_id": items["item_id"],
        "page": [page_text(s, e) for s, e in zip(items["page_start"], items["page_end"],
                                                 strict=True)],
        "title": items["title"],
        "domains": items["domains"].map(domains_text),
        "national first": np.where(_is_first(items, "is_national_first"), "yes", ""),
    })
    if domains is not None:
        out["in selected domains"] = np.where(_in_domains(items, domains), "yes", "")
    return out.set_index("item_id")


def region_firsts(d: Data, p: RegionParams) -> Section:
    """Items of the province claiming a national (or provincial) first, with titles."""
    who = label(p.region, p.names)
    mine = d.items[_has_province(d.items, p.region)]
    nat = mine[_is_first(mine, "is_national_first")]
    prov = mine[_is_first(mine, "is_provincial_first")]
    listed = "; ".join(f"{r.item_id} ({md_escape(r.title)}, {domains_text(r.domains)})"
                       for r in nat.itertuples())
    text = (f"{len(nat)} of {who}'s {plural(len(mine), 'item')} claim a national first"
            + (f": {listed}" if len(nat) else "") + f". {len(prov)} claim a provincial first"
            + (f" ({ids_text(prov['item_id'])})" if len(prov) else "") + ".")
    firsts = mine[_is_first(mine, "is_national_first") | _is_first(mine, "is_provincial_first")]
    table = _item_rows(firsts)
    table["provincial first"] = np.where(_is_first(firsts, "is_provincial_first"), "yes", "")
    values = {p.key("n_national_first"): len(nat), p.key("n_provincial_first"): len(prov),
              p.key("firsts"): text}
    return Section(text, table, values)


def _index_tables(d: Data, p: NotebookParams, n_draws: int, seed: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    table = indicators(d, p)
    idx = compute_index(table, p.weights)
    sens = rank_sensitivity(table, p.weights, n_draws=n_draws, seed=seed)
    loo = leave_one_out(table, p.weights)
    return idx, sens, loo


def region_index(d: Data, p: RegionParams, n_draws: int = DEFAULT_N_DRAWS,
                 seed: int = DEFAULT_SEED) -> Section:
    """The province's index score and rank per domain, with the ranges under other weights."""
    who = label(p.region, p.names)
    idx, sens, loo = _index_tables(d, p, n_draws, seed)
    ties = idx.groupby(["domain", "rank"])["province"].transform("size") - 1
    idx = idx.assign(ties=ties)
    idx = idx[idx["province"] == p.region].set_index("domain")
    sens = sens[sens["province"] == p.region].set_index("domain")
    loo = loo[loo["province"] == p.region].groupby("domain")["rank"].agg(["min", "max"])
    rows, parts, values = [], [], {}
    n = len(d.provinces)
    for domain in p.domains:
        s, r = float(idx.loc[domain, "score"]), sens.loc[domain]
        lo, hi = int(loo.loc[domain, "min"]), int(loo.loc[domain, "max"])
        rows.append({"domain": domain_label(domain), "score": round(s, 3),
                     "rank": int(r["rank"]), "of": n, "rank (min-max)": r["label"],
                     "5-95% of weightings": f"{int(r['p05_rank'])}-{int(r['p95_rank'])}",
                     "median rank": r["median_rank"],
                     "without one indicator": f"{lo}-{hi}" if lo != hi else str(lo),
                     "item_ids": r["item_ids"]})
        spread = (f"the same under all {n_draws} random weightings"
                  if r["min_rank"] == r["max_rank"] else
                  f"{int(r['min_rank'])}-{int(r['max_rank'])} over {n_draws} random "
                  f"weightings")
        tied = int(idx.loc[domain, "ties"])
        tie = f", tied with {plural(tied, 'other')}" if tied else ""
        parts.append(f"{domain_label(domain)}: rank {int(r['rank'])} of {n}{tie} (score "
                     f"{s:.2f}; rank {spread})")
        values[p.key(f"rank_{domain}")] = r["label"]
        values[p.key(f"score_{domain}")] = round(s, 3)
    text = f"Policy-activity index of {who} among the {n} provinces compared: " \
        + "; ".join(parts) + "."
    values[p.key("index")] = text
    return Section(text, pd.DataFrame(rows).set_index("domain"), values, sens.reset_index())


def region_items(d: Data, p: RegionParams) -> Section:
    """Every item about the province: id, page, title, domains, firsts."""
    mine = d.items[_has_province(d.items, p.region)]
    pages = [x for x in mine["page_start"].dropna().astype(int)] + \
        [x for x in mine["page_end"].dropna().astype(int)]
    where = f" on pages {min(pages)}-{max(pages)}" if pages else ""
    text = (f"The {plural(len(mine), 'item')} about {label(p.region, p.names)}{where} of "
            f"{_bulletins_text(p.bulletins or [])}.")
    return Section(text, _item_rows(mine, p.domains))


# --------------------------------------------------------------------------- comparison


def comparison_scope(d: Data, p: ComparisonParams) -> Section:
    """Which provinces, bulletins, domains, index weights and random weightings."""
    doms = [domain_label(x) for x in p.domains]
    provs = [label(x, p.names) for x in d.provinces]
    text = (f"All {plural(len(provs), 'province')} with items in "
            f"{_bulletins_text(p.bulletins or [])} ({', '.join(provs)}); domains: "
            f"{and_list(doms)}; policy-activity index with {_weights_text(p.weights or {})}, "
            f"rank ranges over {p.n_draws} random weightings (seed {p.seed}).")
    table = pd.DataFrame({"parameter": ["bulletins", "domains", "weights", "n_draws", "seed",
                                        "output_dir"],
                          "value": [", ".join(p.bulletins or []), ", ".join(p.domains),
                                    ", ".join(f"{k}={v:.3f}" for k, v in
                                              (p.weights or {}).items()),
                                    str(p.n_draws), str(p.seed), str(p.output_dir)]})
    return Section(text, table.set_index("parameter"), {"comparison_scope": text})


def comparison_overview(d: Data, p: ComparisonParams) -> Section:
    """Items per province (in the selected domains, with national firsts)."""
    rows, parts = [], []
    for prov in d.provinces:
        mine = d.items[_has_province(d.items, prov)]
        scoped = mine[_in_domains(mine, p.domains)]
        nat = mine[_is_first(mine, "is_national_first")]
        rows.append({"province": label(prov, p.names), "items": len(mine),
                     "in selected domains": len(scoped), "national firsts": len(nat),
                     "item_ids": join_ids(mine["item_id"])})
        parts.append(f"{label(prov, p.names)} {len(mine)}")
    table = pd.DataFrame(rows).set_index("province")
    n, placed = len(d.bulletin_items), len(d.items)
    unplaced = n - placed
    text = (f"The {n} items of {_bulletins_text(p.bulletins or [])} concern "
            f"{plural(len(d.provinces), 'province')}: {', '.join(parts)} items"
            + (f"; {plural(unplaced, 'item')} name no province" if unplaced else "")
            + ". An item about several provinces counts for each.")
    values = {"comparison_n_items": n, "comparison_n_provinces": len(d.provinces),
              "comparison_overview": text}
    return Section(text, table, values)


def _leaders(frame: pd.DataFrame, column: str, names: Mapping[str, str]) -> list[str]:
    top = frame[column].max()
    return [label(x, names) for x in frame.loc[frame[column] == top, "province"]]


def comparison_counts(d: Data, p: ComparisonParams) -> Section:
    """Province x domain item counts (and shares of each province's items).

    ``data`` is the long ``indicators.item_counts`` table for ``plots.heatmap``.
    """
    counts = item_counts(d.items, d.provinces, p.domains)
    rows = counts.assign(
        province=counts["province"].map(lambda x: label(x, p.names)),
        domain=counts["domain"].map(domain_label),
        cell=[f"{n} ({pct(s)})" for n, s in zip(counts["n_items"], counts["share_of_province"],
                                                strict=True)])
    table = rows.pivot(index="province", columns="domain", values="cell")
    table = table.loc[[label(x, p.names) for x in d.provinces],
                      [domain_label(x) for x in p.domains]]
    parts, values = [], {}
    for domain in p.domains:
        part = counts[counts["domain"] == domain]
        total = int(part["domain_items"].max()) if len(part) else 0
        values[f"comparison_n_{domain}"] = total
        if total == 0:
            sentence = f"{cap(domain_label(domain))}: no item."
        else:
            lead = _leaders(part, "n_items", p.names)
            k = int(part["n_items"].max())
            ids = join_ids(part.loc[part["n_items"] == k, "item_ids"].str.split(";").explode())
            sentence = (f"{cap(domain_label(domain))}: {plural(total, 'item')}, most from "
                        f"{and_list(lead)} ({k}: {ids_text(ids)}).")
        parts.append(sentence)
        values[f"comparison_counts_{domain}"] = sentence
    text = ("Items per province and domain (table cells: items on the domain (share of the "
            "province's items)).\n\n" + "\n".join(f"- {x}" for x in parts))
    return Section(text, table, values, counts)


def comparison_index(d: Data, p: ComparisonParams) -> Section:
    """Index ranks with sensitivity ranges, per domain, every province.

    ``data`` is the long ``index.rank_sensitivity`` table for ``plots.rank_ranges``.
    """
    idx, sens, _ = _index_tables(d, p, p.n_draws, p.seed)
    merged = sens.merge(idx[["domain", "province", "score"]], on=["domain", "province"])
    cells = merged.assign(
        province=merged["province"].map(lambda x: label(x, p.names)),
        domain=merged["domain"].map(domain_label),
        cell=[f"{lab} [{s:.2f}]" for lab, s in zip(merged["label"], merged["score"],
                                                   strict=True)])
    table = cells.pivot(index="province", columns="domain", values="cell")
    table = table.loc[[label(x, p.names) for x in d.provinces],
                      [domain_label(x) for x in p.domains]]
    parts, values = [], {}
    for domain in p.domains:
        part = merged[merged["domain"] == domain]
        first = part[part["rank"] == 1]
        lead = [label(x, p.names) for x in first["province"]]
        stable = int((part["min_rank"] == part["max_rank"]).sum())
        r = first.iloc[0]
        spread = ("in every weighting" if r["max_rank"] == 1 else
                  f"rank {int(r['min_rank'])}-{int(r['max_rank'])} over the weightings")
        sentence = (f"{cap(domain_label(domain))}: {and_list(lead)} "
                    f"{'ranks' if len(lead) == 1 else 'share rank'} first (score "
                    f"{r['score']:.2f}; {spread}); the rank of {stable} of {len(part)} "
                    f"provinces is the same under all {p.n_draws} random weightings.")
        parts.append(sentence)
        values[f"comparison_index_{domain}"] = sentence
        values[f"comparison_leader_{domain}"] = ", ".join(lead)
        for row in part.itertuples():
            slug = glue_slug(p.names.get(row.province, row.province))
            values[f"comparison_rank_{slug}_{domain}"] = row.label
    text = ("Policy-activity index per domain (table cells: rank (min-max over "
            f"{p.n_draws} random weightings) [score]).\n\n" + "\n".join(f"- {x}" for x in parts))
    return Section(text, table, values, sens)


def rank_range_figures(sens: pd.DataFrame, p: ComparisonParams) -> dict[str, Any]:
    """One ``plots.rank_ranges`` figure per selected domain, saved in ``output_dir``.

    Returns ``{glue key: Figure}`` for :func:`show_figures`.
    """
    from analysis.plots import rank_ranges

    return {f"comparison_ranks_{domain}_fig":
            rank_ranges(sens, domain, names=p.names, path=p.figure_path(f"ranks_{domain}"))
            for domain in p.domains}


def comparison_stats(d: Data, p: ComparisonParams) -> Section:
    """Independence test, count model and per-domain share tests, with their readings.

    Independence and count model use the items' selected domains only; share tests compare
    each province's share of ALL its items on the domain with the other provinces'.
    """
    names = labels(p.names)
    in_scope = restrict(d.items, domains=p.domains)
    indep = independence_test(in_scope, seed=p.seed)
    model = count_model(in_scope)
    results: list[tuple[str, StatResult]] = [("all", indep), ("all", model)]
    bullets = [indep.reading, model.reading]
    values: dict[str, Any] = {"comparison_independence": indep.reading,
                              "comparison_independence_p": _stat_p(indep),
                              "comparison_count_model": model.reading,
                              "comparison_count_model_p": _stat_p(model)}
    for domain in p.domains:
        tests = province_share_tests(d.items, domain, names)
        results += [(domain, t) for t in tests]
        valid = [t for t in tests if t.valid]
        signif = [t for t in valid if t.p_value is not None and t.p_value < 0.05]
        invalid = [t for t in tests if not t.valid]
        if signif:
            summary = " ".join(t.reading for t in signif)
        elif valid:
            best = min(t.p_value for t in valid if t.p_value is not None)
            summary = (f"{cap(domain_label(domain))}: no province's share of items "
                       f"differs distinguishably from the other provinces' ({len(valid)} "
                       f"Fisher tests, Holm-adjusted; smallest {fmt_p(best)}).")
        else:
            summary = f"{cap(domain_label(domain))}: no share test is valid."
        if invalid:
            summary += f" Not tested for {len(invalid)}: " + " ".join(
                t.reading for t in invalid)
        bullets.append(summary)
        values[f"comparison_share_tests_{domain}"] = summary
    table = pd.DataFrame([{
        "test": t.name if scope == "all" else
        f"{names.get(t.name.split(' ')[0], t.name.split(' ')[0])}: {domain_label(scope)}",
        "valid": "yes" if t.valid else "no",
        "statistic": None if t.statistic is None else round(t.statistic, 3),
        "p": _stat_p(t), "n items": t.n, "reading": t.reading, "method": t.method,
    } for scope, t in results]).set_index("test")
    text = "\n".join(f"- {b}" for b in bullets)
    return Section(text, table, values)


def comparison_instruments(d: Data, p: ComparisonParams) -> Section:
    """Instrument sides of every province's items (all items of the province).

    ``data`` feeds ``plots.instrument_mix_bars`` (domain ``"all items"``).
    """
    mix = _mix_all(d.items, d.provinces)
    rows, by_side = [], {side: [] for side in SIDES}
    for _, row in mix.iterrows():
        rows.append({"province": label(row["province"], p.names),
                     **{side: int(row[f"n_{side}"]) for side in SIDES},
                     **{f"{side} share": pct(row[f"share_{side}"]) for side in SIDES},
                     "sides used": int(row["n_sides_used"]), "item_ids": row["item_ids"]})
        for side in _dominant(row):
            by_side[side].append(label(row["province"], p.names))
    n = len(mix)
    parts = [f"{side}-side in {len(provs)} ({', '.join(provs)})"
             for side, provs in by_side.items() if provs]
    all3 = [label(x, p.names) for x in mix.loc[mix["n_sides_used"] == 3, "province"]]
    text = (f"Most-used instrument side of each of the {n} provinces' items: {'; '.join(parts)}"
            f" (ties count for each side). {len(all3)} of {n} provinces use all three sides"
            + (f" ({', '.join(all3)})" if all3 else "") + ".")
    return Section(text, pd.DataFrame(rows).set_index("province"),
                   {"comparison_instruments": text}, mix)


def comparison_commitments(d: Data, p: ComparisonParams) -> Section:
    """Money, count targets and horizons per province over its items in the selected domains.

    ``data`` (domain ``"selected domains"``) feeds ``plots.commitments_bars``. Each money
    figure counts once per province, even when its item spans several selected domains.
    """
    pooled = restrict(d.items, domains=p.domains).assign(domains=SELECTED)
    com = quantified_commitments(pooled, d.figures, d.provinces, [SELECTED])
    money_figs = d.figures[d.figures["kind"] == "money"]
    rows, parts, values, none = [], [], {}, []
    for row in com.itertuples():
        who = label(row.province, p.names)
        money = float(row.money_yuan)
        mine = set(pooled.loc[_has_province(pooled, row.province), "item_id"])
        money_ids = join_ids(money_figs.loc[money_figs["item_id"].isin(mine), "item_id"])
        rows.append({"province": who, "money": money_text(money) if money > 0 else "",
                     "money_yuan": money, "money figures": row.n_money_figures,
                     "count targets": row.n_count_figures, "target years": row.target_years,
                     "horizon (years)": "" if pd.isna(row.horizon_years)
                     else int(row.horizon_years),
                     "figure_ids": row.figure_ids, "item_ids": row.item_ids})
        slug = glue_slug(p.names.get(row.province, row.province))
        values[f"comparison_money_{slug}"] = money_text(money) if money > 0 else \
            "no money figure"
        if money > 0:
            figs = plural(row.n_money_figures, "figure")
            parts.append((money, f"{who} {money_text(money)} ({figs}; items "
                                 f"{ids_text(money_ids)})"))
        else:
            none.append(who)
    parts.sort(key=lambda x: -x[0])
    text = ("Money stated in the items of the selected domains (sum of the money figures): "
            + ("; ".join(t for _, t in parts) if parts else "none")
            + (f". No money figure: {', '.join(none)}" if none else "") + ".")
    values["comparison_commitments"] = text
    return Section(text, pd.DataFrame(rows).set_index("province"), values, com)


__all__ = [
    "ALL_ITEMS", "SELECTED", "Data", "Section", "comparison_commitments", "comparison_counts",
    "comparison_index", "comparison_instruments", "comparison_overview", "comparison_scope",
    "comparison_stats",
    "glue_values", "indicators", "label", "load_data", "rank_range_figures", "region_commitments",
    "region_domains", "region_firsts", "region_index", "region_instruments", "region_items",
    "region_overview", "region_profile", "region_scope", "restrict", "show_figures",
]
