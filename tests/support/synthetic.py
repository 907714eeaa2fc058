"""A SYNTHETIC bulletin for tests, laid out like the printed bulletins (wrapped lines, a blank line
after each line, trailing space at paragraph ends, a page marker space every N lines).

Everything here is made up for testing the parser and coder: the places are real names, the
events are not. It is never shown in the report.
"""

from __future__ import annotations

from devtools.synthetic import layout

ITEMS: list[tuple[str, str, list[str]]] = [
    ("数字政府", "浙江省上线全省统一政务数据共享平台", [
        "（合成测试数据）近日，浙江省大数据发展管理局发布通知，全省统一政务数据共享平台正式上线，"
        "已归集 45 个部门的 1200 余项数据，实现“一网通办”事项 90%以上全程网办。",
        "到 2025 年底，全省将建成不少于 3 个省级数据中心，投入资金约 １２０ 亿元。",
    ]),
    ("数字政府", "内蒙古推进政务服务“一件事”改革", [
        "（合成测试数据）内蒙古自治区人民政府办公厅印发实施方案，推动政务服务“一件事一次办”，"
        "三至五年内实现高频事项全覆盖。",
    ]),
    ("自贸片区", "海南自由贸易港洋浦经济开发区实施跨境贸易新规", [
        "（合成测试数据）洋浦经济开发区管委会发布跨境贸易便利化措施，对进出口企业给予最高 "
        "500 万元奖励，试点期限为 2 至 3 年。该区规划面积 114.7 平方公里。",
        "此外，开发区将与新加坡企业开展合作，建设国际数据通道和数据中心等基础设施，"
        "推动贸易便利化和对外开放，计划新增外资企业 50 家以上，并为企业提供一站式公共服务。",
    ]),
    ("产业观察", "广东深圳全国首创人工智能产业链“链长制”", [
        "（合成测试数据）深圳市工业和信息化局近日发布通知，在全国首创人工智能产业链“链长制”，"
        "培育 10 家龙头企业，产业规模达到 2000 亿元，较上年增长 15%。",
        "围绕“十四五”规划，深圳将支持中小企业参与产业链协同，对首次认定的企业给予 50 万元资助。",
    ]),
]


def bulletin_text(*, pages: bool = True, page_every: int = 5, eol: str = "\n") -> str:
    """The synthetic bulletin text; page markers (a leading space) every ``page_every`` lines."""
    return layout(ITEMS, pages=pages, page_every=page_every, eol=eol)


TITLES = [title for _, title, _ in ITEMS]
SECTIONS = [sec for sec, _, _ in ITEMS]
