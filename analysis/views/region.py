"""Region notebook views (``notebooks/region.ipynb``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.coding.vocab import vocabulary
from analysis.common.text import pct
from analysis.compare.index import (
    compute_index,
    leave_one_out,
    rank_sensitivity,
    share_text,
    weights_text,
)
from analysis.compare.indicators import (
    indicator_table,
    instrument_mix,
    other_money_text,
    peer_median,
    yuan_money,
)
from analysis.compare.stats import (
    StatResult,
    proportions,
    province_share_tests,
)
from analysis.dataset.tables import issue_year, join_ids, split_field
from analysis.views.common import (
    ALL_ITEMS,
    Data,
    Section,
    and_list,
    bulletins_text,
    ci_text,
    domains_text,
    has_province,
    in_domains,
    is_first,
    label,
    labels,
    md_escape,
    memoised,
    money_text,
    page_text,
    plural,
    stat_p,
)
from analysis.views.markdown import cite, plain_text
from analysis.views.params import (
    DEFAULT_N_DRAWS,
    DEFAULT_SEED,
    NotebookParams,
    RegionParams,
)
from analysis.views.plots import domain_label

# --------------------------------------------------------------------------- region


def region_scope(d: Data, p: RegionParams) -> Section:
    """Who is compared with whom, on which bulletins, domains and index weights."""
    peers = [label(x, p.names) for x in p.peers or []]
    doms = [domain_label(x) for x in p.domains]
    # The scope comes from the parameters (peers, bulletins, domains, weights): no item sources.
    text = (f"**{label(p.region, p.names)}** compared with {plural(len(peers), 'peer')} "
            f"({and_list(peers)}) in {bulletins_text(p.bulletins or [])}; domains: "
            f"{and_list(doms)}; policy-activity index with {weights_text(p.weights or {})}.")
    table = pd.DataFrame({"parameter": ["region", "peers", "bulletins", "domains",
                                        "weights", "output_dir"],
                          "value": [label(p.region, p.names), ", ".join(peers),
                                    ", ".join(p.bulletins or []), ", ".join(p.domains),
                                    ", ".join(f"{k}={share_text(v)}" for k, v in
                                              (p.weights or {}).items()),
                                    str(p.output_dir)]}).set_index("parameter")
    values = {p.key("label"): label(p.region, p.names), p.key("peers"): ", ".join(peers),
              p.key("scope"): text.replace("**", "")}
    return Section(text, table, values)


def region_overview(d: Data, p: RegionParams) -> Section:
    """How many items are about the province, in the selected domains, with firsts, figures."""
    mine = d.items[has_province(d.items, p.region)]
    scoped = mine[in_domains(mine, p.domains)]
    nat = mine[is_first(mine, "is_national_first")]
    prov = mine[is_first(mine, "is_provincial_first")]
    figs = d.figures[d.figures["item_id"].isin(set(mine["item_id"]))]
    n, total = len(mine), len(d.bulletin_items)
    who = label(p.region, p.names)
    doms = and_list([domain_label(x) for x in p.domains])
    text = (f"{who} appears in {n} of the {total} items of {bulletins_text(p.bulletins or [])}"
            f" {cite(mine['item_id'])}. {len(scoped)} of them "
            f"concern the selected domains ({doms})"
            + (f" {cite(scoped['item_id'])}" if 0 < len(scoped) < n else "")
            + f"; {len(nat)} claim a national first"
            + (f" {cite(nat['item_id'])}" if len(nat) else "")
            + f"; their text states {plural(len(figs), 'figure')}.")
    rows = [("items about the province", n, join_ids(mine["item_id"])),
            ("items in the selected domains", len(scoped), join_ids(scoped["item_id"])),
            ("items claiming a national first", len(nat), join_ids(nat["item_id"])),
            ("items claiming a provincial first", len(prov), join_ids(prov["item_id"])),
            ("figures stated in the items", len(figs), join_ids(figs["item_id"])),
            ("items in the selected bulletins (all provinces)", total, "")]
    table = pd.DataFrame(rows, columns=["measure", "value", "item_ids"]).set_index("measure")
    values = {p.key("n_items"): n, p.key("n_items_total"): total,
              p.key("n_in_domains"): len(scoped), p.key("overview"): plain_text(text),
              p.key("item_ids"): join_ids(mine["item_id"])}
    own = list(mine["item_id"])
    sources = {p.key("n_items"): own, p.key("n_items_total"): list(d.bulletin_items["item_id"]),
               p.key("n_in_domains"): list(scoped["item_id"]),
               p.key("overview"): own + list(figs["figure_id"]), p.key("item_ids"): own}
    return Section(text, table, values, sources=sources)


def _share_tables(d: Data, domains: Sequence[str], names: Mapping[str, str]
                  ) -> dict[str, tuple[pd.DataFrame, dict[str, StatResult]]]:
    """Per domain: every compared province's share (indexed by province) and share test (by
    name); computed once per process (:func:`memoised`) for the same data and labels."""
    def compute() -> dict[str, tuple[pd.DataFrame, dict[str, StatResult]]]:
        return {domain: (proportions(d.items, domain).set_index("province"),
                         {r.name: r for r in province_share_tests(d.items, domain, names)})
                for domain in domains}

    key = (d.key, tuple(domains), tuple(sorted(names.items())))
    return memoised("share tests", key, compute)


def region_domains(d: Data, p: RegionParams) -> Section:
    """Items and shares per selected domain with Wilson intervals and Fisher/Holm tests."""
    who = label(p.region, p.names)
    names = labels(p.names)
    rows, parts, readings, values = [], [], [], {}
    sources: dict[str, list[str]] = {}
    n_all = 0
    own = list(d.items.loc[has_province(d.items, p.region), "item_id"])
    shared = _share_tables(d, p.domains, names)
    for domain in p.domains:
        props, tests = shared[domain]
        mine = props.loc[p.region]
        n_all = int(mine["n"])
        peers = props.drop(index=p.region, errors="ignore")
        peer_med = float(peers["share"].median()) if len(peers) else float("nan")
        test = tests[f"{p.region} share of {domain}"]
        k, share = int(mine["k"]), float(mine["share"])
        ci = ci_text(float(mine["ci_low"]), float(mine["ci_high"]))
        rows.append({"domain": domain_label(domain), "items": k, "of its items": n_all,
                     "share": pct(share), "95% CI (Wilson)": ci.removeprefix("95% CI "),
                     "peer median share": pct(peer_med),
                     "Holm-adjusted p": stat_p(test).removeprefix("p = "),
                     "item_ids": mine["item_ids"]})
        parts.append(f"{domain_label(domain)} {k} ({pct(share)}, {ci})"
                     + (f" {cite(mine['item_ids'])}" if k else ""))
        readings.append(test.reading)
        values[p.key(f"n_{domain}")] = k
        values[p.key(f"share_{domain}")] = f"{pct(share)} ({ci})"
        values[p.key(f"share_test_{domain}")] = test.reading
        on_domain = split_field(mine["item_ids"])
        sources[p.key(f"n_{domain}")] = on_domain
        sources[p.key(f"share_{domain}")] = own
        # The test compares the province's share with every other province's items.
        sources[p.key(f"share_test_{domain}")] = list(d.items["item_id"])
    head = (f"Of {who}'s {plural(n_all, 'item')} (any domain), these concern the selected "
            f"domains: {'; '.join(parts)}. An item can concern several domains.")
    values[p.key("domains")] = plain_text(head)
    sources[p.key("domains")] = own
    text = head + "\n\n" + "\n".join(f"- {r}" for r in readings)
    return Section(text, pd.DataFrame(rows).set_index("domain"), values, sources=sources)


def indicators(d: Data, p: NotebookParams) -> pd.DataFrame:
    """``indicators.indicator_table`` of the compared provinces and the selected domains, rows
    in the order of ``d.provinces``; computed once per process (:func:`memoised`) for the same
    data, provinces in any order and domains."""
    key = (d.key, tuple(sorted(d.provinces)), tuple(p.domains))
    table = memoised("indicators", key, lambda: indicator_table(
        d.items, d.figures, sorted(d.provinces), p.domains))
    order = {province: i for i, province in enumerate(d.provinces)}
    return table.sort_values("province", key=lambda col: col.map(order),
                             kind="stable").reset_index(drop=True)


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
    # Shares of the province and of every peer: all compared items.
    return Section(text, pd.DataFrame(rows).set_index("domain"), {p.key("profile"): text},
                   table, sources={p.key("profile"): list(d.items["item_id"])})


def _mix_all(items: pd.DataFrame, provinces: Sequence[str]) -> pd.DataFrame:
    mix = instrument_mix(items, provinces, per_domain=False)
    mix["domain"] = ALL_ITEMS
    return mix


def _dominant(row: pd.Series) -> list[str]:
    counts = {side: int(row[f"n_{side}"]) for side in vocabulary().sides}
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
    n = int(has_province(d.items, p.region).sum())
    rows = []
    for _, row in pd.concat([mix[mix["province"] == p.region], per_dom]).iterrows():
        rows.append({"scope": domain_label(row["domain"]),
                     **{side: int(row[f"n_{side}"]) for side in vocabulary().sides},
                     **{f"{side} share": pct(row[f"share_{side}"]) for side in vocabulary().sides},
                     "sides used": int(row["n_sides_used"]), "item_ids": row["item_ids"]})
    counts = [f"{int(mine[f'n_{s}'])} {s}-side" for s in vocabulary().sides]
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
                   {p.key("instruments"): text}, mix,
                   sources={p.key("instruments"): list(d.items["item_id"])})


def _commitment_figures(figures: pd.DataFrame) -> pd.DataFrame:
    ty = pd.to_numeric(figures["target_year"], errors="coerce")
    keep = figures["kind"].isin(["money", "count"]) | ty.notna()
    return figures[keep]


def region_commitments(d: Data, p: RegionParams) -> Section:
    """Money, count targets and target years stated in the province's items, figure by figure."""
    who = label(p.region, p.names)
    mine = d.items[has_province(d.items, p.region)]
    figs = _commitment_figures(d.figures[d.figures["item_id"].isin(set(mine["item_id"]))])
    issue = mine.set_index("item_id")["issue_date"]
    money = figs[yuan_money(figs)]
    other = figs[(figs["kind"] == "money") & ~yuan_money(figs)]
    count = figs[figs["kind"] == "count"]
    years = pd.to_numeric(figs["target_year"], errors="coerce").dropna().astype(int)
    total = float(money["value"].sum()) if len(money) else 0.0
    parts = []
    if len(money):
        big = money.loc[money["value"].idxmax()]
        parts.append(f"{plural(len(money), 'money figure')} summing to {money_text(total)} "
                     f"{cite(money['item_id'])} (largest: “{md_escape(big['text'])}”, "
                     f"{big['figure_id']})")
    else:
        parts.append("no money figure in yuan")
    if len(other):
        parts.append(f"{plural(len(other), 'money figure')} in other currencies, not converted "
                     f"({other_money_text(other)}) {cite(other['item_id'])}")
    parts.append(plural(len(count), "count target")
                 + (f" {cite(count['item_id'])}" if len(count) else ""))
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
              p.key("money_other"): other_money_text(other) if len(other) else "none",
              p.key("n_count_figures"): len(count),
              p.key("target_years"): ", ".join(str(y) for y in sorted(set(years))),
              p.key("commitments"): plain_text(text)}
    money_ids, count_ids = list(money["figure_id"]), list(count["figure_id"])
    year_ids = list(figs.loc[years.index, "figure_id"])
    sources = {p.key("n_money_figures"): money_ids, p.key("money_yuan"): money_ids,
               p.key("money"): money_ids, p.key("money_other"): list(other["figure_id"]),
               p.key("n_count_figures"): count_ids,
               p.key("target_years"): year_ids,
               p.key("commitments"): list(figs["figure_id"])}
    return Section(text, table, values, sources=sources, listing=True)


def _item_rows(items: pd.DataFrame, domains: Sequence[str] | None = None) -> pd.DataFrame:
    out = pd.DataFrame({
        "item_id": items["item_id"],
        "page": [page_text(s, e) for s, e in zip(items["page_start"], items["page_end"],
                                                 strict=True)],
        "title": items["title"],
        "domains": items["domains"].map(domains_text),
        "national first": np.where(is_first(items, "is_national_first"), "yes", ""),
    })
    if domains is not None:
        out["in selected domains"] = np.where(in_domains(items, domains), "yes", "")
    return out.set_index("item_id")


def region_firsts(d: Data, p: RegionParams) -> Section:
    """Items of the province claiming a national (or provincial) first, with titles."""
    who = label(p.region, p.names)
    mine = d.items[has_province(d.items, p.region)]
    nat = mine[is_first(mine, "is_national_first")]
    prov = mine[is_first(mine, "is_provincial_first")]
    listed = "; ".join(f"{md_escape(r.title)} {cite([r.item_id])} ({domains_text(r.domains)})"
                       for r in nat.itertuples())
    text = (f"{len(nat)} of {who}'s {plural(len(mine), 'item')} claim a national first"
            + (f": {listed}" if len(nat) else "") + f". {len(prov)} claim a provincial first"
            + (f" {cite(prov['item_id'])}" if len(prov) else "") + ".")
    firsts = mine[is_first(mine, "is_national_first") | is_first(mine, "is_provincial_first")]
    table = _item_rows(firsts)
    table["provincial first"] = np.where(is_first(firsts, "is_provincial_first"), "yes", "")
    values = {p.key("n_national_first"): len(nat), p.key("n_provincial_first"): len(prov),
              p.key("firsts"): plain_text(text)}
    sources = {p.key("n_national_first"): list(nat["item_id"]),
               p.key("n_provincial_first"): list(prov["item_id"]),
               p.key("firsts"): list(mine["item_id"])}
    return Section(text, table, values, sources=sources, listing=True)


def _index_tables(d: Data, p: NotebookParams, n_draws: int, seed: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    table = indicators(d, p)
    idx = compute_index(table, p.weights)
    sens = rank_sensitivity(table, p.weights, n_draws=n_draws, seed=seed)
    loo = leave_one_out(table, p.weights)
    return idx, sens, loo


def _region_index_tables(d: Data, p: RegionParams, n_draws: int, seed: int
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`_index_tables` for a region's rows, computed once per process (:func:`memoised`)
    for the same data, compared provinces (in any order), domains, weights, draws and seed.
    Row order is that of the provinces sorted, which the region's view (its own rows only)
    does not depend on."""
    key = (d.key, tuple(sorted(d.provinces)), tuple(p.domains),
           tuple(sorted((p.weights or {}).items())), n_draws, seed)
    canonical = Data(d.bulletin_items, d.items, d.figures, sorted(d.provinces), d.source)
    return memoised("region index", key, lambda: _index_tables(canonical, p, n_draws, seed))


def region_index(d: Data, p: RegionParams, n_draws: int = DEFAULT_N_DRAWS,
                 seed: int = DEFAULT_SEED) -> Section:
    """The province's index score and rank per domain, with the ranges under other weights."""
    who = label(p.region, p.names)
    idx, sens, loo = _region_index_tables(d, p, n_draws, seed)
    ties = idx.groupby(["domain", "rank"])["province"].transform("size") - 1
    idx = idx.assign(ties=ties)
    idx = idx[idx["province"] == p.region].set_index("domain")
    sens = sens[sens["province"] == p.region].set_index("domain")
    loo = loo[loo["province"] == p.region].groupby("domain")["rank"].agg(["min", "max"])
    rows, parts, values = [], [], {}
    sources: dict[str, list[str]] = {}
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
        # A rank and a score depend on every compared province's items on the domain.
        on_domain = list(d.items.loc[in_domains(d.items, [domain]), "item_id"])
        sources[p.key(f"rank_{domain}")] = on_domain
        sources[p.key(f"score_{domain}")] = on_domain
    text = f"Policy-activity index of {who} among the {n} provinces compared: " \
        + "; ".join(parts) + "."
    values[p.key("index")] = text
    sources[p.key("index")] = list(d.items.loc[in_domains(d.items, p.domains), "item_id"])
    return Section(text, pd.DataFrame(rows).set_index("domain"), values, sens.reset_index(),
                   sources=sources)


def region_items(d: Data, p: RegionParams) -> Section:
    """Every item about the province: id, page, title, domains, firsts."""
    mine = d.items[has_province(d.items, p.region)]
    pages = [x for x in mine["page_start"].dropna().astype(int)] + \
        [x for x in mine["page_end"].dropna().astype(int)]
    where = f" on pages {min(pages)}-{max(pages)}" if pages else ""
    text = (f"The {plural(len(mine), 'item')} about {label(p.region, p.names)}{where} of "
            f"{bulletins_text(p.bulletins or [])}.")
    return Section(text, _item_rows(mine, p.domains), listing=True)
