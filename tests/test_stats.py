"""Statistics: known values computed independently, and refusals with tiny data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from analysis.compare.stats import (
    count_model,
    fmt_p,
    holm,
    independence_test,
    proportions,
    province_share_tests,
    wilson_interval,
)

NAMES = {"上海": "Shanghai", "江苏": "Jiangsu", "浙江": "Zhejiang"}


def frame(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    """One single-province, single-domain item per unit of count."""
    rows, i = [], 0
    for (prov, dom), n in counts.items():
        for _ in range(n):
            i += 1
            rows.append({"item_id": f"b-{i:03d}", "issue_date": "2021-01", "provinces": prov,
                         "domains": dom, "instrument_sides": "", "is_national_first": 0})
    return pd.DataFrame(rows)


BIG = {("上海", "ftz"): 8, ("上海", "industrial"): 2, ("江苏", "industrial"): 7,
       ("江苏", "ftz"): 1, ("江苏", "digital_government"): 2,
       ("浙江", "digital_government"): 8, ("浙江", "industrial"): 2}
SMALL = {("上海", "ftz"): 2, ("江苏", "ftz"): 1, ("江苏", "industrial"): 2, ("浙江", "ftz"): 1}


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    centre = (k + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4)
    return centre - half, centre + half


def test_wilson_matches_formula() -> None:
    for k, n in [(2, 5), (0, 10), (8, 10), (7, 7)]:
        low, high = wilson_interval(k, n)
        exp_low, exp_high = wilson_by_hand(k, n)
        assert math.isclose(low, exp_low, abs_tol=1e-12)
        assert math.isclose(high, exp_high, abs_tol=1e-12)
    assert (round(wilson_interval(2, 5)[0], 4), round(wilson_interval(2, 5)[1], 4)) == (
        0.1176, 0.7693)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_holm_and_fmt_p() -> None:
    assert holm([0.01, 0.04, None, 0.03]) == pytest.approx([0.03, 0.06, None, 0.06])
    assert holm([None]) == [None]
    assert fmt_p(0.6123) == "p = 0.61" and fmt_p(0.2) == "p = 0.20"
    assert fmt_p(0.0004) == "p < 0.001"


def test_independence_refuses_small_data() -> None:
    res = independence_test(frame(SMALL))
    assert not res.valid and res.p_value is None and res.statistic is None and res.n == 6
    assert "only 6 items (at least 10 needed)" in res.reading and "p =" not in res.reading
    one = independence_test(frame({("上海", "ftz"): 6, ("上海", "industrial"): 6}))
    assert not one.valid and "only 1 province(s) with items" in one.reading


def test_independence_monte_carlo_seeded() -> None:
    items = frame(BIG)
    res = independence_test(items, seed=3)
    observed = [[0, 8, 2], [2, 1, 7], [8, 0, 2]]  # 上海, 江苏, 浙江 x dg, ftz, industrial
    chi2 = st.chi2_contingency(observed, correction=False).statistic
    assert res.valid and "Monte-Carlo" in res.method and res.n == 30
    assert math.isclose(res.statistic, chi2)
    assert res.p_value < 0.001 and "p < 0.001" in res.reading
    assert res == independence_test(items, seed=3)  # same seed, same result
    assert res.item_ids.count(";") == 29


def test_independence_chi_square_and_fisher_paths() -> None:
    big = frame({("上海", "ftz"): 15, ("上海", "industrial"): 10,
                 ("江苏", "ftz"): 10, ("江苏", "industrial"): 15})
    res = independence_test(big)
    expected = st.chi2_contingency([[15, 10], [10, 15]])  # Yates-corrected for 2x2
    assert "Pearson chi-square" in res.method
    assert math.isclose(res.p_value, expected.pvalue) and res.statistic == expected.statistic
    small = frame({("上海", "ftz"): 5, ("上海", "industrial"): 1,
                   ("江苏", "ftz"): 1, ("江苏", "industrial"): 5})
    fisher = independence_test(small)
    # two-sided Fisher by hand: 2 * (C(6,5)C(6,1) + C(6,6)C(6,0)) / C(12,6) = 74/924
    assert "Fisher" in fisher.method and math.isclose(fisher.p_value, 74 / 924)
    assert "is not distinguishable" in fisher.reading and "p = 0.080" in fisher.reading


def test_proportions_table() -> None:
    props = proportions(frame(BIG), "ftz").set_index("province")
    assert props.loc["上海", ["k", "n"]].tolist() == [8, 10]
    assert math.isclose(props.loc["上海", "ci_low"], wilson_by_hand(8, 10)[0])
    assert props.loc["浙江", "k"] == 0 and props.loc["浙江", "item_ids"] == ""


def test_province_share_tests_holm_and_reading() -> None:
    res = {r.name.split()[0]: r for r in province_share_tests(frame(BIG), "ftz", NAMES)}
    raw = [st.fisher_exact(t).pvalue for t in ([[8, 2], [1, 19]], [[1, 9], [8, 12]],
                                                  [[0, 10], [9, 11]])]
    adjusted = holm(raw)
    for prov, p in zip(["上海", "江苏", "浙江"], adjusted, strict=True):
        assert math.isclose(res[prov].p_value, p)
    assert res["上海"].reading == (
        "Shanghai's share of items on FTZ (8 of 10, 80%, 95% CI 49-94%) is higher than the "
        "other provinces' (1 of 20, 5%; Holm-adjusted p < 0.001).")
    assert res["江苏"].reading.startswith("Jiangsu's share of items on FTZ (1 of 10, 10%")
    assert "is not distinguishable from" in res["江苏"].reading
    assert "Holm" in res["上海"].method and res["上海"].details["p_unadjusted"] == raw[0]


def test_province_share_tests_refuse_small_data() -> None:
    res = province_share_tests(frame(SMALL), "ftz", NAMES)
    assert all(not r.valid and r.p_value is None for r in res)
    assert res[0].reading == (
        "Shanghai's share of items on FTZ (2 of 2, 100%, 95% CI 34-100%) is not tested against "
        "the other provinces': only 6 items (at least 10 needed).")


def test_count_model_poisson_known_lr() -> None:
    counts = {("上海", "ftz"): 4, ("上海", "industrial"): 5, ("上海", "other"): 3,
              ("江苏", "ftz"): 5, ("江苏", "industrial"): 4, ("江苏", "other"): 4,
              ("浙江", "ftz"): 6, ("浙江", "industrial"): 7, ("浙江", "other"): 5}
    res = count_model(frame(counts))
    totals, n = [12, 13, 18], 43
    lr = 2 * sum(t * math.log(t * 3 / n) for t in totals)  # main-effects Poisson LR by hand
    assert res.valid and "Poisson GLM" in res.method and res.n == 43
    assert math.isclose(res.statistic, lr, rel_tol=1e-6)
    assert math.isclose(res.p_value, st.chi2.sf(lr, 2), rel_tol=1e-6)
    assert res.details["dispersion"] <= 1.5 and "on 2 df" in res.reading


def test_count_model_overdispersed_and_refusals() -> None:
    res = count_model(frame(BIG))
    assert res.valid and "negative binomial" in res.method and res.details["dispersion"] > 1.5
    tiny = count_model(frame(SMALL))
    assert not tiny.valid and tiny.p_value is None and "only 6 items" in tiny.reading
    two_by_two = count_model(frame({("上海", "ftz"): 6, ("上海", "industrial"): 3,
                                    ("江苏", "ftz"): 2, ("江苏", "industrial"): 5}))
    assert not two_by_two.valid and two_by_two.p_value is None
    assert "leave 1 residual degrees of freedom (at least 2 needed)" in two_by_two.reading


def test_holm_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(0)
    for _ in range(100):
        p = rng.random(int(rng.integers(1, 9))) ** 3
        assert holm(list(p)) == pytest.approx(list(multipletests(p, method="holm")[1]))
