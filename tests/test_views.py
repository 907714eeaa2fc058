"""Notebook views on the real seed data: every number equals the dataset's, ids are real."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis import views
from analysis.compare.index import compute_index, rank_sensitivity
from analysis.compare.indicators import indicator_table
from analysis.dataset.tables import load_figures, load_items, split_field
from analysis.views.params import DataInfo, validate_params

ID = re.compile(r"bulletin-\d{4}-\d{2}-\d{2}(?:-f\d{2})?")
REGION_SECTIONS = ("region_scope", "region_overview", "region_domains", "region_profile",
                   "region_instruments", "region_commitments", "region_firsts",
                   "region_index", "region_items")
COMPARISON_SECTIONS = ("comparison_scope", "comparison_overview", "comparison_counts",
                       "comparison_index", "comparison_stats", "comparison_instruments",
                       "comparison_commitments")


@pytest.fixture(scope="module")
def tables(built_project) -> tuple[pd.DataFrame, pd.DataFrame]:
    processed = built_project / "data" / "processed"
    return load_items(processed / "items.csv"), load_figures(processed / "figures.csv")


@pytest.fixture(scope="module")
def info(tables) -> DataInfo:
    return DataInfo.from_items(tables[0])


def setup(tables, info, template: str, **raw):
    if template == "region":
        raw.setdefault("region", "江苏")
    p = validate_params(template, raw, info)
    return p, views.load_data(p, *tables)


def about(items: pd.DataFrame, province: str) -> pd.DataFrame:
    return items[items["provinces"].map(lambda v: province in split_field(v))]


def on(items: pd.DataFrame, domain: str) -> pd.DataFrame:
    return items[items["domains"].map(lambda v: domain in split_field(v))]


def all_sections(module_funcs, d, p):
    return {name: getattr(views, name)(d, p) for name in module_funcs}


@pytest.mark.parametrize("region", ["江苏", "安徽"])
def test_region_numbers_equal_the_dataset(tables, info, region) -> None:
    items, figures = tables
    p, d = setup(tables, info, "region", region=region)
    mine = about(items, region)
    n = len(mine)
    ov = views.region_overview(d, p)
    assert ov.values[p.key("n_items")] == n
    assert ov.values[p.key("n_items_total")] == len(items)
    assert f"appears in {n} of the {len(items)} items" in ov.text
    assert ov.values[p.key("item_ids")] == ";".join(sorted(mine["item_id"]))
    assert ov.table.loc["items about the province", "value"] == n

    dom = views.region_domains(d, p)
    for domain in p.domains:
        k = len(on(mine, domain))
        low, high = proportion_confint(k, n, method="wilson")
        assert dom.values[p.key(f"n_{domain}")] == k
        assert dom.values[p.key(f"share_{domain}")] == \
            f"{100 * k / n:.0f}% (95% CI {100 * low:.0f}-{100 * high:.0f}%)"

    com = views.region_commitments(d, p)
    money = figures[figures["item_id"].isin(mine["item_id"]) & (figures["kind"] == "money")]
    assert com.values[p.key("n_money_figures")] == len(money)
    assert com.values[p.key("money_yuan")] == pytest.approx(money["value"].sum())

    firsts = views.region_firsts(d, p)
    nat = mine[mine["is_national_first"] == 1]
    assert firsts.values[p.key("n_national_first")] == len(nat)
    assert list(firsts.table.index[firsts.table["national first"] == "yes"]) == \
        list(nat["item_id"])

    idx = views.region_index(d, p)
    table = indicator_table(items, figures, d.provinces, p.domains)
    ranks = compute_index(table, p.weights).set_index(["domain", "province"])["rank"]
    sens = rank_sensitivity(table, p.weights, n_draws=1000, seed=0)
    sens = sens.set_index(["domain", "province"])["label"]
    for domain in p.domains:
        assert idx.table.loc[views.domain_label(domain), "rank"] == ranks[(domain, region)]
        assert idx.values[p.key(f"rank_{domain}")] == sens[(domain, region)]

    listed = views.region_items(d, p).table
    assert list(listed.index) == list(mine["item_id"])
    assert list(listed["title"]) == list(mine["title"])


def test_single_item_region_reads_in_the_singular(tables, info) -> None:
    p, d = setup(tables, info, "region", region="安徽")
    sections = all_sections(REGION_SECTIONS, d, p)
    assert "appears in 1 of the" in sections["region_overview"].text
    assert "Of Anhui 安徽's 1 item (any domain)" in sections["region_domains"].text
    assert "The 1 item about Anhui 安徽" in sections["region_items"].text


def test_sentences_name_only_real_ids_and_keys_are_prefixed(tables, info) -> None:
    items, figures = tables
    real = set(items["item_id"]) | set(figures["figure_id"])
    for template, names, prefix in (("region", REGION_SECTIONS, "jiangsu_"),
                                    ("comparison", COMPARISON_SECTIONS, "comparison_")):
        p, d = setup(tables, info, template)
        keys: list[str] = []
        for name, section in all_sections(names, d, p).items():
            assert section.text.strip(), name
            assert set(ID.findall(section.text)) <= real, name
            for value in section.values.values():
                if isinstance(value, str):
                    assert set(ID.findall(value)) <= real
            keys += list(section.values)
        assert len(keys) == len(set(keys)), "glue keys must be unique in a notebook"
        assert all(k.startswith(prefix) for k in keys)
        assert all(re.fullmatch(r"[a-z0-9_]+", k) for k in keys)


def test_bilingual_names(tables, info) -> None:
    p, d = setup(tables, info, "region", region="山东")
    scope = views.region_scope(d, p)
    assert scope.text.startswith("**Shandong 山东** compared with 5 peers (Shanghai 上海,")
    assert scope.values["shandong_label"] == "Shandong 山东"


def test_peers_limit_the_comparison(tables, info) -> None:
    items, _ = tables
    p, d = setup(tables, info, "region", region="江苏", peers=["上海"])
    assert d.provinces == ["江苏", "上海"]
    kept = items[items["provinces"].map(lambda v: bool({"江苏", "上海"} & set(split_field(v))))]
    assert list(d.items["item_id"]) == list(kept["item_id"])
    idx = views.region_index(d, p)
    assert set(idx.table["of"]) == {2}
    assert "median of its 1 peer:" in views.region_profile(d, p).text


def test_comparison_numbers_equal_the_dataset(tables, info) -> None:
    items, figures = tables
    p, d = setup(tables, info, "comparison")
    ov = views.comparison_overview(d, p)
    assert ov.values["comparison_n_items"] == len(items)
    provinces = {x for v in items["provinces"] for x in split_field(v)}
    assert ov.values["comparison_n_provinces"] == len(provinces)
    for prov in provinces:
        assert ov.table.loc[views.label(prov, p.names), "items"] == len(about(items, prov))

    counts = views.comparison_counts(d, p)
    for domain in p.domains:
        assert counts.values[f"comparison_n_{domain}"] == len(on(items, domain))
    jiangsu = views.label("江苏", p.names)
    ftz = views.domain_label("ftz")
    n_js, n_js_ftz = len(about(items, "江苏")), len(on(about(items, "江苏"), "ftz"))
    assert counts.table.loc[jiangsu, ftz] == f"{n_js_ftz} ({100 * n_js_ftz / n_js:.0f}%)"

    com = views.comparison_commitments(d, p)
    scoped = items[items["domains"].map(lambda v: bool(set(p.domains) & set(split_field(v))))]
    for prov in provinces:
        ids = set(about(scoped, prov)["item_id"])
        money = figures[figures["item_id"].isin(ids) & (figures["kind"] == "money")]
        got = com.table.loc[views.label(prov, p.names), "money_yuan"]
        assert got == pytest.approx(money["value"].sum())

    idx = views.comparison_index(d, p)
    assert set(idx.data["domain"]) == set(p.domains)
    assert len(idx.data) == len(provinces) * len(p.domains)


def test_stats_readings_and_not_valid_readings(tables, info) -> None:
    items, figures = tables
    p, d = setup(tables, info, "comparison")
    stats = views.comparison_stats(d, p)
    assert stats.values["comparison_independence"] in stats.text
    assert stats.values["comparison_count_model"] in stats.text
    assert set(stats.table["valid"]) <= {"yes", "no"}
    # Three single-item provinces: too few items, every test says why and gives no p-value.
    few = items[items["provinces"].isin(["安徽", "广东", "重庆"])]
    small = views.load_data(p, few, figures)
    s = views.comparison_stats(small, p)
    assert (s.table["valid"] == "no").all()
    assert (s.table["p"] == "not tested").all()
    assert "cannot be tested: only 3 items (at least 10 needed)" in s.text
    # the share tests that cannot run are one sentence per domain, grouped by their reason
    assert s.text.count("Not tested for 3 provinces. Anhui 安徽, Guangdong 广东 and Chongqing "
                        "重庆: only 3 items (at least 10 needed).") == len(p.domains)
    assert s.values["comparison_independence_p"] == "not tested"


def test_restrict_cuts_fields_and_drops_empty_items() -> None:
    items = pd.DataFrame({"item_id": ["a", "b", "c"], "provinces": ["上海;江苏", "浙江", "江苏"],
                          "province_codes": ["310000;320000", "330000", "320000"],
                          "domains": ["ftz;other", "ftz", "other"]})
    out = views.restrict(items, provinces=["江苏"], domains=["ftz"])
    assert out.to_dict("records") == [{"item_id": "a", "provinces": "江苏",
                                       "province_codes": "320000", "domains": "ftz"}]


def test_text_helpers() -> None:
    assert views.and_list(["a", "b", "c"]) == "a, b and c"
    assert views.plural(1, "item") == "1 item" and views.plural(2, "item") == "2 items"
    assert views.money_text(1.05e8) == "105 million yuan"
    assert views.money_text(5.86105e11) == "586 billion yuan"
    assert views.money_text(300000) == "300,000 yuan"
    assert views.page_text(5, 6) == "5-6" and views.page_text(pd.NA, pd.NA) == ""
    assert views.pct(np.nan) == "n/a"
    assert views.md_escape("a*b_c") == "a\\*b\\_c"


def test_region_money_keeps_foreign_currency_apart(tables, info) -> None:
    items, figures = tables
    mine = about(items, "江苏")
    usd = figures[figures["kind"] == "money"].head(1).assign(
        figure_id="extra-usd", item_id=mine["item_id"].iloc[0], value=2e8, unit="USD")
    p = validate_params("region", {"region": "江苏"}, info)
    with_usd = pd.concat([figures, usd], ignore_index=True)
    com = views.region_commitments(views.load_data(p, items, with_usd), p)
    yuan = figures[figures["item_id"].isin(mine["item_id"]) & (figures["kind"] == "money")]
    assert com.values[p.key("money_yuan")] == pytest.approx(yuan["value"].sum())
    assert com.values[p.key("n_money_figures")] == len(yuan)
    assert com.values[p.key("money_other")] == "200,000,000 USD"
    assert "in other currencies, not converted (200,000,000 USD)" in com.text


def test_shared_tables_are_computed_once_per_process(tables, info) -> None:
    """A warm kernel runs case after case: the second region reuses the first's index, share
    tests and indicator table, and its sections are those a fresh process computes."""
    from analysis.views import common
    from analysis.views.region import indicators

    shown = (views.region_index, views.region_domains, views.region_profile)
    common.MEMO.clear()
    p1, d1 = setup(tables, info, "region", region="江苏")
    p2, d2 = setup(tables, info, "region", region="上海")
    for view in shown:
        view(d1, p1)
    first = {kind: id(value) for kind, (_, value) in common.MEMO.items()}
    assert set(first) == {"region index", "share tests", "indicators"}
    warm = [view(d2, p2) for view in shown]
    assert {kind: id(value) for kind, (_, value) in common.MEMO.items()} == first  # served
    common.MEMO.clear()
    cold = [view(d2, p2) for view in shown]
    for w, c in zip(warm, cold, strict=True):
        assert w.text == c.text and w.values == c.values and w.sources == c.sources
        pd.testing.assert_frame_equal(w.table, c.table)
    for p, d in ((p1, d1), (p2, d2), setup(tables, info, "comparison")):
        pd.testing.assert_frame_equal(  # rows in the order of d.provinces, as computed fresh
            indicators(d, p), indicator_table(d.items, d.figures, d.provinces, p.domains))
    other = setup(tables, info, "region", region="上海", weights={"n_national_first": 3.0})
    index_key = common.MEMO["region index"][0]
    views.region_index(other[1], other[0])  # other weights: computed anew, memory bounded
    assert common.MEMO["region index"][0] != index_key and len(common.MEMO) == 3


def test_data_read_from_the_files_is_keyed_by_their_stamps(built_project, tables, info,
                                                           tmp_path, monkeypatch) -> None:
    """Tables read from the project's files are keyed by the files' stamps and the scope
    (no digest of 24,000 rows per case); tables passed in, by digests of their contents."""
    import os
    import shutil

    from analysis.common import paths

    for name in ("ITEMS_CSV", "FIGURES_CSV"):
        copy = tmp_path / getattr(paths, name).name
        shutil.copy2(built_project / "data" / "processed" / copy.name, copy)
        monkeypatch.setattr(paths, name, copy)
    p, _ = setup(tables, info, "region", region="江苏")
    first, again = views.load_data(p), views.load_data(p)
    assert first.source and first.key == again.key == first.source
    passed = views.load_data(p, *tables)
    assert passed.source == () and passed.key == views.load_data(p, *tables).key
    other = views.load_data(setup(tables, info, "region", region="江苏", peers=["上海"])[0])
    assert other.key != first.key  # another scope
    stat = paths.ITEMS_CSV.stat()
    os.utime(paths.ITEMS_CSV, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert views.load_data(p).key != first.key  # the file changed
