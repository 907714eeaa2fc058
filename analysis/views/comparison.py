"""Comparison notebook views (``notebooks/comparison.ipynb``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.coding.vocab import vocabulary
from analysis.common.text import pct
from analysis.compare.index import load_weights, rank_change, share_text, weights_text
from analysis.compare.indicators import (
    item_counts,
    quantified_commitments,
    yuan_money,
)
from analysis.compare.stats import (
    StatResult,
    count_model,
    fmt_p,
    independence_test,
    province_share_tests,
)
from analysis.dataset.tables import join_ids
from analysis.views.common import (
    SELECTED,
    Data,
    Section,
    and_list,
    bulletins_text,
    cap,
    has_province,
    in_domains,
    is_first,
    label,
    labels,
    money_text,
    plural,
    restrict,
    stat_p,
)
from analysis.views.markdown import cite, plain_text
from analysis.views.params import (
    ComparisonParams,
    glue_slug,
)
from analysis.views.plots import domain_label
from analysis.views.region import (
    _dominant,
    _index_tables,
    _mix_all,
    indicators,
)

# --------------------------------------------------------------------------- comparison


def comparison_scope(d: Data, p: ComparisonParams) -> Section:
    """Which provinces, bulletins, domains, index weights and random weightings."""
    doms = [domain_label(x) for x in p.domains]
    provs = [label(x, p.names) for x in d.provinces]
    text = (f"All {plural(len(provs), 'province')} with items in "
            f"{bulletins_text(p.bulletins or [])} ({', '.join(provs)}); domains: "
            f"{and_list(doms)}; policy-activity index with {weights_text(p.weights or {})}, "
            f"rank ranges over {p.n_draws} random weightings (seed {p.seed}).")
    table = pd.DataFrame({"parameter": ["bulletins", "domains", "weights", "n_draws", "seed",
                                        "output_dir"],
                          "value": [", ".join(p.bulletins or []), ", ".join(p.domains),
                                    ", ".join(f"{k}={share_text(v)}" for k, v in
                                              (p.weights or {}).items()),
                                    str(p.n_draws), str(p.seed), str(p.output_dir)]})
    return Section(text, table.set_index("parameter"), {"comparison_scope": text})


def comparison_overview(d: Data, p: ComparisonParams) -> Section:
    """Items per province (in the selected domains, with national firsts)."""
    rows, parts = [], []
    for prov in d.provinces:
        mine = d.items[has_province(d.items, prov)]
        scoped = mine[in_domains(mine, p.domains)]
        nat = mine[is_first(mine, "is_national_first")]
        rows.append({"province": label(prov, p.names), "items": len(mine),
                     "in selected domains": len(scoped), "national firsts": len(nat),
                     "item_ids": join_ids(mine["item_id"])})
        parts.append(f"{label(prov, p.names)} {len(mine)}")
    table = pd.DataFrame(rows).set_index("province")
    n, placed = len(d.bulletin_items), len(d.items)
    unplaced = n - placed
    text = (f"The {n} items of {bulletins_text(p.bulletins or [])} concern "
            f"{plural(len(d.provinces), 'province')}: {', '.join(parts)} items"
            + (f"; {plural(unplaced, 'item')} name no province" if unplaced else "")
            + ". An item about several provinces counts for each.")
    values = {"comparison_n_items": n, "comparison_n_provinces": len(d.provinces),
              "comparison_overview": text}
    placed_ids = list(d.items["item_id"])
    sources = {"comparison_n_items": list(d.bulletin_items["item_id"]),
               "comparison_n_provinces": placed_ids,
               "comparison_overview": list(d.bulletin_items["item_id"])}
    return Section(text, table, values, sources=sources)


def _leaders(frame: pd.DataFrame, column: str, names: Mapping[str, str]) -> list[str]:
    top = frame[column].max()
    return [label(x, names) for x in frame.loc[frame[column] == top, "province"]]


def _grid(long: pd.DataFrame, cells: list[str], d: Data, p: ComparisonParams) -> pd.DataFrame:
    """Province x domain display table of ``cells`` (one per row of ``long``), labelled rows and
    columns in the compared provinces' and selected domains' order."""
    table = long.assign(province=long["province"].map(lambda x: label(x, p.names)),
                        domain=long["domain"].map(domain_label), cell=cells
                        ).pivot(index="province", columns="domain", values="cell")
    return table.loc[[label(x, p.names) for x in d.provinces],
                     [domain_label(x) for x in p.domains]]


def comparison_counts(d: Data, p: ComparisonParams) -> Section:
    """Province x domain item counts (and shares of each province's items).

    ``data`` is the long ``indicators.item_counts`` table for ``plots.heatmap``.
    """
    counts = item_counts(d.items, d.provinces, p.domains)
    table = _grid(counts, [f"{n} ({pct(s)})" for n, s in
                           zip(counts["n_items"], counts["share_of_province"], strict=True)], d, p)
    parts, values = [], {}
    sources: dict[str, list[str]] = {}
    for domain in p.domains:
        part = counts[counts["domain"] == domain]
        total = int(part["domain_items"].max()) if len(part) else 0
        values[f"comparison_n_{domain}"] = total
        on_domain = list(d.items.loc[in_domains(d.items, [domain]), "item_id"])
        sources[f"comparison_n_{domain}"] = on_domain
        sources[f"comparison_counts_{domain}"] = on_domain
        if total == 0:
            sentence = f"{cap(domain_label(domain))}: no item."
        else:
            lead = _leaders(part, "n_items", p.names)
            k = int(part["n_items"].max())
            ids = join_ids(part.loc[part["n_items"] == k, "item_ids"].str.split(";").explode())
            sentence = (f"{cap(domain_label(domain))}: {plural(total, 'item')}, most from "
                        f"{and_list(lead)} ({k}) {cite(ids)}.")
        parts.append(sentence)
        values[f"comparison_counts_{domain}"] = plain_text(sentence)
    text = ("Items per province and domain (table cells: items on the domain (share of the "
            "province's items)).\n\n" + "\n".join(f"- {x}" for x in parts))
    return Section(text, table, values, counts, sources=sources)


def comparison_index(d: Data, p: ComparisonParams) -> Section:
    """Index ranks with sensitivity ranges, per domain, every province.

    ``data`` is the long ``index.rank_sensitivity`` table for ``plots.rank_ranges``.
    """
    idx, sens, _ = _index_tables(d, p, p.n_draws, p.seed)
    merged = sens.merge(idx[["domain", "province", "score"]], on=["domain", "province"])
    table = _grid(merged, [f"{lab} [{s:.2f}]" for lab, s in
                           zip(merged["label"], merged["score"], strict=True)], d, p)
    parts, values = [], {}
    sources: dict[str, list[str]] = {}
    for domain in p.domains:
        part = merged[merged["domain"] == domain]
        # Ranks depend on every compared province's items on the domain.
        on_domain = list(d.items.loc[in_domains(d.items, [domain]), "item_id"])
        first = part[part["rank"] == 1]
        lead = [label(x, p.names) for x in first["province"]]
        stable = int((part["min_rank"] == part["max_rank"]).sum())
        r = first.iloc[0]
        one = len(lead) == 1
        if r["max_rank"] == 1:  # the leader is first under every weighting: say so plainly
            head = (f"{and_list(lead)} {'ranks' if one else 'share rank'} first under every "
                    f"weighting (score {r['score']:.2f})")
        else:  # lead with the uncertainty, not with a rank that other weights change
            head = (f"the ranking is uncertain: {and_list(lead)} "
                    f"{'scores' if one else 'share the'} highest under the declared weights "
                    f"(score {r['score']:.2f}), but {'its' if one else 'their'} rank ranges "
                    f"from {int(r['min_rank'])} to {int(r['max_rank'])} over the weightings")
        sentence = (f"{cap(domain_label(domain))}: {head}; the rank of {stable} of {len(part)} "
                    f"provinces is the same under all {p.n_draws} random weightings.")
        parts.append(sentence)
        values[f"comparison_index_{domain}"] = sentence
        values[f"comparison_leader_{domain}"] = ", ".join(lead)
        sources[f"comparison_index_{domain}"] = on_domain
        sources[f"comparison_leader_{domain}"] = on_domain
        for row in part.itertuples():
            slug = glue_slug(p.names.get(row.province, row.province))
            values[f"comparison_rank_{slug}_{domain}"] = row.label
            sources[f"comparison_rank_{slug}_{domain}"] = on_domain
    text = ("Policy-activity index per domain (table cells: rank (min-max over "
            f"{p.n_draws} random weightings) [score]).\n\n" + "\n".join(f"- {x}" for x in parts))
    return Section(text, table, values, sens, sources=sources)


def same_weights(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    """True when two renormalised weightings are equal (to rounding)."""
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-12 for k in a)


def comparison_versus_default(d: Data, p: ComparisonParams) -> Section:
    """Ranks under the project's index weights (``data/index_weights.yml``) beside the ranks
    under this run's weights: what a scenario with other weights changes. Empty (no text, no
    table, no values) when the weights are the project's.

    Table cells: ``default → this run`` where the rank moves, else the rank."""
    base = load_weights()
    weights = p.weights or base
    if same_weights(base, weights):
        return Section("", None, {})
    moved = rank_change(indicators(d, p), base, weights)
    cells = [str(a) if a == b else f"{a} → {b}" for a, b in
             zip(moved["rank_base"], moved["rank_variant"], strict=True)]
    table = _grid(moved, cells, d, p)
    parts, values = [], {}
    sources: dict[str, list[str]] = {}
    for domain in p.domains:
        part = moved[(moved["domain"] == domain) & (moved["change"] != 0)]
        on_domain = list(d.items.loc[in_domains(d.items, [domain]), "item_id"])
        if part.empty:
            sentence = f"{cap(domain_label(domain))}: no province changes rank."
        else:
            moves = [f"{label(r.province, p.names)} {r.rank_base} → {r.rank_variant}"
                     for r in part.itertuples()]
            sentence = (f"{cap(domain_label(domain))}: {plural(len(moves), 'province')} "
                        f"change{'s' if len(moves) == 1 else ''} rank ({', '.join(moves)}) "
                        f"{cite(on_domain)}.")
        parts.append(sentence)
        values[f"comparison_versus_default_{domain}"] = plain_text(sentence)
        sources[f"comparison_versus_default_{domain}"] = on_domain
    n_moved = int((moved["change"] != 0).sum())
    text = (f"**Against the project's weights.** Ranks with {weights_text(base)} "
            f"(data/index_weights.yml) and with this run's {weights_text(weights)}: "
            f"{n_moved} of {len(moved)} province ranks change (table cells: rank under the "
            "project's weights → rank here, where it moves).\n\n"
            + "\n".join(f"- {x}" for x in parts))
    return Section(text, table, values, moved, sources=sources)


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
                              "comparison_independence_p": stat_p(indep),
                              "comparison_count_model": model.reading,
                              "comparison_count_model_p": stat_p(model)}
    scoped_ids = list(in_scope["item_id"])
    sources = {key: scoped_ids for key in values}
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
            summary += " " + _not_tested(invalid)
        bullets.append(summary)
        values[f"comparison_share_tests_{domain}"] = summary
        sources[f"comparison_share_tests_{domain}"] = list(d.items["item_id"])
    table = pd.DataFrame([{
        "test": t.name if scope == "all" else
        f"{names.get(t.name.split(' ')[0], t.name.split(' ')[0])}: {domain_label(scope)}",
        "valid": "yes" if t.valid else "no",
        "statistic": None if t.statistic is None else round(t.statistic, 3),
        "p": stat_p(t), "n items": t.n, "reading": t.reading, "method": t.method,
    } for scope, t in results]).set_index("test")
    text = ("\n".join(f"- {b}" for b in bullets) + "\n\nEvery test with its statistic, "
            "p-value, sample and method is listed in the appendix *Statistical tests*.")
    data = pd.DataFrame([{"scope": scope, "name": t.name, "valid": t.valid,
                          "p": t.p_value if t.valid and t.p_value is not None else float("nan"),
                          "reading": t.reading} for scope, t in results])
    return Section(text, table, values, data, sources=sources)


def _not_tested(invalid: list[StatResult]) -> str:
    """One sentence for the share tests that could not run, grouped by their reason (the
    reading's tail after the last ``": "``), naming the provinces instead of repeating each
    reading."""
    reasons: dict[str, list[str]] = {}
    for t in invalid:
        reason = t.reading.rsplit(": ", 1)[-1].rstrip(".")
        reasons.setdefault(reason, []).append(t.reading.split("'s share", 1)[0])
    parts = [f"{and_list(who)}: {reason}" for reason, who in reasons.items()]
    return f"Not tested for {plural(len(invalid), 'province')}. {'; '.join(parts)}."


def comparison_instruments(d: Data, p: ComparisonParams) -> Section:
    """Instrument sides of every province's items (all items of the province).

    ``data`` feeds ``plots.instrument_mix_bars`` (domain ``"all items"``).
    """
    mix = _mix_all(d.items, d.provinces)
    rows, by_side = [], {side: [] for side in vocabulary().sides}
    for _, row in mix.iterrows():
        rows.append({"province": label(row["province"], p.names),
                     **{side: int(row[f"n_{side}"]) for side in vocabulary().sides},
                     **{f"{side} share": pct(row[f"share_{side}"]) for side in vocabulary().sides},
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
                   {"comparison_instruments": text}, mix,
                   sources={"comparison_instruments": list(d.items["item_id"])})


def comparison_commitments(d: Data, p: ComparisonParams) -> Section:
    """Money, count targets and horizons per province over its items in the selected domains.

    ``data`` (domain ``"selected domains"``) feeds ``plots.commitments_bars``. Each money
    figure counts once per province, even when its item spans several selected domains.
    """
    pooled = restrict(d.items, domains=p.domains).assign(domains=SELECTED)
    com = quantified_commitments(pooled, d.figures, d.provinces, [SELECTED])
    money_figs = d.figures[yuan_money(d.figures)]
    rows, parts, values, none = [], [], {}, []
    sources: dict[str, list[str]] = {}
    for row in com.itertuples():
        who = label(row.province, p.names)
        money = float(row.money_yuan)
        mine = set(pooled.loc[has_province(pooled, row.province), "item_id"])
        money_ids = join_ids(money_figs.loc[money_figs["item_id"].isin(mine), "item_id"])
        rows.append({"province": who, "money": money_text(money) if money > 0 else "",
                     "money_yuan": money, "money figures": row.n_money_figures,
                     "other currencies (not summed)": row.money_other,
                     "count targets": row.n_count_figures, "target years": row.target_years,
                     "horizon (years)": "" if pd.isna(row.horizon_years)
                     else int(row.horizon_years),
                     "figure_ids": row.figure_ids, "item_ids": row.item_ids})
        slug = glue_slug(p.names.get(row.province, row.province))
        values[f"comparison_money_{slug}"] = money_text(money) if money > 0 else \
            "no money figure"
        sources[f"comparison_money_{slug}"] = list(
            money_figs.loc[money_figs["item_id"].isin(mine), "figure_id"])
        if money > 0:
            figs = plural(row.n_money_figures, "figure")
            parts.append((money, f"{who} {money_text(money)} ({figs}) {cite(money_ids)}"))
        else:
            none.append(who)
    parts.sort(key=lambda x: -x[0])
    text = ("Money stated in the items of the selected domains (sum of the money figures): "
            + ("; ".join(t for _, t in parts) if parts else "none")
            + (f". No money figure: {', '.join(none)}" if none else "") + ".")
    values["comparison_commitments"] = plain_text(text)
    sources["comparison_commitments"] = [x for v in sources.values() for x in v]
    return Section(text, pd.DataFrame(rows).set_index("province"), values, com,
                   sources=sources)
