"""Data-generated fragments of the hand-written chapters (``{include}``-d by ``book/*.md``).

The prose of ``book/intro.md`` and ``book/methods.md`` types no number: every count, share,
kappa, weight or threshold comes from a fragment written here from the processed tables, the
codebook, the index weights and the statistics module. Each function returns the Markdown and
the :class:`~analysis.book.audit.PageNumber` rows of the numbers it shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.book.audit import PageNumber
from analysis.coding.coder import SCOPES
from analysis.common.escape import escape_markdown as esc
from analysis.common.text import pct
from analysis.dataset.tables import split_field
from analysis.views.common import label, plural
from analysis.views.markdown import cite, markdown_table

__all__ = ["agreement", "codebook", "data", "figures", "findings", "index", "statistics"]

Fragment = tuple[str, list[PageNumber]]


def _pattern(pattern: str) -> str:
    """A regular expression as written in the codebook: a character range of non-ASCII
    characters (``[一-鿿]``) shown as ``\\u4e00-\\u9fff`` (its end points may have no glyph)."""
    return re.sub(r"([^\x00-\x7f])-([^\x00-\x7f])",
                  lambda m: f"\\u{ord(m[1]):04x}-\\u{ord(m[2]):04x}", pattern)


def data(bulletins: pd.DataFrame, items: pd.DataFrame, names: Mapping[str, str]) -> Fragment:
    """The bulletins, items per section, provinces named (introduction)."""
    page, nums = "Introduction", []
    rows = []
    bulletins = bulletins.sort_values(["issue_date", "bulletin_id"], kind="mergesort")
    for b in bulletins.itertuples():
        source = str(b.source)
        rows.append({"bulletin": b.bulletin_id, "issue": b.issue_date or "undated",
                     "items": b.n_items, "pages": "" if pd.isna(b.n_pages) else int(b.n_pages),
                     "reviewed": "yes" if b.reviewed else "no",
                     "source": source if len(source) <= 80 else source[:79] + "…",
                     "file": b.file, "SHA-256": str(b.sha256)[:16] + "…"})
        mine = items.loc[items["bulletin_id"] == b.bulletin_id, "item_id"]
        nums.append(PageNumber(page, f"items of {b.bulletin_id}", str(b.n_items),
                               f"bulletins.csv; the items {cite(mine)}"))
        if not pd.isna(b.n_pages):
            nums.append(PageNumber(page, f"pages of {b.bulletin_id}", str(int(b.n_pages)),
                                   f"bulletins.csv (page markers of {esc(str(b.file))})"))
    provinces = sorted({p for v in items["provinces"] for p in split_field(v)},
                       key=lambda p: list(names).index(p) if p in names else len(names))
    none = items[items["provinces"].map(lambda v: not split_field(v))]
    sections = items.groupby("section", sort=False)["item_id"].agg(list)
    scopes = [(scope, items.loc[items["scope"] == scope, "item_id"]) for scope in SCOPES]
    text = [
        markdown_table(pd.DataFrame(rows).set_index("bulletin")), "",
        f"The {plural(len(items), 'coded item')} name {plural(len(provinces), 'province')} "
        f"({', '.join(label(p, names) for p in provinces)})"
        + (f"; {plural(len(none), 'item')} name none {cite(none['item_id'])}" if len(none)
           else "") + ". Items by scope (what an item makes statements about); items about the "
        "whole country or a foreign country name no province and are kept out of the province "
        "comparisons:", "",
        markdown_table(pd.DataFrame({"scope": [s.replace("_", "-") for s, _ in scopes],
                                     "items": [len(ids) for _, ids in scopes],
                                     "item_ids": [";".join(ids) for _, ids in scopes]})), "",
        "Items per section as printed:", "",
        markdown_table(pd.DataFrame({"section": sections.index,
                                     "items": [len(v) for v in sections],
                                     "item_ids": [";".join(v) for v in sections]})), "",
    ]
    if len(bulletins) == 1:
        text.append("With a single issue, nothing in this report is a trend over time, and a "
                    "province's count is what this one issue chose to report.")
    else:
        text.append("Issues are in date order; the chapter *Over time* places them on the "
                    "calendar and says where the counts are too few to read a trend.")
    unreviewed = bulletins.loc[bulletins["reviewed"] == 0, "bulletin_id"].tolist()
    if unreviewed:
        text.append(f"\nNot yet reviewed by an analyst: {esc(', '.join(unreviewed))}. Chapters "
                    "whose numbers rest on their items say so at the top.")
    nums.append(PageNumber(page, "coded items", str(len(items)), "all rows of items.csv"))
    nums.append(PageNumber(page, "provinces named", str(len(provinces)),
                           "distinct values of the provinces column of items.csv"))
    if len(none):
        nums.append(PageNumber(page, "items naming no province", str(len(none)),
                               cite(none["item_id"])))
    for scope, ids in scopes:
        nums.append(PageNumber(page, f"{scope} items", str(len(ids)),
                               f"rows of items.csv with scope {scope}"))
    for section, ids in sections.items():
        nums.append(PageNumber(page, f"items in section {section}", str(len(ids)), cite(ids)))
    return "\n".join(text) + "\n", nums


def findings(comparison: str | None, keys: Sequence[str]) -> Fragment:
    """Headline sentences quoted from the comparison notebook with ``{glue:text}``.

    ``comparison``: the comparison chapter's path relative to ``book/`` (``None`` when it
    failed); ``keys``: its glue keys.
    """
    if comparison is None:
        return ("The cross-province comparison could not be computed in this build; see its "
                "chapter for the error.\n", [])
    # Sentences that name no item (a glued value is plain text: it cannot carry citations;
    # the chapter's own sentences cite the items).
    wanted = ["comparison_overview",
              *[k for k in keys if k.startswith("comparison_index_")],
              "comparison_independence", "comparison_count_model"]
    lines = [f"- {{glue:text}}`{comparison}::{key}:s`" for key in wanted if key in keys]
    return "\n".join(lines) + "\n", []


def agreement(table: pd.DataFrame, reviewed: Sequence[str], n_review_rows: int) -> Fragment:
    """Coder-versus-review agreement per field (methods)."""
    page = "Methods"
    if table.empty or not reviewed or int(table["n_items"].max()) == 0:
        return ("No bulletin is marked reviewed (`reviewed: true` in its sidecar), so the "
                "automatic coder's agreement with a reviewed coding is not measured.\n", [])
    n = int(table["n_items"].max())
    shown = pd.DataFrame({
        "field": table["field"], "items": table["n_items"],
        "agreement": table["agreement"].map(pct),
        "Cohen's kappa": table["kappa"].map(lambda k: "undefined" if pd.isna(k) else f"{k:.2f}"),
        "kappa over": table["kappa_basis"]})
    low = table.sort_values(["agreement", "kappa"], na_position="last").iloc[0]
    src = (f"data/processed/agreement.csv: the {plural(n, 'item')} of "
           f"{', '.join(reviewed)} coded twice, without and with data/review.csv")
    nums = [PageNumber(page, "items compared", str(n), src),
            PageNumber(page, "review rows", str(n_review_rows), "rows of data/review.csv")]
    for row in table.itertuples():
        nums.append(PageNumber(page, f"agreement, {row.field}", pct(row.agreement), src))
        kappa = "undefined" if pd.isna(row.kappa) else f"{row.kappa:.2f}"
        nums.append(PageNumber(page, f"kappa, {row.field}", kappa, src))
    text = (f"The reviewed coding of {plural(len(reviewed), 'bulletin')} ({', '.join(reviewed)}; "
            f"{plural(n, 'item')}, {plural(n_review_rows, 'override row')} in "
            f"`data/review.csv`) against the automatic coding of the same items. Agreement is "
            f"the share of items whose codes are identical; kappa corrects it for chance. The "
            f"lowest agreement is on {esc(str(low['field']))} ({pct(low['agreement'])}).\n\n"
            + markdown_table(shown.set_index("field")) + "\n")
    return text, nums


def codebook(cb: Any) -> Fragment:
    """Domains (keywords, thresholds), instrument tools, first-claim patterns, issuing levels."""
    page, nums = "Methods", []
    domains = []
    for code, d in cb.domains.items():
        domains.append({"domain": code, "label": d.label, "definition": d.definition,
                        "strong keywords": "、".join(d.keywords.strong[:8])
                        + ("…" if len(d.keywords.strong) > 8 else ""),
                        "threshold": d.min_score})
        nums.append(PageNumber(page, f"threshold of {code}", str(d.min_score),
                               "data/codebook.yml (domains)"))
    tools = [{"side": side, "tool": name, "label": t.label, "definition": t.definition,
              "keywords": "、".join(t.keywords)}
             for side, s in cb.instruments.items() for name, t in s.tools.items()]
    f = cb.firsts
    firsts = [{"claim": claim, "words or pattern": words} for claim, words in (
        ("national scope words", "、".join(f.national.scope_words)),
        ("provincial scope words", "、".join(f.provincial.scope_words)
         + " and province or place names"),
        ("first words", "、".join(f.first_words)),
        ("linkers (scope, linker, first)", "、".join(f.linkers)),
        ("reverse linkers (first, linker, scope)", "、".join(f.reverse_linkers)),
        ("aim words (no claim when before the first word)", "、".join(f.aim_words)))] + [
        {"claim": claim, "words or pattern": _pattern(p)} for claim, patterns in (
            ("national (whole pattern)", f.national.patterns),
            ("provincial (whole pattern)", f.provincial.patterns),
            ("never a first (masked)", f.exclusions)) for p in patterns]
    levels = [{"level": k, "label": v.label, "patterns": "、".join(map(_pattern, v.patterns))}
              for k, v in cb.issuers.levels.items()]
    text = "\n\n".join([
        "**Policy domains.** An item gets a domain when its keyword score reaches the "
        "threshold (strong keyword in the title, strong keyword in the body and weak keyword "
        "anywhere score in that order of weight, as set in `data/codebook.yml`):",
        markdown_table(pd.DataFrame(domains).set_index("domain")),
        "**Policy instruments** (Rothwell & Zegveld), by side:",
        markdown_table(pd.DataFrame(tools).set_index("side")),
        "**Claims of a first**, a grammar: a scope word and a first word in one clause, "
        "adjacent or joined by a linker, in either order (`{places}` in a pattern stands for "
        "the gazetteer's names):",
        markdown_table(pd.DataFrame(firsts).set_index("claim")),
        "**Issuing level** of the administration named as issuer:",
        markdown_table(pd.DataFrame(levels).set_index("level")),
    ])
    return text + "\n", nums


def figures(figs: pd.DataFrame) -> Fragment:
    """Figures per kind (methods)."""
    page = "Methods"
    per = figs.groupby("kind", sort=True).agg(figures=("figure_id", "size"),
                                              items=("item_id", "nunique"))
    nums = [PageNumber(page, "figures extracted", str(len(figs)), "all rows of figures.csv"),
            PageNumber(page, "items with figures", str(figs["item_id"].nunique()),
                       "distinct item_id of figures.csv")]
    for kind, row in per.iterrows():
        nums.append(PageNumber(page, f"{kind} figures", str(row["figures"]),
                               f"rows of figures.csv with kind {kind}"))
    text = (f"{plural(len(figs), 'figure')} were extracted from "
            f"{plural(figs['item_id'].nunique(), 'item')}:\n\n"
            + markdown_table(per.rename(columns={"items": "in items"})) + "\n")
    return text, nums


def index(indicators: Sequence[Any], weights: Mapping[str, float], n_draws: int,
          seed: int) -> Fragment:
    """Indicators and weights of the policy-activity index and its sensitivity runs."""
    page = "Methods"
    total = sum(weights.values()) or 1.0
    rows = [{"indicator": i.name, "direction": i.direction, "meaning": i.description,
             "weight": f"{weights.get(i.name, 0) / total:.3f}"} for i in indicators]
    nums = [PageNumber(page, f"weight of {r['indicator']}", r["weight"],
                       "data/index_weights.yml, renormalised to sum 1") for r in rows]
    nums += [PageNumber(page, "random weightings", str(n_draws),
                        "parameter n_draws of the comparison notebook (run manifest)"),
             PageNumber(page, "seed", str(seed), "parameter seed of the comparison notebook")]
    text = (markdown_table(pd.DataFrame(rows).set_index("indicator")) + "\n\n"
            f"Rank ranges come from {n_draws} random weightings (Dirichlet, seed {seed}) and "
            "from leaving out each indicator in turn.\n")
    return text, nums


def statistics(min_items: int, alpha: float) -> Fragment:
    """The thresholds of the tests."""
    page = "Methods"
    text = (f"A test needs at least {min_items} items; below that the report says the "
            f"question cannot be tested instead of giving a p-value. Intervals are "
            f"{100 * (1 - alpha):.0f}% Wilson intervals and tests are read at the "
            f"{alpha:g} level.\n")
    return text, [PageNumber(page, "minimum items for a test", str(min_items),
                             "analysis.compare.stats.MIN_ITEMS"),
                  PageNumber(page, "significance level", f"{alpha:g}",
                             "default alpha of analysis.compare.stats")]
