import itertools

import pytest

from analysis.common.errors import InputError
from analysis.ingest.layout import paragraph_mode, split_lines
from analysis.ingest.parse import parse_items

from support.synthetic import SECTIONS, TITLES, bulletin_text

# The 24 items of the seed bulletin as printed: position, section, title, first and last page.
SEED_ITEMS = [
    (1, "科创聚焦", "上海实施全国首个专利知识产权储架资产证券化项目", 1, 1),
    (2, "科创聚焦", "智能投研技术联盟在上海自贸区临港新片区揭牌成立", 1, 2),
    (3, "经济热点", "上海发布在线新文旅发展行动方案", 2, 3),
    (4, "经济热点", "上海自贸区临港新片区将建“跨境数字新型关口”", 3, 4),
    (5, "经济热点", "上海自贸区临港新片区正式实施商事主体登记确认制", 4, 5),
    (6, "经济热点", "江苏发布全国首个省级夜间文旅消费集聚区建设指南", 5, 6),
    (7, "产业动向", "上海自贸区临港新片区生物医药特色产业园开园", 6, 7),
    (8, "产业动向", "上海力争国企创新投入年增不低于 5%", 7, 7),
    (9, "产业动向", "上海自贸区金融产业投资促进平台上线", 7, 8),
    (10, "产业动向", "苏州出台政策推动区块链发展 培育优势企业", 8, 9),
    (11, "产业动向", "安徽首次公布首版次软件名单", 9, 9),
    (12, "政策举措", "上海出台意见加快构建现代环境治理体系", 10, 11),
    (13, "政策举措", "上海明确四方面扎实推进长三角一体化发展", 11, 11),
    (14, "政策举措", "上海市出台新规加强金融广告监管", 11, 12),
    (15, "政策举措", "江苏出台指导意见加快推进建筑垃圾减量", 12, 13),
    (16, "经验交流", "上海不动产登记水电气过户已实现“一件事一次办”", 13, 14),
    (17, "经验交流", "上海将全面实施“社区救助顾问”制度", 14, 14),
    (18, "经验交流", "江苏全国率先全面放开 10kV 及以上电力用户参与市场交易", 14, 15),
    (19, "经验交流", "苏州全国率先实现不动产“双预告”登记全流程线上办理", 15, 15),
    (20, "域外动态", "山东省打造制造业高技能人才培养高地", 16, 17),
    (21, "域外动态", "山东出台多项举措积极培育扶持科技型中小企业创新发展", 17, 18),
    (22, "域外动态", "济南全国首创政务数据可信共享新模式", 19, 19),
    (23, "域外动态", "深圳市推出“政银通注册易”商事登记新模式", 19, 20),
    (24, "域外动态", "重庆市发布新型智慧城市评估指标体系", 20, 21),
]


def test_seed_items_sections_titles_pages(seed_text):
    items = parse_items(seed_text, "seed")
    got = [(i.seq, i.section, i.title, i.page_start, i.page_end) for i in items]
    assert got == SEED_ITEMS


def test_seed_has_six_sections_and_21_pages(seed_text):
    items = parse_items(seed_text, "seed")
    assert list(dict.fromkeys(i.section for i in items)) == [
        "科创聚焦", "经济热点", "产业动向", "政策举措", "经验交流", "域外动态"]
    assert max(i.page_end for i in items) == 21


def test_item_spans_point_into_raw_text(seed_text):
    items = parse_items(seed_text, "seed")
    for item in items:
        assert seed_text[item.start:item.start + len(item.title)] == item.title
        assert seed_text[item.end - 1] == item.body[-1]
    # items do not overlap and come in order
    assert all(a.end < b.start for a, b in itertools.pairwise(items))


def test_lines_rejoined_without_spaces(seed_text):
    first = parse_items(seed_text, "seed")[0]
    assert first.body.startswith("9 月 8 日，浦东科创 1 期、2 期知识产权资产支持证券挂牌仪式")
    assert "涉及102 件已授权专利" in first.body
    assert "获得低成本融资。" in first.body
    assert first.body.count("\n") == 2  # three paragraphs


def test_body_span_maps_back_across_line_breaks(seed_text):
    item = parse_items(seed_text, "seed")[0]
    pos = item.body.index("1.05 亿元")
    start, end, page = item.body_span(pos, pos + len("1.05 亿元"))
    assert seed_text[start:end] == "1.05 亿元"
    assert page == 1
    pos = item.body.index("支持证券挂牌")
    start, end, _ = item.body_span(pos, pos + 6)
    assert seed_text[start:end].replace("\n", "") == "支持证券挂牌"


@pytest.mark.parametrize(
    "variant",
    ["stripped", "no_blank_lines", "blank_line_paragraphs", "crlf", "no_page_markers",
     "space_after_every_line", "cr", "form_feeds"],
)
def test_seed_layout_variants_give_the_same_titles(seed_text, variant):
    lines = seed_text.split("\n")
    if variant == "stripped":
        text = "\n".join(line.strip() for line in lines)
    elif variant == "no_blank_lines":
        text = "\n".join(line.strip() for line in lines if line.strip())
    elif variant == "blank_line_paragraphs":
        paras, cur = [], []
        for line in lines:
            if line.strip():
                cur.append(line.strip())
                if line.endswith(" "):
                    paras.append("\n".join(cur))
                    cur = []
        text = "\n\n".join(paras)
    elif variant == "crlf":
        text = seed_text.replace("\n", "\r\n")
    elif variant == "cr":
        text = seed_text.replace("\n", "\r")
    elif variant == "space_after_every_line":
        text = "\n".join(line.rstrip() + " " if line.strip() else line for line in lines)
    elif variant == "form_feeds":  # pdftotext's page breaks instead of leading spaces
        text = "\n".join(("\f" + line[1:]) if line[:1] == " " and k else line
                         for k, line in enumerate(lines))
    else:
        text = "\n".join(line.lstrip(" ") for line in lines)
    items = parse_items(text, variant)
    assert [i.title for i in items] == [t for _, _, t, _, _ in SEED_ITEMS]
    if variant in ("stripped", "no_blank_lines", "no_page_markers", "blank_line_paragraphs"):
        assert all(i.page_start is None and i.page_end is None for i in items)
    if variant in ("crlf", "cr", "form_feeds", "space_after_every_line"):
        assert [(i.page_start, i.page_end) for i in items] == [(p, q) for *_, p, q in SEED_ITEMS]


def test_paragraph_modes(seed_text):
    assert paragraph_mode(split_lines(seed_text)) == "trailing_space"
    stripped = "\n".join(line.strip() for line in seed_text.split("\n"))
    assert paragraph_mode(split_lines(stripped)) == "line_width"


def test_synthetic_bulletin_other_sections_and_page_continuation():
    items = parse_items(bulletin_text(), "synthetic")
    assert [i.title for i in items] == TITLES
    assert [i.section for i in items] == SECTIONS
    assert [(i.page_start, i.page_end) for i in items] == [(1, 2), (2, 3), (3, 5), (5, 6)]
    assert "已归集 45" in items[0].body
    assert "1200 余项数据" in items[0].body


def test_synthetic_without_page_markers_has_unknown_pages():
    items = parse_items(bulletin_text(pages=False), "synthetic")
    assert [i.title for i in items] == TITLES
    assert {i.page_start for i in items} == {None}


def test_text_without_items_is_an_error():
    with pytest.raises(InputError, match="no recognisable bulletin items"):
        parse_items("这是一段没有标题的文字。\n\n又一句话。\n", "plain.txt")


def test_masthead_lines_are_not_items():
    masthead = "区域政策简报 \n\n2020 年第 10 期（总第 120 期） \n\n某研究中心 编 \n\n"
    items = parse_items(masthead + bulletin_text(), "with-masthead")
    assert [i.title for i in items] == TITLES
    assert items[0].page_start == 2  # the masthead is page 1's content


def test_subtitles_and_source_lines_stay_in_their_item():
    from devtools.synthetic import layout

    items = parse_items(layout([
        ("动态", "浙江发布数字政府建设方案", ["——聚焦一网通办", LONG, "（来源：合成测试）"]),
        ("动态", "江苏出台产业政策", [LONG]),
    ]), "synthetic")
    assert [i.title for i in items] == ["浙江发布数字政府建设方案", "江苏出台产业政策"]
    assert items[0].body.split("\n") == ["——聚焦一网通办", LONG]
    assert items[0].subtitle.text == "——聚焦一网通办"
    assert items[0].source == "（来源：合成测试）"  # kept with the item, outside its body
    assert items[0].end == items[0].sources[0].end


# A made-up body paragraph long enough to wrap over several printed lines (synthetic).
LONG = ("近日，该省发布合成测试方案，提出推进政务服务一网通办、数据共享和电子证照应用，"
        "到二〇二五年建成统一平台。")
