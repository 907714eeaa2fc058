"""The executive summary: the comparison's strongest findings in plain English, generated.

Each finding is one sentence built from the comparison's sections (no number typed), cites the
items it rests on and, where the evidence is uncertain, leads with the uncertainty ("The
ranking is uncertain: ..."). The last finding says what a bulletin cannot show. The summary is
written to ``<output_dir>/summary.md`` (:func:`analysis.views.display.export`), from which the
book puts it at the front; each finding is also glued (``comparison_summary_<n>``) with its
sources for the numbers audit.
"""

from __future__ import annotations

import pandas as pd

from analysis.views.common import (
    Data,
    Section,
    and_list,
    cap,
    has_province,
    is_first,
    label,
    money_text,
    plural,
)
from analysis.views.markdown import cite, ids_list, plain_text
from analysis.views.params import ComparisonParams
from analysis.views.plots import domain_label

__all__ = ["comparison_summary"]


def _coverage(d: Data, p: ComparisonParams) -> tuple[str, list[str]]:
    counts = {prov: d.items.loc[has_province(d.items, prov), "item_id"] for prov in d.provinces}
    top = max((len(v) for v in counts.values()), default=0)
    lead = [prov for prov, ids in counts.items() if len(ids) == top]
    ids = list(dict.fromkeys(i for prov in lead for i in counts[prov]))
    who = and_list([label(x, p.names) for x in lead])
    text = (f"The bulletin reports most often on {who} ({plural(top, 'item')} of "
            f"{len(d.bulletin_items)}) {cite(ids)}, among {plural(len(d.provinces), 'province')}"
            " covered; this shows what the research office chose to report, not how much "
            "policy a province makes.")
    return text, ids


def _ranking(domain: str, index: Section, p: ComparisonParams, n_draws: int
             ) -> tuple[str, list[str]]:
    """The leader of ``domain``'s index, leading with how much its rank moves."""
    sens = index.data
    part = sens[sens["domain"] == domain] if sens is not None else pd.DataFrame()
    first = part[part["rank"] == 1]
    if first.empty:
        return "", []
    lead = [label(x, p.names) for x in first["province"]]
    ids = ids_list(";".join(first["item_ids"].astype(str)))
    lo, hi = int(first["min_rank"].min()), int(first["max_rank"].max())
    who, dom = and_list(lead), domain_label(domain)
    verb = "scores" if len(lead) == 1 else "share the"
    if lo == hi == 1:
        return (f"In {dom}, {who} {verb} highest on the policy-activity index and stay"
                f"{'s' if len(lead) == 1 else ''} first under all {n_draws} random weightings "
                f"{cite(ids)}.", ids)
    return (f"The {dom} ranking is uncertain: {who} {verb} highest under the declared weights, "
            f"but {'its' if len(lead) == 1 else 'their'} rank ranges from {lo} to {hi} over "
            f"{n_draws} random weightings {cite(ids)}.", ids)


def _tests(stats: Section, d: Data) -> tuple[str, list[str]]:
    results = stats.data if stats.data is not None else pd.DataFrame()
    shares = results[results["scope"] != "all"] if len(results) else results
    valid = shares[shares["valid"]] if len(shares) else shares
    signif = valid[valid["p"] < 0.05] if len(valid) else valid
    ids = list(d.items["item_id"])
    reading = str(stats.values.get("comparison_independence", "")).rstrip(".")
    if len(signif):
        strongest = signif.sort_values("p").iloc[0]
        head = (f"{plural(len(signif), 'province share test')} of {len(valid)} "
                f"distinguish a province from the others; the strongest: "
                f"{strongest['reading'].rstrip('.')}")
    else:
        head = (f"Most differences between provinces cannot be told from chance: none of the "
                f"{plural(len(valid), 'valid share test')} distinguishes a province from the "
                "others")
    return f"{head}. {reading} {cite(ids)}.", ids


def _firsts(d: Data, p: ComparisonParams) -> tuple[str, list[str]]:
    firsts = d.items[is_first(d.items, "is_national_first")]
    if firsts.empty:
        return "", []
    provs = [label(x, p.names) for x in d.provinces
             if has_province(firsts, x).any()]
    ids = list(firsts["item_id"])
    return (f"{cap(plural(len(firsts), 'item'))} claim a national first, about "
            f"{and_list(provs)} {cite(ids)}; the bulletin reports the claim, it cannot show "
            "whether it is true.", ids)


def _money(commitments: Section, d: Data, p: ComparisonParams) -> tuple[str, list[str]]:
    com = commitments.data
    if com is None or com.empty or float(com["money_yuan"].max()) <= 0:
        return "", []
    top = com.sort_values("money_yuan", ascending=False).iloc[0]
    ids = ids_list(top["item_ids"])
    figures = plural(int(top["n_money_figures"]), "money figure")
    return (f"{label(top['province'], p.names)} states the most money in the selected domains "
            f"({money_text(float(top['money_yuan']))} over {figures}) {cite(ids)}; amounts are "
            "summed as printed and are announcements, not spending.", ids)


def _limits(n_issues: int) -> str:
    span = ("a single issue, so nothing here is a trend over time" if n_issues == 1 else
            f"{n_issues} issues, too few to separate a trend from the office's choices")
    return (f"What the bulletin cannot show: it covers {span}; it cannot show what a measure "
            "achieved, and most measures never reach a bulletin.")


def comparison_summary(d: Data, p: ComparisonParams, index: Section, stats: Section,
                       commitments: Section) -> Section:
    """Five to eight findings (see the module doc) as a Markdown list; ``values`` holds each
    finding as plain text (``comparison_summary_<n>``) with its sources."""
    found = [_coverage(d, p)]
    found += [_ranking(domain, index, p, p.n_draws) for domain in p.domains]
    found += [_tests(stats, d), _firsts(d, p), _money(commitments, d, p)]
    found = [f for f in found if f[0]][:7]
    n_issues = d.bulletin_items["bulletin_id"].nunique()
    found.append((_limits(n_issues), []))
    values, sources = {}, {}
    for n, (text, ids) in enumerate(found, start=1):
        values[f"comparison_summary_{n}"] = plain_text(text)
        sources[f"comparison_summary_{n}"] = list(d.bulletin_items["item_id"]) \
            if not ids else ids
    text = "\n".join(f"{n}. {t}" for n, (t, _) in enumerate(found, start=1))
    return Section(text, pd.DataFrame(), values, sources=sources)
