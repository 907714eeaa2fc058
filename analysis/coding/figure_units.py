"""Unit, comparator and pattern tables (and number-token rules) for :mod:`analysis.coding.figures`.

Everything here is data, the regular expressions built from it and the two small rules that
decide whether a number token is usable, so the extractor in ``figures.py`` stays readable and
the vocabulary can be reviewed in one place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from analysis.coding.numerals import CN_DIGITS, CN_NUMERAL_CHARS, MAGNITUDES, parse_number
from analysis.common.text import SENTENCE_END as TEXT_SENTENCE_END


class UnitSpec(NamedTuple):
    """What a printed unit means: figure kind, normalised unit and factor to that unit."""

    kind: str
    unit: str
    factor: float


QUANTITY_UNITS = (
    "kV kW MW GW kWh MWh GWh kVA MVA 千伏 千瓦时 千瓦 兆瓦 吨 公斤 千克 kg 公里 千米 km 米 "
    "立方米 标准箱 TEU 倍 百分点 Gbps Mbps GB TB PB"
).split()
MU_M2 = 10000 / 15  # 1 亩 = 666.67 m2 exactly 10000/15

#: The normalised unit of Chinese yuan; money in any other unit is a foreign currency.
YUAN = "yuan"

UNITS: dict[str, UnitSpec] = {
    # money: CNY is normalised to yuan; other currencies keep their ISO code, no conversion
    "元": UnitSpec("money", YUAN, 1),
    "人民币": UnitSpec("money", YUAN, 1),
    "美元": UnitSpec("money", "USD", 1),
    "欧元": UnitSpec("money", "EUR", 1),
    "日元": UnitSpec("money", "JPY", 1),
    "港元": UnitSpec("money", "HKD", 1),
    "港币": UnitSpec("money", "HKD", 1),
    "英镑": UnitSpec("money", "GBP", 1),
    # area, normalised to m2
    "平方公里": UnitSpec("area", "m2", 1e6),
    "平方千米": UnitSpec("area", "m2", 1e6),
    "km2": UnitSpec("area", "m2", 1e6),
    "平方米": UnitSpec("area", "m2", 1),
    "m2": UnitSpec("area", "m2", 1),
    "㎡": UnitSpec("area", "m2", 1),
    "公顷": UnitSpec("area", "m2", 1e4),
    "亩": UnitSpec("area", "m2", MU_M2),
    # percent
    "%": UnitSpec("percent", "%", 1),
    "‰": UnitSpec("percent", "%", 0.1),
    # duration (年 is decided per number: calendar year or span, see figures._year_or_span)
    "年": UnitSpec("duration", "year", 1),
    "个月": UnitSpec("duration", "month", 1),
    "个多月": UnitSpec("duration", "month", 1),
    "个季度": UnitSpec("duration", "quarter", 1),
    "个星期": UnitSpec("duration", "week", 1),
    "周": UnitSpec("duration", "week", 1),
    "天": UnitSpec("duration", "day", 1),
    "个工作日": UnitSpec("duration", "day", 1),
    "工作日": UnitSpec("duration", "day", 1),
    "个小时": UnitSpec("duration", "hour", 1),
    "小时": UnitSpec("duration", "hour", 1),
    "分钟": UnitSpec("duration", "minute", 1),
    # quantity: the printed unit is kept (magnitudes like 万 are folded into the value)
    **{u: UnitSpec("quantity", u, 1) for u in QUANTITY_UNITS},
    "个百分点": UnitSpec("quantity", "百分点", 1),
}

# Measure words (and a few nouns) that make a number a count; `counted` keeps the word.
COUNT_WORDS = (
    "人次 家次 架次 部门 家 个 件 名 项 人 所 座 批 条 套 台 类 种 次 位 户 款 支 张 份 架 辆 艘 "
    "栋 处 场 届 笔 单 例 枚 颗 株 期 部 只 组 轮 块"
).split()
UNITS.update({w: UnitSpec("count", "count", 1) for w in COUNT_WORDS})

# Guards after a unit: 元化/二元论 are not money, 年级/年代 not years, ASCII units end at a word.
_UNIT_GUARDS = {"元": "(?![化论素器件宝])", "年": "(?![级龄代轻华])"}


def _unit_alt(unit: str) -> str:
    guard = _UNIT_GUARDS.get(unit, "")
    if unit.isascii() and unit[-1].isalpha():
        guard = "(?![A-Za-z0-9])"
    return re.escape(unit) + guard


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


AR = r"\d+(?:,\d{3})*(?:\.\d+)?"
CN = rf"[{CN_NUMERAL_CHARS}](?:[{CN_NUMERAL_CHARS.replace('点', '')}]|点(?=[{CN_DIGITS}]))*"
NUM = rf"(?:{AR}|{CN})"
MAG = _alternation(list(MAGNITUDES))
UNIT = "|".join(_unit_alt(u) for u in sorted(UNITS, key=len, reverse=True))
SEP = r"(?:至|到|[—–\-]{1,2}|~)"
APPROX = r"(?:余|多|几)"

# Where a figure may begin: a five-year-plan label, 百分之/千分之, or a number token. Arabic
# numbers glued to Latin letters (IPv6, P2P) and Chinese numerals inside a longer numeral, after
# 第 (ordinal), 几 or 数 (vague) never start a figure.
START = re.compile(
    rf"(?P<fyp>(?<![{CN_NUMERAL_CHARS}])十[一二三四五六七八九]五)"
    rf"|(?P<pct>[百千]分之)"
    rf"|(?P<num>(?<![A-Za-z0-9._])(?:{AR})|(?<![{CN_NUMERAL_CHARS}第几数]){CN})"
)
# Every START match begins with one of these characters: scanning for them first skips the
# rest of the text in C (START itself begins with look-behinds, which defeat that fast path).
START_CHARS = re.compile(rf"[\d{CN_NUMERAL_CHARS}]")


def start_tokens(work: str) -> Iterator[re.Match[str]]:
    """The same matches as ``START.finditer(work)``, found faster."""
    candidates, match, pos = START_CHARS.search, START.match, 0
    while (cand := candidates(work, pos)) is not None:
        m = match(work, cand.start())
        if m is None:
            pos = cand.start() + 1
        else:
            yield m
            pos = m.end()


_TAIL = rf"[ ]*(?P<ap>{APPROX})?[ ]*(?:(?P<unit>{UNIT})|(?P<mag>{MAG})[ ]*(?P<unitm>{UNIT}))"
SINGLE = re.compile(rf"(?P<n>{NUM}){_TAIL}")
RANGE = re.compile(
    rf"(?P<n1>{NUM})[ ]*(?P<mag1>{MAG})?[ ]*(?P<u1>{UNIT})?[ ]*{SEP}[ ]*(?P<n2>{NUM}){_TAIL}"
)
PERCENT_WORDS = re.compile(
    rf"(?P<w>[百千])分之[ ]*(?P<n1>{NUM})(?:[ ]*{SEP}[ ]*(?:[百千]分之)?[ ]*(?P<n2>{NUM}))?"
)
YEAR_RANGE = re.compile(
    rf"(?P<y1>\d{{4}})(?:[ ]*年)?[ ]*{SEP}[ ]*(?P<y2>\d{{4}})(?![\d.])(?:[ ]*年(?![级龄代]))?"
)
DATE = re.compile(
    rf"(?:(?P<y>{NUM})[ ]*年[ ]*)?(?P<mo>{NUM})[ ]*月(?:[ ]*(?P<d>{NUM})[ ]*[日号])?"
)
DAY_ONLY = re.compile(rf"(?P<d>{AR})[ ]*日(?P<within>[ ]*(?:以内|之内|内))?")

# Comparator words right before the number (longest first when matched) ...
PRE_COMPARATORS: dict[str, str] = {
    **dict.fromkeys(
        ("不低于", "不少于", "不小于", "至少", "最少", "最低", "超过", "超", "逾", "突破",
         "高于", "多于", "大于"),
        "at_least",
    ),
    **dict.fromkeys(
        ("不超过", "不高于", "不多于", "不大于", "最高", "最多", "低于", "少于", "小于",
         "不足", "不到", "未满"),
        "at_most",
    ),
    **dict.fromkeys(("约", "大约", "约为", "近", "将近", "接近"), "about"),
}
# ... these may also sit two characters away: 最高承担 70% (not part of the figure's text).
GAPPED_PRE = re.compile(r"(?P<w>最高|最多|最低|至少|最少)[\u4e00-\u9fff]{1,2}[ ]*$")
PRE_RE = re.compile(rf"(?P<w>{_alternation(list(PRE_COMPARATORS))})[ ]*$")

# ... and right after the figure. 内 and 多/余 after the unit only count for durations.
POST_COMPARATORS = {
    "及以上": "at_least", "以上": "at_least", "及以下": "at_most", "以下": "at_most",
    "以内": "at_most", "之内": "at_most", "左右": "about",
}
DURATION_POST = {"内": "at_most", "多": "at_least", "余": "at_least"}
POST_RE = re.compile(rf"[ ]*(?P<w>{_alternation(list(POST_COMPARATORS))})")
DURATION_POST_RE = re.compile(r"(?P<w>[内多余])")

# Chinese approximate pairs: 两三年 (2-3), 三四十家 (30-40).
APPROX_PAIR = re.compile(r"(一两|一二|两三|二三|三四|四五|五六|六七|七八|八九)([十百千万]?)")

# Collocations that look like numeral + measure word but are names or fixed terms.
FALSE_COLLOCATIONS = re.compile(r"五台山|七台河|三次产业|[一二两三四五六七八九十]位一体")

# Five-year plans from the 11th on: the n-th plan runs 2006 + 5 * (n - 11) .. +4 (14th: 2021-2025).
FYP_NUMBER = {"一": 11, "二": 12, "三": 13, "四": 14, "五": 15, "六": 16, "七": 17, "八": 18,
              "九": 19}


def fyp_years(label: str) -> tuple[int, int]:
    """First and last year of a five-year plan label such as ``十四五`` -> (2021, 2025)."""
    n = FYP_NUMBER[label[1]]
    first = 2006 + 5 * (n - 11)
    return first, first + 4


TARGET_TRIGGER = re.compile(r"(?<!截)(?<!截止)(?<!不)(?:到|至)[ “\"]*$")
TARGET_AFTER_YEAR = re.compile(r"[ ]*(?:底|末)?前(?![一二两三四五六七八九十几])")
PERIOD_END = re.compile(r"[”\"]?[ ]*(?:期末|末)")
PERIOD_SPAN = re.compile(r"[”\"]?[ ]*(?:期间|时期)")
SENTENCE_END = TEXT_SENTENCE_END + "\n"  # a new line ends a paragraph


@functools.lru_cache(maxsize=16384)
def token_value(token: str, digit_string_ok: bool = False) -> tuple[float, float] | None:
    """(low, high) of a number token, or None when it is not a usable number.

    Chinese approximate pairs give a range (两三 -> 2, 3; 三四十 -> 30, 40). Strings of bare
    Chinese digits (一二, 三四五) are rejected unless ``digit_string_ok`` and they spell a
    calendar year (二〇二〇); lone 零/〇 is never a figure (零部件, 零的突破). Cached per token.
    """
    if token[0].isdigit():
        v = parse_number(token)
        return v, v
    pair = APPROX_PAIR.fullmatch(token)
    if pair:
        scale = MAGNITUDES.get(pair[2], 10.0 if pair[2] == "十" else 1.0)
        lo, hi = (parse_number(ch) for ch in pair[1])
        return lo * scale, hi * scale
    if token in ("零", "〇"):
        return None
    digits_only = all(ch in CN_DIGITS for ch in token)
    if len(token) > 1 and digits_only and not (digit_string_ok and is_calendar_year(token)):
        return None
    if not digits_only and re.search(r"[一二两三四五六七八九]{2}", token):
        return None
    try:
        v = parse_number(token)
    except ValueError:
        return None
    return v, v


def is_calendar_year(token: str) -> bool:
    """A 4-digit year 1900..2100, Arabic (2022) or Chinese digit by digit (二〇二二)."""
    if token.isdigit() and len(token) == 4:
        return 1900 <= int(token) <= 2100
    if len(token) != 4 or not all(ch in CN_DIGITS for ch in token):
        return False
    try:
        return 1900 <= parse_number(token) <= 2100
    except ValueError:
        return False
