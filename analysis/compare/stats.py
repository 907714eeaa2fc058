"""Statistics that stay honest with small counts.

Every test returns a ``StatResult`` whose ``reading`` is one plain English sentence built from
the numbers. A test that the data cannot support (too few items, fewer than 2 provinces with
items, too few degrees of freedom, no convergence) returns ``valid=False``, ``p_value=None``
and a reading that says why, never a p-value.

Counting: the unit is the (item, province, domain) incidence as in ``indicators``; an item
about 2 provinces or with 2 domains appears in several cells, so observations are not fully
independent; ``method`` says so where it matters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

from analysis.coding.vocab import vocabulary
from analysis.common.text import pct
from analysis.compare.cells import cell_grid, explode, ordered_domains
from analysis.dataset.tables import join_ids

MIN_ITEMS = 10


@dataclass(frozen=True)
class StatResult:
    """One test: statistic and p-value (None when not valid), and a one-sentence reading."""

    name: str
    statistic: float | None
    p_value: float | None
    valid: bool
    n: int
    method: str
    reading: str
    item_ids: str = ""
    details: dict[str, float] = field(default_factory=dict)


def fmt_p(p: float) -> str:
    """``p = 0.61`` / ``p = 0.012`` / ``p < 0.001``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:#.2g}"


def _name(province: str, names: Mapping[str, str] | None) -> str:
    return (names or {}).get(province, province)


def _invalid(name: str, n: int, method: str, reading: str, ids: str) -> StatResult:
    return StatResult(name, None, None, False, n, method, reading, ids)


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (NaN, NaN when n == 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjust the non-None p-values (step-down: the k-th smallest of m is multiplied by
    m - k + 1, then made monotone and capped at 1; the same values as statsmodels'
    ``multipletests(method="holm")``, which also runs a full garbage collection per call);
    None stays None."""
    idx = [i for i, p in enumerate(p_values) if p is not None]
    out: list[float | None] = list(p_values)
    if idx:
        raw = np.array([p_values[i] for i in idx], dtype=float)
        order = np.argsort(raw, kind="stable")
        scaled = raw[order] * (len(raw) - np.arange(len(raw)))
        adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
        for rank, position in enumerate(order):
            out[idx[position]] = float(adjusted[rank])
    return out


def contingency(items: pd.DataFrame) -> pd.DataFrame:
    """Province x domain table of incidences (rows: provinces with items; columns: domains)."""
    long = explode(items)
    table = pd.crosstab(long["province"], long["domain"])
    return table[ordered_domains(table.columns)]


def _chi2_stat(tables: np.ndarray) -> np.ndarray:
    """Pearson chi-square of one (r, c) table or a stack (b, r, c) with the same margins."""
    t = np.asarray(tables, dtype=float)
    total = t.sum(axis=(-2, -1), keepdims=True)
    exp = t.sum(axis=-1, keepdims=True) * t.sum(axis=-2, keepdims=True) / total
    return ((t - exp) ** 2 / exp).sum(axis=(-2, -1))


def _monte_carlo_p(long: pd.DataFrame, n_resamples: int, seed: int) -> tuple[float, float]:
    """Permutation p-value of the chi-square statistic, margins fixed (domain labels shuffled)."""
    rows = pd.factorize(long["province"], sort=True)[0]
    cols = pd.factorize(long["domain"], sort=True)[0]
    r, c = rows.max() + 1, cols.max() + 1
    observed = _chi2_stat(np.bincount(rows * c + cols, minlength=r * c).reshape(r, c))
    rng = np.random.default_rng(seed)
    perm = rng.permuted(np.tile(cols, (n_resamples, 1)), axis=1)
    flat = rows * c + perm + (np.arange(n_resamples) * r * c)[:, None]
    sims = np.bincount(flat.ravel(), minlength=n_resamples * r * c).reshape(n_resamples, r, c)
    hits = int((_chi2_stat(sims) >= observed - 1e-9).sum())
    return float(observed), (hits + 1) / (n_resamples + 1)


def independence_test(
    items: pd.DataFrame, min_items: int = MIN_ITEMS, n_resamples: int = 9999, seed: int = 0
) -> StatResult:
    """Do provinces differ in their domain mix? (province x domain independence).

    Pearson chi-square only when Cochran's rule holds (every expected count >= 1 and at most
    20% below 5); otherwise Fisher's exact test for a 2x2 table, or a seeded Monte-Carlo
    permutation test of the chi-square statistic (margins fixed) for r x c. Not valid with
    fewer than ``min_items`` items, or fewer than 2 provinces or 2 domains with items.
    """
    name = "province x domain independence"
    long = explode(items)
    n, ids = int(long["item_id"].nunique()), join_ids(long["item_id"])
    table = contingency(items)
    r, c = table.shape
    why = (f"only {n} items (at least {min_items} needed)" if n < min_items
           else f"only {r} province(s) with items" if r < 2
           else f"only {c} domain(s) with items" if c < 2 else "")
    if why:
        return _invalid(name, n, "none", f"Whether provinces differ in their domain mix cannot "
                        f"be tested: {why}.", ids)
    obs = table.to_numpy()
    exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    if (exp >= 1).all() and (exp < 5).mean() <= 0.2:
        stat, p, dof, _ = st.chi2_contingency(obs)
        method, short = f"Pearson chi-square, {dof} df (Cochran's rule met)", "chi-square test"
    elif (r, c) == (2, 2):
        stat, p = st.fisher_exact(obs)
        method, short = "Fisher exact test, two-sided (expected counts too small)", "Fisher test"
    else:
        stat, p = _monte_carlo_p(long, n_resamples, seed)
        method = (f"Monte-Carlo permutation test of chi-square, {n_resamples} resamples, "
                  f"seed {seed} (expected counts too small for chi-square)")
        short = "permutation test"
    method += "; incidences: multi-province/multi-domain items count in each cell"
    verdict = ("differs between provinces more than chance would explain" if p < 0.05
               else "is not distinguishable between provinces")
    reading = (f"Across {r} provinces and {c} domains ({n} items), the domain mix {verdict} "
               f"({short}, {fmt_p(p)}).")
    return StatResult(name, float(stat), float(p), True, n, method, reading, ids)


def proportions(items: pd.DataFrame, domain: str, alpha: float = 0.05) -> pd.DataFrame:
    """Per province: share of its items in ``domain`` with a Wilson interval.

    Columns: province, domain, k, n (distinct items of the province), share, ci_low, ci_high,
    item_ids (the k items).
    """
    long = explode(items)
    rows = []
    for prov, part in long.groupby("province", sort=True):
        hit = part.loc[part["domain"] == domain, "item_id"]
        k, n = int(hit.nunique()), int(part["item_id"].nunique())
        low, high = wilson_interval(k, n, alpha)
        rows.append({"province": prov, "domain": domain, "k": k, "n": n, "share": k / n,
                     "ci_low": low, "ci_high": high, "item_ids": join_ids(hit)})
    return pd.DataFrame(rows, columns=["province", "domain", "k", "n", "share", "ci_low",
                                       "ci_high", "item_ids"])


def province_share_tests(
    items: pd.DataFrame, domain: str, names: Mapping[str, str] | None = None,
    min_items: int = MIN_ITEMS, alpha: float = 0.05,
) -> list[StatResult]:
    """For each province: is its share of items in ``domain`` different from the others'?

    2x2 table of distinct items (about the province or not x in the domain or not), Fisher's
    exact test (two-sided), Holm-adjusted across the valid per-province tests; ``p_value`` is
    the adjusted value (``details['p_unadjusted']`` the raw one). Not valid with fewer than
    ``min_items`` items, when no or every item is in the domain, or when the province has all
    the items (no others to compare).
    """
    long = explode(items)
    all_ids = set(long["item_id"])
    in_dom = set(long.loc[long["domain"] == domain, "item_id"])
    label = vocabulary().phrase(domain)
    props = proportions(items, domain, alpha)
    raw: list[float | None] = []
    pending = []
    for row in props.itertuples(index=False):
        mine = set(long.loc[long["province"] == row.province, "item_id"])
        others = all_ids - mine
        ok, on = len(others & in_dom), len(others)
        why = (f"only {len(all_ids)} items (at least {min_items} needed)"
               if len(all_ids) < min_items
               else f"no item is on {label}" if not in_dom
               else f"every item is on {label}" if in_dom == all_ids
               else "no other provinces' items to compare" if not others else "")
        p = None
        stat = None
        if not why:
            stat, p = st.fisher_exact([[row.k, row.n - row.k], [ok, on - ok]])
        raw.append(None if p is None else float(p))
        pending.append((row, ok, on, why, stat))
    adjusted = holm(raw)
    results = []
    for (row, ok, on, why, stat), p_raw, p_adj in zip(pending, raw, adjusted, strict=True):
        who = _name(row.province, names)
        head = (f"{who}'s share of items on {label} ({row.k} of {row.n}, {pct(row.share)}, "
                f"{pct(1 - alpha)} CI {100 * row.ci_low:.0f}-{100 * row.ci_high:.0f}%)")
        details = {"k": row.k, "n": row.n, "share": row.share, "ci_low": row.ci_low,
                   "ci_high": row.ci_high, "other_k": ok, "other_n": on}
        name = f"{row.province} share of {domain}"
        if why:
            results.append(_invalid(name, len(all_ids), "none",
                                    f"{head} is not tested against the other provinces': {why}.",
                                    row.item_ids))
            continue
        other_share = ok / on
        verdict = ("is not distinguishable from" if p_adj >= alpha
                   else "is higher than" if row.share > other_share else "is lower than")
        reading = (f"{head} {verdict} the other provinces' ({ok} of {on}, "
                   f"{pct(other_share)}; Holm-adjusted {fmt_p(p_adj)}).")
        method = (f"Fisher exact test, two-sided, Holm-adjusted over "
                  f"{sum(p is not None for p in raw)} provinces")
        results.append(StatResult(name, float(stat), p_adj, True, len(all_ids), method, reading,
                                  row.item_ids, {**details, "p_unadjusted": p_raw}))
    return results


def _fit(formula: str, data: pd.DataFrame, negbin: bool) -> object:
    """Fit a Poisson GLM, or a negative binomial regression (alpha by maximum likelihood)."""
    if negbin:
        return smf.negativebinomial(formula, data).fit(disp=False, maxiter=200)
    return smf.glm(formula, data, family=sm.families.Poisson()).fit()


def count_model(
    items: pd.DataFrame, min_items: int = MIN_ITEMS, min_df_resid: int = 2,
    dispersion_limit: float = 1.5,
) -> StatResult:
    """Do provinces differ in item counts once the domain mix is held fixed?

    Poisson GLM of cell counts ``n ~ C(province) + C(domain)`` (zero cells included),
    likelihood-ratio test against ``n ~ C(domain)``. If Pearson chi-square / residual df exceeds
    ``dispersion_limit`` the data are overdispersed and a negative binomial model is used
    instead. Not valid with fewer than ``min_items`` items, fewer than 2 provinces or domains,
    fewer than ``min_df_resid`` residual degrees of freedom, or a fit that does not converge.
    """
    name = "item counts by province (count model)"
    long = explode(items)
    n, ids = int(long["item_id"].nunique()), join_ids(long["item_id"])
    grid = cell_grid(long)
    counts = long.groupby(["province", "domain"])["item_id"].nunique()
    grid["n"] = counts.reindex(pd.MultiIndex.from_frame(grid)).fillna(0).to_numpy(dtype=float)
    p, d = grid["province"].nunique(), grid["domain"].nunique()
    df_resid = len(grid) - (p + d - 1)
    why = (f"only {n} items (at least {min_items} needed)" if n < min_items
           else f"only {p} province(s) and {d} domain(s) with items" if min(p, d) < 2
           else f"{len(grid)} cells leave {df_resid} residual degrees of freedom "
                f"(at least {min_df_resid} needed)" if df_resid < min_df_resid else "")
    if why:
        return _invalid(name, n, "none",
                        f"Whether provinces differ in item counts cannot be modelled: {why}.", ids)
    full_f, red_f = "n ~ C(province) + C(domain)", "n ~ C(domain)"
    poisson = _fit(full_f, grid, negbin=False)
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
    negbin = dispersion > dispersion_limit
    try:
        full = _fit(full_f, grid, negbin) if negbin else poisson
        reduced = _fit(red_f, grid, negbin)
    except (ValueError, np.linalg.LinAlgError) as err:  # pragma: no cover - numerical failure
        full = reduced = None
        why = f"the model could not be fitted ({err})"
    if full is not None and negbin and not (full.mle_retvals.get("converged")
                                            and reduced.mle_retvals.get("converged")):
        why = "the negative binomial model did not converge"
    model = "negative binomial regression" if negbin else "Poisson GLM"
    if why:
        return _invalid(name, n, model, f"Whether provinces differ in item counts cannot be "
                        f"modelled: {why}.", ids)
    lr = max(0.0, 2.0 * float(full.llf - reduced.llf))
    pval = float(st.chi2.sf(lr, p - 1))
    verdict = ("differ in how many items they have" if pval < 0.05
               else "do not differ distinguishably in how many items they have")
    reading = (f"Holding the domain mix fixed, the {p} provinces {verdict} ({model}, "
               f"likelihood-ratio chi-square = {lr:.1f} on {p - 1} df, {fmt_p(pval)}; "
               f"dispersion {dispersion:.2f}).")
    rr = {f"rate_ratio[{k}]": float(np.exp(v)) for k, v in full.params.items()
          if k.startswith("C(province)")}
    details = {"dispersion": dispersion, "df_resid": float(df_resid), **rr}
    method = (f"{model}, {full_f}, likelihood-ratio test vs {red_f}; "
              f"{'overdispersed' if negbin else 'no overdispersion'} (Pearson/df "
              f"{dispersion:.2f}, limit {dispersion_limit})")
    return StatResult(name, lr, pval, True, n, method, reading, ids, details)
