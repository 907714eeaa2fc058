import shutil

import pandas as pd
import pytest

from analysis.common.errors import InputError
from analysis.dataset import build as dataset
from analysis.dataset.build import Pipeline, write_tables
from analysis.dataset.schema import data_dictionary

from conftest import SEED
from support.synthetic import bulletin_text


@pytest.fixture(scope="module")
def seed_tables():
    return Pipeline().code_file(SEED)


def test_seed_items_table(seed_tables):
    items = seed_tables.items
    assert len(items) == 24
    assert items["item_id"].iloc[0] == "bulletin-2020-09-01"
    assert items["issue_date"].unique().tolist() == ["2020-09"]
    assert items["is_national_first"].sum() == 6
    assert items.loc[items.item_id == "bulletin-2020-09-22", "province_codes"].item() == "370000"


def test_review_overrides_are_applied_and_recorded(seed_tables):
    items = seed_tables.items.set_index("item_id")
    assert items.loc["bulletin-2020-09-13", "domains"] == "other"
    assert items.loc["bulletin-2020-09-13", "overridden"] == "domains"
    assert items.loc["bulletin-2020-09-08", "instrument_sides"] == "supply;environment"
    assert items.loc["bulletin-2020-09-02", "overridden"] == ""
    review = seed_tables.evidence[seed_tables.evidence.source == "review"]
    assert set(review.item_id) == {f"bulletin-2020-09-{n:02d}" for n in (1, 5, 8, 13)}


def test_every_span_is_exact_source_text(seed_tables):
    raw = SEED.read_text(encoding="utf-8")
    for row in seed_tables.figures.itertuples():
        span = raw[row.start:row.end]
        assert "".join(span.split("\n")).replace("\n", "").lstrip() != ""
        assert span.replace("\n", "").replace(" ", "") == row.text.replace(" ", ""), row
    auto = seed_tables.evidence[seed_tables.evidence.source == "auto"]
    for row in auto.itertuples():
        assert raw[row.start:row.end].replace("\n", "") == row.text.replace("\n", ""), row


def test_seed_figures_sample(seed_tables):
    figs = seed_tables.figures.set_index("text")
    assert figs.loc["1.05 亿元", "value"] == 105_000_000
    assert figs.loc["1.05 亿元", "unit"] == "yuan"
    assert figs.loc["1.05 亿元", "page"] == 1
    assert figs.loc["386 平方公里", "value"] == 386e6
    assert figs.loc["近 200 亿元", "comparator"] == "about"
    assert figs.loc["30 余家", "comparator"] == "at_least"
    by_item = seed_tables.figures[seed_tables.figures.item_id == "bulletin-2020-09-10"]
    ranges = by_item[by_item.low != by_item.high][["low", "high"]].values.tolist()
    assert [2.0, 3.0] in ranges and [8.0, 10.0] in ranges


def test_synthetic_variants_crlf_gbk_no_pages(tmp_path):
    pipe = Pipeline()
    text = bulletin_text(eol="\r\n")
    crlf = tmp_path / "synthetic-crlf.txt"
    crlf.write_bytes(text.encode("utf-8"))
    gbk = tmp_path / "synthetic-gbk.txt"
    gbk.write_bytes(bulletin_text(pages=False).encode("gbk"))
    a, b = pipe.code_file(crlf), pipe.code_file(gbk)
    assert a.items["provinces"].tolist() == b.items["provinces"].tolist() == [
        "浙江", "内蒙古", "海南", "广东"]
    assert a.items["page_start"].tolist() == [1, 2, 3, 5]
    assert b.items["page_start"].isna().all() and b.figures["page"].isna().all()
    assert b.bulletins["encoding"].item() == "gb18030"
    raw = crlf.read_bytes().decode("utf-8")
    for row in a.figures.itertuples():
        assert raw[row.start:row.end].replace("\r\n", "").replace(" ", "") == row.text.replace(
            " ", "")
    money = a.figures[a.figures.kind == "money"].set_index("text")
    assert money.loc["约 １２０ 亿元", "value"] == 12e9
    assert money.loc["约 １２０ 亿元", "target_year"] == 2025


def test_copy_of_seed_keeps_its_ids_and_review(tmp_path):
    copy = tmp_path / "renamed.txt"
    shutil.copy(SEED, copy)
    items = Pipeline().code_file(copy).items
    assert items["item_id"].iloc[0] == "bulletin-2020-09-01"
    assert items["overridden"].str.len().gt(0).sum() == 4


def test_item_ids_are_stable_across_runs():
    a = Pipeline().code_file(SEED).items["item_id"].tolist()
    b = Pipeline().code_file(SEED).items["item_id"].tolist()
    assert a == b


def test_write_tables_is_all_or_nothing(tmp_path, seed_tables):
    written = write_tables(seed_tables, tmp_path)
    assert sorted(p.name for p in written.values()) == [
        "bulletins.csv", "evidence.csv", "figures.csv", "items.csv"]
    before = (tmp_path / "items.csv").read_bytes()
    broken = dataset.Tables(**seed_tables.as_dict())
    broken.figures = broken.figures.assign(kind="nonsense")
    with pytest.raises(InputError, match="table figures"):
        write_tables(broken, tmp_path)
    assert (tmp_path / "items.csv").read_bytes() == before
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*tmp"))


def test_written_csv_round_trips(tmp_path, seed_tables):
    write_tables(seed_tables, tmp_path)
    back = pd.read_csv(tmp_path / "items.csv", keep_default_na=False)
    assert back["title"].tolist() == seed_tables.items["title"].tolist()


def test_data_dictionary_comes_from_the_schema():
    dd = data_dictionary()
    row = dd[(dd.table == "items") & (dd.column == "domains")].iloc[0]
    assert "digital_government" in row.allowed_values and "several" in row.allowed_values
    money = dd[(dd.table == "figures") & (dd.column == "unit")].iloc[0]
    assert "yuan" in money.description
    assert set(dd.table) == {"items", "figures", "evidence", "bulletins"}


def test_build_is_cached_on_its_inputs(tmp_path):
    from analysis.dataset.build import STAMP, build

    written = build(out_dir=tmp_path)
    assert sorted(written) == ["agreement", "bulletins", "evidence", "figures", "items"]
    stamp = (tmp_path / STAMP).read_text()
    mtimes = {p: p.stat().st_mtime_ns for p in written.values()}
    build(out_dir=tmp_path)  # nothing changed: nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in written.values()} == mtimes
    build(out_dir=tmp_path, force=True)
    assert (tmp_path / STAMP).read_text() == stamp
    assert any(p.stat().st_mtime_ns != mtimes[p] for p in written.values())


def test_agreement_from_one_coding_pass(seed_tables):
    from analysis.dataset.build import agreement_of

    table = agreement_of(seed_tables).set_index("field")
    # 2 of 24 items have reviewed domains that differ from the automatic ones (05, 13)
    assert table.loc["domains", "agreement"] == pytest.approx(22 / 24)
    assert table.loc["provinces", "kappa"] == pytest.approx(1.0)
    assert table.loc["issuing_level", "agreement"] == pytest.approx(23 / 24)
    assert seed_tables.bulletins["reviewed"].tolist() == [1]


def test_scope_and_confidence_columns(seed_tables):
    items = seed_tables.items.set_index("item_id")
    assert set(items["scope"]) == {"provincial"}  # every seed item is about one province
    conf = items.filter(like="confidence_").drop(columns="confidence_basis")
    assert conf.shape[1] == 8 and conf.gt(0).all().all() and conf.le(1).all().all()
    # an overruled field is sure: the analyst decided it
    assert items.loc["bulletin-2020-09-13", "confidence_domains"] == 1.0
    assert items.loc["bulletin-2020-09-02", "confidence_domains"] < 1.0
    assert "domains: digital_government=" in items.loc["bulletin-2020-09-02", "confidence_basis"]


def test_reviewed_provinces_keep_scope_in_step(tmp_path):
    from analysis.dataset.review import scope_of

    assert scope_of("上海;江苏", "provincial") == "multi_provincial"
    assert scope_of("", "foreign") == "foreign" and scope_of("", "provincial") == "national"
    review = tmp_path / "review.csv"
    review.write_text("item_id,field,value,reason\n"
                      "bulletin-2020-09-02,provinces,上海;浙江,both act\n"
                      "bulletin-2020-09-03,scope,atlantis,bad\n", encoding="utf-8")
    with pytest.raises(InputError, match="scope: invalid value 'atlantis'"):
        Pipeline(review_path=review)
    review.write_text("item_id,field,value,reason\n"
                      "bulletin-2020-09-02,provinces,上海;浙江,both act\n", encoding="utf-8")
    items = Pipeline(review_path=review).code_file(SEED).items.set_index("item_id")
    assert items.loc["bulletin-2020-09-02", "scope"] == "multi_provincial"
    assert items.loc["bulletin-2020-09-02", "confidence_provinces"] == 1.0


def test_review_queue_lists_weakest_first_in_review_format(seed_tables, tmp_path):
    import io

    from analysis.dataset.queue import as_review_csv, review_queue
    from analysis.dataset.review import load_review

    queue = review_queue(seed_tables.items, seed_tables.evidence)
    assert queue["confidence"].is_monotonic_increasing
    overruled = {(r.item_id, f) for r in seed_tables.items.itertuples()
                 for f in r.overridden.split(";") if f}
    assert not overruled & set(zip(queue.item_id, queue.field, strict=True))
    assert len(queue) == 24 * 8 - len(overruled)
    top = review_queue(seed_tables.items, seed_tables.evidence, limit=5)
    assert top["confidence"].tolist() == queue["confidence"].head(5).tolist()
    domains = queue[queue.field == "domains"].iloc[0]
    assert "evidence:" in domains.reason and "/3" in domains.reason
    # pasted rows are valid review rows
    text = as_review_csv(top)
    assert text.splitlines()[0] == "item_id,field,value,reason"
    path = tmp_path / "review.csv"
    path.write_text(text, encoding="utf-8")
    pipe = Pipeline()
    rows = load_review(path, set(pipe.province_codes), pipe.vocab)
    assert len(rows) == 5 and pd.read_csv(io.StringIO(text)).shape == (5, 4)
