"""Tests for analysis.coding.figures: real seed sentences, Chinese numerals, full-width digits,
ranges, comparators, target years, five-year-plan periods and the offset invariant on the whole
seed."""

from __future__ import annotations

from itertools import pairwise

import pytest

from analysis.coding.figures import Figure, extract_figures

# (text, kind, value, unit, comparator, low, high, target_year, counted)
Row = tuple[str, str, float | None, str, str, float | None, float | None, int | None, str]


def rows(text: str) -> list[Row]:
    """Every figure of ``text`` as a comparable tuple, after checking its offsets."""
    out = []
    for f in extract_figures(text):
        assert text[f.start : f.end] == f.text
        out.append((f.text, f.kind, f.value, f.unit, f.comparator, f.low, f.high,
                    f.target_year, f.counted))
    return out


def only(text: str) -> Figure:
    """The single figure in ``text``."""
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


# Sentences copied from data/raw/bulletin-2020-09.txt (hard-wrapped lines re-joined), with the
# complete list of figures each must yield.
SEED_SENTENCES: list[tuple[str, list[Row]]] = [
    (
        "9 月 8 日，浦东科创 1 期、2 期知识产权资产支持证券挂牌仪式在上海证券大厦举行，实现上"
        "海知识产权证券化项目零的突破，这也是全国首个专利知识产权储架 ABS（资产证券化）项目。",
        [
            ("9 月 8 日", "date", None, "date", "exact", None, None, None, ""),
        ],
    ),
    (
        "该金融产品合计发行金额 1.05 亿元，涉及102 件已授权专利，共支持 17 家中小型高新技术企"
        "业获得低成本融资。",
        [
            ("1.05 亿元", "money", 105e6, "yuan", "exact", 105e6, 105e6, None, ""),
            ("102 件", "count", 102, "count", "exact", 102, 102, None, "件"),
            ("17 家", "count", 17, "count", "exact", 17, 17, None, "家"),
        ],
    ),
    (
        "在市区两级知识产权管理部门和上海证券交易所的支持下，由浦东科创集团作为发起人的知识产"
        "权资产支持专项计划已发行两期。",
        [
            ("两期", "count", 2, "count", "exact", 2, 2, None, "期"),
        ],
    ),
    (
        "智能投研技术联盟积极参与金融科技，聚焦资管科技的核心——智能投研技术，是由 72 家从事智"
        "能投研技术应用、开发、研究、服务和支持的相关机构及组织共同发起、自愿组成的公益服务专"
        "业平台，旨在促进金融科技中心和全球资管中心融合发展，提升资管科技水平。",
        [
            ("72 家", "count", 72, "count", "exact", 72, 72, None, "家"),
        ],
    ),
    (
        "上海市文旅局日前发布《上海在线新文旅发展行动方案（2020—2022年）》，基本明确未来三年"
        "上海市文化和旅游局促进“在线新文旅”的重点工作，包括以下四项主要行动：一是公共服务“数"
        "字赋能”专项行动。",
        [
            ("2020—2022年", "year", 2020, "year", "exact", 2020, 2022, None, ""),
            ("三年", "duration", 3, "year", "exact", 3, 3, None, ""),
            ("四项", "count", 4, "count", "exact", 4, 4, None, "项"),
        ],
    ),
    (
        "至 2022 年，上海将建成更加便捷、高效、共享、融合的文化和旅游公共服务体系。",
        [
            ("2022 年", "year", 2022, "year", "exact", 2022, 2022, 2022, ""),
        ],
    ),
    (
        "新片区将拿出 100公顷土地，建设超过 100 万平方米的办公研发和生产生活空间，年内完成国"
        "内首个“跨境数字新型关口”试验站，三年内集聚 100 家数字创新型企业，打造 10 多家数字品"
        "牌。",
        [
            ("100公顷", "area", 1e6, "m2", "exact", 1e6, 1e6, None, ""),
            ("超过 100 万平方米", "area", 1e6, "m2", "at_least", 1e6, 1e6, None, ""),
            ("三年内", "duration", 3, "year", "at_most", 3, 3, None, ""),
            ("100 家", "count", 100, "count", "exact", 100, 100, None, "家"),
            ("10 多家", "count", 10, "count", "at_least", 10, 10, None, "家"),
        ],
    ),
    (
        "9 月 7 日，上海自贸区临港新片区管委会、上海市市场监督管理局发布《中国（上海）自由贸"
        "易试验区临港新片区商事主体登记确认制实施办法（试行）》，商事主体确认制正式在临港新片"
        "区 386 平方公里的产城融合区内施行。",
        [
            ("9 月 7 日", "date", None, "date", "exact", None, None, None, ""),
            ("386 平方公里", "area", 386e6, "m2", "exact", 386e6, 386e6, None, ""),
        ],
    ),
    (
        "《建设指南》共分为 5 个方面：一是 “布局合理，特色鲜明”指出要挖掘特色文旅资源，依托重"
        "点文化场所、历史文化街区、旅游景区、城市休闲功能区、商业中心区等地域空间，串联剧场影"
        "院、文博场馆、园林庭院、名人故居等文旅场所，实现文旅商资源有机联动、集约利用。",
        [
            ("5 个", "count", 5, "count", "exact", 5, 5, None, "个"),
        ],
    ),
    (
        "中科院上海有机所临港分子智造研究院、嘉和生物、润佳医药等 24 个高能级产业项目签约落地"
        "，总投资额达 160 亿元，涵盖分子合成、免疫药物、细胞治疗、重点疫苗、CDMO、CRO、3D 打"
        "印等生物医药产业的前沿领域。",
        [
            ("24 个", "count", 24, "count", "exact", 24, 24, None, "个"),
            ("160 亿元", "money", 16e9, "yuan", "exact", 16e9, 16e9, None, ""),
        ],
    ),
    (
        "今年以来，该区域已有 30 余家生物医药企业落地，投资规模近 200 亿元。",
        [
            ("30 余家", "count", 30, "count", "at_least", 30, 30, None, "家"),
            ("近 200 亿元", "money", 2e10, "yuan", "about", 2e10, 2e10, None, ""),
        ],
    ),
    (
        "依据新片区前沿产业发展规划，到“十四五”末，新片区生物医药产业规模将达到 500 亿元，占"
        "到全市的 10%；",
        [
            ("十四五", "period", None, "year", "exact", 2021, 2025, 2025, ""),
            ("500 亿元", "money", 5e10, "yuan", "exact", 5e10, 5e10, 2025, ""),
            ("10%", "percent", 10, "%", "exact", 10, 10, 2025, ""),
        ],
    ),
    (
        "到 2035 年，新片区生物医药产业规模将突破2000 亿元。",
        [
            ("2035 年", "year", 2035, "year", "exact", 2035, 2035, 2035, ""),
            ("突破2000 亿元", "money", 2e11, "yuan", "at_least", 2e11, 2e11, 2035, ""),
        ],
    ),
    (
        "从 9 月 8 日举行的上海国资国企创新发展大会上获悉，上海将力争实现全市国有企业创新投入"
        "年均增长率不低于5%，“十四五”期间创新投入累计不低于 3000 亿元。",
        [
            ("9 月 8 日", "date", None, "date", "exact", None, None, None, ""),
            ("不低于5%", "percent", 5, "%", "at_least", 5, 5, None, ""),
            ("十四五", "period", None, "year", "exact", 2021, 2025, None, ""),
            ("不低于 3000 亿元", "money", 3e11, "yuan", "at_least", 3e11, 3e11, None, ""),
        ],
    ),
    (
        "同时，上海将进一步健全市场化、专业化、国际化的国企创新人才队伍建设，新增引进或培育 1"
        "00 名以上具有国际一流水平的高层次创新领军人才，以及 1000 名以上青年创新骨干人才。",
        [
            ("100 名以上", "count", 100, "count", "at_least", 100, 100, None, "名"),
            ("1000 名以上", "count", 1000, "count", "at_least", 1000, 1000, None, "名"),
        ],
    ),
    (
        "该平台有三个鲜明亮点：一是通过信息共享、资源整合体现集成性；",
        [
            ("三个", "count", 3, "count", "exact", 3, 3, None, "个"),
        ],
    ),
    (
        "苏州市政府近日印发《关于加快推动区块链技术和产业创新发展的实施意见（2020-2022）》，"
        "深化区块链核心技术研究和实际应用突破，打造高质量产业链、高层次企业链、高水平创新链、"
        "高效能政策链。",
        [
            ("2020-2022", "year", 2020, "year", "exact", 2020, 2022, None, ""),
        ],
    ),
    (
        "引进培育 2 至 3 家国内领先且具有核心技术的区块链龙头企业；",
        [
            ("2 至 3 家", "count", 2, "count", "exact", 2, 3, None, "家"),
        ],
    ),
    (
        "建成 8 至 10 个区块链公共服务平台；",
        [
            ("8 至 10 个", "count", 8, "count", "exact", 8, 10, None, "个"),
        ],
    ),
    (
        "打造 1 至 2 个省级以上区块链产业园区，2 至 3 个市级区块链产业特色园区；",
        [
            ("1 至 2 个", "count", 1, "count", "exact", 1, 2, None, "个"),
            ("2 至 3 个", "count", 2, "count", "exact", 2, 3, None, "个"),
        ],
    ),
    (
        "力争实现全市区块链核心产业营业收入超 10 亿元，服务各领域企业规模超 1000 亿元。",
        [
            ("超 10 亿元", "money", 1e9, "yuan", "at_least", 1e9, 1e9, None, ""),
            ("超 1000 亿元", "money", 1e11, "yuan", "at_least", 1e11, 1e11, None, ""),
        ],
    ),
    (
        "择优遴选 2 至 3 个区块链平台项目纳入产业生态重点培育对象。",
        [
            ("2 至 3 个", "count", 2, "count", "exact", 2, 3, None, "个"),
        ],
    ),
    (
        "重点支持一批区块链优势龙头企业做大做强，对区块链主营业务收入首超 2000 万元、5000 万"
        "元、1亿元、5 亿元的，分别给予 50 万元、100 万元、200 万元、300 万元的奖励。",
        [
            ("超 2000 万元", "money", 2e7, "yuan", "at_least", 2e7, 2e7, None, ""),
            ("5000 万元", "money", 5e7, "yuan", "exact", 5e7, 5e7, None, ""),
            ("1亿元", "money", 1e8, "yuan", "exact", 1e8, 1e8, None, ""),
            ("5 亿元", "money", 5e8, "yuan", "exact", 5e8, 5e8, None, ""),
            ("50 万元", "money", 500000, "yuan", "exact", 500000, 500000, None, ""),
            ("100 万元", "money", 1e6, "yuan", "exact", 1e6, 1e6, None, ""),
            ("200 万元", "money", 2e6, "yuan", "exact", 2e6, 2e6, None, ""),
            ("300 万元", "money", 3e6, "yuan", "exact", 3e6, 3e6, None, ""),
        ],
    ),
    (
        "日前，安徽省首次公布首版次软件名单， 77 个软件被评定为 2020 年安徽省首版次软件。",
        [
            ("77 个", "count", 77, "count", "exact", 77, 77, None, "个"),
            ("2020 年", "year", 2020, "year", "exact", 2020, 2020, None, ""),
        ],
    ),
    (
        "建立健全生态文明建设领导机制，坚持和完善环境保护和建设三年行动计划滚动实施机制。",
        [
            ("三年", "duration", 3, "year", "exact", 3, 3, None, ""),
        ],
    ),
    (
        "会议指出，一是要围绕率先形成新发展格局做好示范引领，以落实三项新的重大任务、建设“五"
        "个中心”为载体，努力成为国内大循环的中心节点、国内国际双循环的战略链接。",
        [
            ("三项", "count", 3, "count", "exact", 3, 3, None, "项"),
        ],
    ),
    (
        "日前，上海市市场监管局等九部门共同发布《关于进一步加强金融广告监管工作的意见》，明确"
        "“凡从事金融业务必须获得相应资质，凡发布金融广告须以金融从业资质为基础”，并将对未取得"
        "相应金融业务资质主体发布金融广告的行为和互联网违法金融广告重点开展治理。",
        [
            ("九部门", "count", 9, "count", "exact", 9, 9, None, "部门"),
        ],
    ),
    (
        "在设计环节，应在符合设计基本原则前提下，优先考虑再生混凝土、再生砖、再生路面等再生品"
        "及绿色建材的使用，且每个项目使用种类不少于 3 种。",
        [
            ("不少于 3 种", "count", 3, "count", "at_least", 3, 3, None, "种"),
        ],
    ),
    (
        "意见提出，到 2025 年底，各地逐步实现新建建筑垃圾再利用率高于 30%，建筑垃圾排放量每万"
        "平方米不高于 300吨（不包括工程渣土、工程泥浆）。",
        [
            ("2025 年", "year", 2025, "year", "exact", 2025, 2025, 2025, ""),
            ("高于 30%", "percent", 30, "%", "at_least", 30, 30, 2025, ""),
            ("不高于 300吨", "quantity", 300, "吨", "at_most", 300, 300, 2025, ""),
        ],
    ),
    (
        "从上海市政府新闻办日前举行的“每月一访”活动获悉，该市民政局将推出两项民生新政：一是以"
        "长宁区试点为基础，在全市范围内全面实施“社区救助顾问”制度；",
        [
            ("两项", "count", 2, "count", "exact", 2, 2, None, "项"),
        ],
    ),
    (
        "两项新政均围绕同一个目标——变“人找政策”为“政策找人”。",
        [
            ("两项", "count", 2, "count", "exact", 2, 2, None, "项"),
        ],
    ),
    (
        "近日，江苏省发改委印发《关于开展 2021 年电力市场交易的通知》，全面放开用电电压等级 1"
        "0kV 及以上的用户进入市场，释放改革红利给更广泛用户。",
        [
            ("2021 年", "year", 2021, "year", "exact", 2021, 2021, None, ""),
            ("10kV 及以上", "quantity", 10, "kV", "at_least", 10, 10, None, ""),
        ],
    ),
    (
        "此外，为适应国家推出清洁能源消纳配额的要求，明确一类用户暂按实际用电量、售电公司暂按"
        "实际售电量的 15%用于消纳暂不具备直接参与市场交易条件的清洁能源优先发电电量。",
        [
            ("15%", "percent", 15, "%", "exact", 15, 15, None, ""),
        ],
    ),
    (
        "在预售商品房交易实践中，小业主处于弱势，从购买商品房到办理登记领取产权证书，往往需要"
        " 2 至 3 年左右时间，其间“一房二卖”、再次抵押会使业主合法权益严重受损。",
        [
            ("2 至 3 年左右", "duration", 2, "year", "about", 2, 3, None, ""),
        ],
    ),
    (
        "近日，山东省工信厅、省总工会、省教育厅、省科技厅、省财政厅、省人力资源社会保障厅联合"
        "印发《关于加强公共实训基地建设 打造制造业高技能人才培养高地的意见》，到“十四五”末，"
        "全省力争建设制造业公共实训基地 300 个左右，尤其是突出抓好四个领域的公共实训基地建设"
        "：在 5G、人工智能、量子科技、区块链、石墨烯、3D 打印材料、核电、航空航天装备等高科技"
        "方面，建设一批战略性新兴产业领域公共实训基地；",
        [
            ("十四五", "period", None, "year", "exact", 2021, 2025, 2025, ""),
            ("300 个左右", "count", 300, "count", "about", 300, 300, 2025, "个"),
            ("四个", "count", 4, "count", "exact", 4, 4, 2025, "个"),
        ],
    ),
    (
        "该省将从专业、区域、产业集群三个层次进行公共实训基地建设。",
        [
            ("三个", "count", 3, "count", "exact", 3, 3, None, "个"),
        ],
    ),
    (
        "如实施企业研发投入后补助政策，对中小型企业研发投入省市联动按 10%的比例给予最高 1000 "
        "万元的财政补助。",
        [
            ("10%", "percent", 10, "%", "exact", 10, 10, None, ""),
            ("最高 1000 万元", "money", 1e7, "yuan", "at_most", 1e7, 1e7, None, ""),
        ],
    ),
    (
        "二是实施中小微企业升级高新技术企业补助政策，对首次认定为高新技术企业的中小微企业给予"
        " 10万元财政补助。",
        [
            ("10万元", "money", 100000, "yuan", "exact", 100000, 100000, None, ""),
        ],
    ),
    (
        "建立科技成果转化风险补偿机制，省市两级财政共同为合作银行对科技型中小企业贷款时产生的"
        "不良贷款进行补偿，最高承担 70%的本金损失，引导银行信贷资金支持科技型中小企业创新发展"
        "。",
        [
            ("70%", "percent", 70, "%", "at_most", 70, 70, None, ""),
        ],
    ),
    (
        "目前，济南市已经实现 6 个部门 35 项数据资产向个人返还，齐鲁银行、农业银行、建设银行"
        "等 5 家银行正在利用上述数据开发金融创新产品。",
        [
            ("6 个", "count", 6, "count", "exact", 6, 6, None, "个"),
            ("35 项", "count", 35, "count", "exact", 35, 35, None, "项"),
            ("5 家", "count", 5, "count", "exact", 5, 5, None, "家"),
        ],
    ),
    (
        "目前，建设银行深圳市分行在福田、罗湖、南山、宝安、龙岗区内的 8家网点试点部署具备商事"
        "登记功能的智慧柜员机，提供个体工商户智慧登记服务。",
        [
            ("8家", "count", 8, "count", "exact", 8, 8, None, "家"),
        ],
    ),
    (
        "《指标体系》由三级指标系统组成，其中一级指标 3 个，涉及基础设施建设、智能化应用、发"
        "展环境规划 3 项内容；",
        [
            ("3 个", "count", 3, "count", "exact", 3, 3, None, "个"),
            ("3 项", "count", 3, "count", "exact", 3, 3, None, "项"),
        ],
    ),
    (
        "二级指标 13 个，包括围绕基础设施方面的云基础设施、网络基础设施、数据资源设施和计算设"
        "施 4 个指标，围绕新型智慧城市智能化应用方面的民生服务、城市治理、政府管理、产业融合"
        "、生态宜居、特色应用 6 个指标，围绕发展环境设置的体制机制、数字经济发展、示范推广 3 "
        "个指标；",
        [
            ("13 个", "count", 13, "count", "exact", 13, 13, None, "个"),
            ("4 个", "count", 4, "count", "exact", 4, 4, None, "个"),
            ("6 个", "count", 6, "count", "exact", 6, 6, None, "个"),
            ("3 个", "count", 3, "count", "exact", 3, 3, None, "个"),
        ],
    ),
    (
        "三级指标 46 个，均为结合各二级指标领域，并参照重庆新型智慧城市发展建设现状设置的可量"
        "化目标。",
        [
            ("46 个", "count", 46, "count", "exact", 46, 46, None, "个"),
        ],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), SEED_SENTENCES)
def test_seed_sentence(sentence: str, expected: list[Row]) -> None:
    assert rows(sentence) == [
        (t, k, pytest.approx(v) if v is not None else None, u, c,
         pytest.approx(lo) if lo is not None else None,
         pytest.approx(hi) if hi is not None else None, ty, n)
        for t, k, v, u, c, lo, hi, ty, n in expected
    ]


def test_seed_sentences_are_many() -> None:
    assert len(SEED_SENTENCES) >= 30


# --------------------------------------------------------------------------- numerals and units


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit", "comparator"),
    [
        ("一百二十亿元", "money", 120e8, "yuan", "exact"),
        ("两千家", "count", 2000, "count", "exact"),
        ("十余家", "count", 10, "count", "at_least"),
        ("三年", "duration", 3, "year", "exact"),
        ("百分之三十", "percent", 30, "%", "exact"),
        ("百分之五十以上", "percent", 50, "%", "at_least"),
        ("千分之五", "percent", 0.5, "%", "exact"),
        ("一点五亿元", "money", 1.5e8, "yuan", "exact"),
        ("二〇二〇年", "year", 2020, "year", "exact"),
        ("3 万家", "count", 30000, "count", "exact"),
        ("1.5万人", "count", 15000, "count", "exact"),
        ("1,000 万元", "money", 1e7, "yuan", "exact"),
        ("3 千万元", "money", 3e7, "yuan", "exact"),
        ("2 万亿元", "money", 2e12, "yuan", "exact"),
        ("100 亿美元", "money", 100e8, "USD", "exact"),
        ("5 亿欧元", "money", 5e8, "EUR", "exact"),
        ("5000 亩", "area", 5000 * 10000 / 15, "m2", "exact"),
        ("20 公顷", "area", 20e4, "m2", "exact"),
        ("3 万平方米", "area", 3e4, "m2", "exact"),
        ("5 个月", "duration", 5, "month", "exact"),
        ("30 天", "duration", 30, "day", "exact"),
        ("一年多", "duration", 1, "year", "at_least"),
        ("5 个百分点", "quantity", 5, "百分点", "exact"),
        ("3 万千瓦", "quantity", 30000, "千瓦", "exact"),
        ("20 兆瓦", "quantity", 20, "兆瓦", "exact"),
        ("2 倍", "quantity", 2, "倍", "exact"),
    ],
)
def test_units_and_chinese_numerals(text: str, kind: str, value: float, unit: str,
                                    comparator: str) -> None:
    f = only(text)
    assert (f.text, f.kind, f.unit, f.comparator) == (text, kind, unit, comparator)
    assert f.value == pytest.approx(value)


def test_count_keeps_measure_word() -> None:
    assert [(f.counted, f.value) for f in extract_figures("6 个部门 35 项数据，九部门联合")] == [
        ("个", 6), ("项", 35), ("部门", 9)]


def test_full_width_digits_keep_offsets() -> None:
    text = "总投资１２０亿元，占比１５％，面积３８６平方公里"
    assert rows(text) == [
        ("１２０亿元", "money", 120e8, "yuan", "exact", 120e8, 120e8, None, ""),
        ("１５％", "percent", 15, "%", "exact", 15, 15, None, ""),
        ("３８６平方公里", "area", 386e6, "m2", "exact", 386e6, 386e6, None, ""),
    ]


def test_full_width_comma_is_not_a_thousands_separator() -> None:
    assert [f.text for f in extract_figures("分别为 100，200 万元")] == ["200 万元"]


# --------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("text", "kind", "low", "high", "comparator"),
    [
        ("2 至 3 家", "count", 2, 3, "exact"),
        ("8 至 10 个", "count", 8, 10, "exact"),
        ("2-3 年", "duration", 2, 3, "exact"),
        ("2~3 年", "duration", 2, 3, "exact"),
        ("2～3 年", "duration", 2, 3, "exact"),
        ("三至五年", "duration", 3, 5, "exact"),
        ("两三年", "duration", 2, 3, "about"),
        ("三四十家", "count", 30, 40, "about"),
        ("2020—2022年", "year", 2020, 2022, "exact"),
        ("2020 年至 2022 年", "year", 2020, 2022, "exact"),
        ("10%-20%", "percent", 10, 20, "exact"),
        ("百分之十至百分之二十", "percent", 10, 20, "exact"),
        ("2 至 3 亿元", "money", 2e8, 3e8, "exact"),
        ("5000 万至 1 亿元", "money", 5e7, 1e8, "exact"),
        ("约 2 至 3 年左右", "duration", 2, 3, "about"),
    ],
)
def test_ranges(text: str, kind: str, low: float, high: float, comparator: str) -> None:
    f = only(text)
    assert (f.text, f.kind, f.comparator) == (text, kind, comparator)
    assert (f.low, f.high, f.value) == (pytest.approx(low), pytest.approx(high),
                                        pytest.approx(low))


def test_range_with_mismatched_units_is_not_a_range() -> None:
    assert [(f.text, f.kind) for f in extract_figures("3 年到 2025 年")] == [
        ("3 年", "duration"), ("2025 年", "year")]


# --------------------------------------------------------------------------- comparators


@pytest.mark.parametrize(
    ("text", "figure_text", "comparator"),
    [
        ("不低于 5%", "不低于 5%", "at_least"),
        ("不少于 3 种", "不少于 3 种", "at_least"),
        ("100 名以上", "100 名以上", "at_least"),
        ("超过 100 万平方米", "超过 100 万平方米", "at_least"),
        ("逾 20 家", "逾 20 家", "at_least"),
        ("30 余家", "30 余家", "at_least"),
        ("突破2000 亿元", "突破2000 亿元", "at_least"),
        ("达到 500 亿元", "500 亿元", "exact"),
        ("10 多家", "10 多家", "at_least"),
        ("高于 30%", "高于 30%", "at_least"),
        ("10kV 及以上", "10kV 及以上", "at_least"),
        ("最高 1000 万元", "最高 1000 万元", "at_most"),
        ("不超过 50 万元", "不超过 50 万元", "at_most"),
        ("不高于 300吨", "不高于 300吨", "at_most"),
        ("低于 5%", "低于 5%", "at_most"),
        ("3 人以下", "3 人以下", "at_most"),
        ("30 日以内", "30 日以内", "at_most"),
        ("三年内", "三年内", "at_most"),
        ("约 50 家", "约 50 家", "about"),
        ("大约 50 家", "大约 50 家", "about"),
        ("近 200 亿元", "近 200 亿元", "about"),
        ("300 个左右", "300 个左右", "about"),
        ("最高承担 70%的本金损失", "70%", "at_most"),
    ],
)
def test_comparators(text: str, figure_text: str, comparator: str) -> None:
    f = only(text)
    assert (f.text, f.comparator) == (figure_text, comparator)


def test_near_before_a_duration_is_not_a_comparator() -> None:
    f = only("近三年")
    assert (f.text, f.kind, f.value, f.comparator) == ("三年", "duration", 3, "exact")


# --------------------------------------------------------------------------- target years


def test_target_year_applies_to_rest_of_sentence_only() -> None:
    text = "力争到 2022 年，建成 5 个平台，投入 3 亿元；引进 10 家企业。"
    assert [(f.text, f.target_year) for f in extract_figures(text)] == [
        ("2022 年", 2022), ("5 个", 2022), ("3 亿元", 2022), ("10 家", None)]


def test_target_year_end_of_year() -> None:
    text = "到 2025 年底，再利用率高于 30%，排放量不高于 300吨。"
    assert [(f.kind, f.value, f.target_year) for f in extract_figures(text)] == [
        ("year", 2025, 2025), ("percent", 30, 2025), ("quantity", 300, 2025)]


def test_year_before_deadline_is_a_target() -> None:
    assert [f.target_year for f in extract_figures("2025 年前建成 5 个")] == [2025, 2025]


def test_dated_target() -> None:
    figures = extract_figures("到 2025 年 6 月底前完成 3 个")
    assert [(f.kind, f.text, f.target_year) for f in figures] == [
        ("date", "2025 年 6 月", 2025), ("count", "3 个", 2025)]


def test_plain_and_past_years_are_not_targets() -> None:
    text = "今年 3 月 4 日发行 3 亿元，2021 年发行 5 亿元；截至 2020 年底，已建成 3 个"
    assert all(f.target_year is None for f in extract_figures(text))


def test_first_quarters_are_not_a_deadline() -> None:
    assert all(f.target_year is None for f in extract_figures("2020 年前三季度增长 5%"))


def test_fyp_end_is_a_target() -> None:
    text = "到“十四五”末，产业规模将达到 500 亿元，占到全市的 10%；到 2035 年，将突破2000 亿元。"
    assert [(f.kind, f.text, f.target_year, f.period) for f in extract_figures(text)] == [
        ("period", "十四五", 2025, "14th FYP (2021-2025)"),
        ("money", "500 亿元", 2025, "14th FYP (2021-2025)"),
        ("percent", "10%", 2025, "14th FYP (2021-2025)"),
        ("year", "2035 年", 2035, ""),
        ("money", "突破2000 亿元", 2035, ""),
    ]


# ------------------------------------------------------------------- periods and non-numbers


def test_fyp_labels_are_periods_not_numbers() -> None:
    f = only("“十四五”规划")
    assert (f.kind, f.text, f.value, f.low, f.high, f.target_year, f.period) == (
        "period", "十四五", None, 2021, 2025, None, "14th FYP (2021-2025)")
    g = only("十三五时期")
    assert (g.kind, g.low, g.high, g.period) == ("period", 2016, 2020, "13th FYP (2016-2020)")


def test_fyp_span_labels_figures_without_target() -> None:
    text = "“十四五”期间创新投入累计不低于 3000 亿元。"
    money = extract_figures(text)[1]
    assert (money.value, money.comparator, money.target_year, money.period) == (
        3000e8, "at_least", None, "14th FYP (2021-2025)")


@pytest.mark.parametrize(
    "text",
    [
        "一是加强领导，二是完善机制，三是强化保障",
        "建设一批小剧场，一站式办理，一体化发展，一网通办，一件事一次办",
        "第一时间发现项目，全国首个，统一部署，一方面，另一方面，一些企业",
        "推进“三个放开”，实施“四个加强”，建设“五个中心”，通过“两个明确”",
        "部署 IPv6，建设 5G 基站，3D 打印，国产 CPU，ABS 项目，P2P 平台",
        "浦东科创 1 期、2 期知识产权资产支持证券",
        "热线电话 021-12345678，第 3 条，第二批",
        "零的突破，核心基础零部件，二次开发，三位一体，一元化",
        "几十个，数十家，三级指标体系",
    ],
)
def test_false_numerals_are_skipped(text: str) -> None:
    assert extract_figures(text) == []


def test_slogan_in_quotes_is_skipped_but_arabic_count_is_kept() -> None:
    assert [(f.text, f.value) for f in extract_figures("“三个放开”涉及 4 个指标")] == [
        ("4 个", 4)]


def test_chinese_two_of_a_kind_is_a_count() -> None:
    assert [(f.text, f.value, f.counted) for f in extract_figures("已发行两期，两项新政")] == [
        ("两期", 2, "期"), ("两项", 2, "项")]


# --------------------------------------------------------------------------- whole seed


def _joined_paragraphs(raw: str) -> list[str]:
    """Re-join hard-wrapped lines; a line ending in a space closes a paragraph."""
    paragraphs, current = [], []
    for line in raw.split("\n"):
        if not line.strip():
            continue
        current.append(line)
        if line.endswith(" "):
            paragraphs.append("".join(current))
            current = []
    return [*paragraphs, "".join(current)] if current else paragraphs


def _check_invariants(text: str) -> list[Figure]:
    figures = extract_figures(text)
    for f in figures:
        assert text[f.start : f.end] == f.text, f
    assert all(a.end <= b.start for a, b in pairwise(figures))
    assert [f.start for f in figures] == sorted(f.start for f in figures)
    return figures


def test_whole_seed_offsets(seed_text: str) -> None:
    _check_invariants(seed_text)
    kinds: dict[str, int] = {}
    for paragraph in _joined_paragraphs(seed_text):
        for f in _check_invariants(paragraph):
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
    assert kinds == {"count": 38, "money": 18, "year": 10, "date": 9, "percent": 7,
                     "duration": 4, "area": 3, "period": 3, "quantity": 3}


def test_whole_seed_with_full_width_digits(seed_text: str) -> None:
    full = seed_text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789%"})
    assert len(_check_invariants(full)) == len(extract_figures(seed_text))
