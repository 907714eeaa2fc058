import pytest

from analysis.coding.codebook import load_codebook
from analysis.coding.coder import Coder
from analysis.coding.gazetteer import Gazetteer
from analysis.ingest.parse import parse_items

from support.synthetic import bulletin_text

# Reviewed provinces of the 24 seed items (the actor, not every place named in passing).
SEED_PROVINCES = ["上海"] * 5 + ["江苏", "上海", "上海", "上海", "江苏", "安徽", "上海", "上海",
                                 "上海", "江苏", "上海", "上海", "江苏", "江苏", "山东", "山东",
                                 "山东", "广东", "重庆"]
NATIONAL_FIRSTS = {1, 4, 6, 18, 19, 22}
PROVINCIAL_FIRSTS = {11}


@pytest.fixture(scope="module")
def coder():
    cb = load_codebook()
    return Coder(cb, Gazetteer(cb))


@pytest.fixture(scope="module")
def seed_codes(coder, seed_text):
    return [(item, coder.code(item.title, item.body)) for item in parse_items(seed_text, "seed")]


def test_seed_provinces(seed_codes):
    assert [";".join(c.provinces) for _, c in seed_codes] == SEED_PROVINCES


def test_seed_cities(seed_codes):
    cities = {i.seq: c.cities for i, c in seed_codes if c.cities}
    assert cities == {2: ["临港新片区"], 4: ["临港新片区"], 5: ["临港新片区"], 7: ["临港新片区"],
                      10: ["苏州"], 19: ["苏州"], 22: ["济南"], 23: ["深圳"]}


def test_passing_mentions_are_not_coded(seed_codes):
    # item 20 names IBM, Siemens, Huawei and German and Japanese institutes as partners
    item, codes = seed_codes[19]
    assert "德国" in item.body and codes.provinces == ["山东"]
    # item 13 names the Yangtze delta and Pudong, but Shanghai acts
    assert seed_codes[12][1].provinces == ["上海"]


def test_seed_firsts_national_and_provincial_kept_apart(seed_codes):
    assert {i.seq for i, c in seed_codes if c.is_national_first} == NATIONAL_FIRSTS
    assert {i.seq for i, c in seed_codes if c.is_provincial_first} == PROVINCIAL_FIRSTS
    texts = {e.text for i, c in seed_codes for e in c.evidence if e.field == "national_first"}
    assert {"全国首个", "国内首单", "国内首个", "全国率先", "全国首创"} <= texts
    # item 22's 济南将在国内率先建立… is a plan (aim word 将), not a claim; 全国首创 is
    assert "国内率先" not in texts


def test_first_version_software_is_not_a_claim(coder):
    codes = coder.code("某省公布首版次软件名单", "该省公布首版次软件名单，第一时间发布。")
    assert not codes.is_national_first and not codes.is_provincial_first


def test_seed_domains_sample(seed_codes):
    domains = {i.seq: c.domains for i, c in seed_codes}
    assert domains[5] == ["ftz"]
    assert domains[22] == ["digital_government"]
    assert domains[24] == ["digital_government"]
    assert domains[11] == ["industrial"]
    assert domains[12] == ["other"]  # environmental governance
    assert set(domains[7]) == {"ftz", "industrial"}


def test_seed_issuing_levels_sample(seed_codes):
    level = {i.seq: c.issuing_level for i, c in seed_codes}
    assert level[5] == "district_zone"  # 临港新片区管委会
    assert level[6] == "province"  # 江苏省文化和旅游厅
    assert level[10] == "city"  # 苏州市政府
    assert level[3] == "province"  # 上海市文旅局: a municipality's bureau is provincial level
    assert level[22] == ""  # not stated


def test_instruments_and_sides(seed_codes):
    codes = seed_codes[20][1]  # 山东 SME support: subsidies, risk compensation, innovation vouchers
    assert {"funding", "finance"} <= set(codes.instruments)
    assert codes.instrument_sides[:2] == ["supply", "environment"]


def test_evidence_offsets_index_the_coding_text(seed_codes):
    for item, codes in seed_codes:
        text = f"{item.title}\n{item.body}"
        for ev in codes.evidence:
            assert text[ev.start:ev.end] == ev.text, (item.seq, ev)


def test_synthetic_bulletin_is_coded(coder):
    items = parse_items(bulletin_text(), "synthetic")
    codes = [coder.code(i.title, i.body) for i in items]
    assert [c.provinces for c in codes] == [["浙江"], ["内蒙古"], ["海南"], ["广东"]]
    assert codes[2].cities == ["洋浦"] and codes[3].cities == ["深圳"]
    assert [c.domains for c in codes] == [["digital_government"], ["digital_government"],
                                          ["ftz"], ["industrial"]]
    assert [c.is_national_first for c in codes] == [False, False, False, True]
    assert codes[2].issuing_level == "district_zone"
    assert codes[3].issuing_level == "city"


def test_region_group_expands_only_without_a_province(coder):
    codes = coder.code("长三角推进生态绿色一体化", "长三角三省一市日前联合发布方案。")
    assert set(codes.provinces) == {"上海", "江苏", "浙江", "安徽"}
    codes = coder.code("上海推进长三角一体化", "上海市日前举行会议。")
    assert codes.provinces == ["上海"]


def test_title_without_place_falls_back_to_lead_sentence(coder):
    codes = coder.code("政务服务再提速", "近日，成都市推出政务服务新举措。北京等地也有类似做法。")
    assert codes.provinces == ["四川"] and codes.cities == ["成都"]


@pytest.mark.parametrize(
    ("body", "national", "provincial"),
    [("该项目填补了国内该领域空白。", True, False),
     ("浙江率先在全国推出数字政府平台。", True, False),
     ("该市在全国首发电子证照。", True, False),
     ("该指标排名全国第一。", False, False),
     ("上海市首个数据交易所开业。", False, True),
     ("全省首批智能工厂名单公布。", False, True),
     ("该省首版次软件目录发布。", False, False)],
)
def test_first_claim_patterns(coder, body, national, provincial):
    codes = coder.code("测试标题", body)
    assert (codes.is_national_first, codes.is_provincial_first) == (national, provincial)


# Examples from the field that the seed's vocabulary missed (issue 10).
@pytest.mark.parametrize(
    ("title", "body", "provinces", "domains", "scope"),
    [("广西钦州港片区推行进口货物“提前申报”模式",
      "中国（广西）自由贸易试验区钦州港片区日前推行进口货物“提前申报”通关模式。",
      ["广西"], ["ftz"], "provincial"),
     ("“爱南宁”平台上线",
      "南宁市“爱南宁”政务服务平台正式上线，市民可一网办理 1800 余项政务服务事项。",
      ["广西"], ["digital_government"], "provincial"),
     ("三地自贸试验区总体方案印发",
      "国务院印发河北、云南、黑龙江自由贸易试验区总体方案以及广西自由贸易试验区扩展区域方案，"
      "广西扩展区域实施范围 80.5 平方公里。", ["河北", "云南", "黑龙江", "广西"], ["ftz"],
      "multi_provincial"),
     ("工信部公布专精特新企业名单", "工业和信息化部日前公布第五批专精特新“小巨人”企业名单。",
      [], ["industrial"], "national"),
     ("英国新增2个“自由港”", "英国政府日前宣布新增2个“自由港”，区内企业可享受关税暂缓缴纳。",
      [], ["ftz"], "foreign")],
)
def test_field_examples(coder, title, body, provinces, domains, scope):
    codes = coder.code(title, body)
    assert (codes.provinces, codes.domains, codes.scope) == (provinces, domains, scope)


def test_ftz_area_is_evidence_for_domain_and_province(coder):
    codes = coder.code("武汉片区推出新举措", "日前，武汉片区推出进口货物通关新模式。")
    assert codes.provinces == ["湖北"] and codes.domains == ["ftz"]
    assert ("domain", "ftz", "武汉片区") in {(e.field, e.value, e.text) for e in codes.evidence}


def test_weak_keywords_alone_never_decide(coder):
    codes = coder.code("某市举办博览会",
                       "来自各地的企业参展，现场签约项目31个，投资额42亿元，产业合作加深。")
    assert codes.domains == ["other"] and codes.scores["industrial"] == 2


def test_every_field_has_a_confidence(coder, seed_codes):
    fields = {"provinces", "cities", "scope", "domains", "instruments", "is_national_first",
              "is_provincial_first", "issuing_level"}
    for _, codes in seed_codes:
        assert set(codes.confidence) == fields
        assert all(0 < v <= 1 for v in codes.confidence.values())
    sure = coder.code("测试", "全国首个电子证照平台上线，群众可一网通办，政务服务更便捷。")
    unsure = coder.code("测试", "方案提出，力争在全国率先建成数字政府。")
    assert sure.confidence["is_national_first"] > unsure.confidence["is_national_first"]


# The general rules added after the fresh evaluation set (issue 10); sentences written here.
@pytest.mark.parametrize(
    ("title", "body", "provinces", "scope"),
    [  # a part of a province named by its abbreviation and a compass word
     ("皖北小麦产区推广节水灌溉", "灌区今年新增节水灌溉面积3万亩。", ["安徽"], "provincial"),
     # a county-level city alone
     ("延吉上线夜间经济地图", "市商务部门发布夜间消费地图，收录商户420家。", ["吉林"],
      "provincial"),
     # one province named once, late in the body
     ("“秦务员”新增公积金提取服务", "据介绍，陕西省住房公积金管理部门已接入该平台。",
      ["陕西"], "provincial"),
     ("城市更新项目开工", "该项目位于旧城片区。据悉，湖南省住建厅将给予补助。", ["湖南"],
      "provincial"),
     # an enumeration whose members each open with a province
     ("商务部通报招商引资案例", "其中，福建自贸试验区的“链式招商”、山西综改区的“标准地”"
      "、宁夏银川的“拿地即开工”入选。", ["福建", "山西", "宁夏"], "multi_provincial"),
     # Hong Kong and Macao are named, never coded
     ("港澳青年创业基地开园", "深圳前海一创业基地开园，首批入驻香港、澳门团队12个。",
      ["广东"], "provincial"),
     ("香港推出数码港新计划", "香港特区政府宣布为初创企业提供租金资助。", [], "national")],
)
def test_province_rules(coder, title, body, provinces, scope):
    codes = coder.code(title, body)
    assert (codes.provinces, codes.scope) == (provinces, scope)


def test_compass_word_needs_a_listed_abbreviation():
    cb = load_codebook()
    g = Gazetteer(cb)
    assert [m.name for m in g.find("陕北苏南蒙西")] == ["陕西", "江苏", "内蒙古"]
    assert all(m.ambiguous for m in g.find("陕北苏南"))
    assert [m.name for m in g.find("新西兰和宁南县")] == []  # 新, 宁 take no compass word
    bad = cb.model_copy(update={"directional_abbreviations": ["中"]})
    from analysis.coding.codebook import _problems
    assert any("directional_abbreviations[0]" in p for p in _problems(bad))


def test_industrial_beside_ftz_needs_two_strong_words(coder):
    one = coder.code("某综保区开展保税维修", "日前，该综合保税区一家保税维修工厂投产。")
    two = coder.code("某综保区电子企业扩产",
                     "日前，该综合保税区一家电子企业扩产，新增生产线4条。")
    assert one.domains == ["ftz"] and one.scores["industrial"] >= 3
    assert set(two.domains) == {"ftz", "industrial"}


@pytest.mark.parametrize(
    ("body", "national"),
    [("该港口实现自动化集装箱码头运营，在智利尚属首次。", True),
     ("日本首次向该组织提交年度报告。", False),
     ("该材料填补了国内在超薄柔性玻璃基板量产工艺方面的空白。", True)],
)
def test_foreign_and_long_gap_firsts(coder, body, national):
    assert coder.code("测试标题", body).is_national_first is national
