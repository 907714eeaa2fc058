"""Extract quantitative figures (money, counts, percents, areas, durations, years, dates,
physical quantities and five-year-plan periods) from the joined body text of a bulletin item.

Decisions on ambiguous cases (see also the tables in :mod:`analysis.coding.figure_units`):

* A range (``2 至 3 家``, ``2020—2022年``, ``三至五年``) has ``value = low``; the unit applies to
  both ends, and a magnitude printed only on the right end applies to both (``2 至 3 亿元``).
* A date (``9 月 8 日``) has ``value``, ``low``, ``high`` = None and unit ``date``.
* A number followed by 年 is a calendar ``year`` when it is a 4-digit 1900..2100 number with no
  magnitude or 余/多, otherwise a ``duration`` (三年, 2 至 3 年, 2000 多年).
* Five-year-plan labels (十四五, also unquoted) are never numbers: they give ``kind='period'``
  rows with ``low``/``high`` = first/last year and ``period`` = ``14th FYP (2021-2025)``.
* Target years: a year preceded by 到/至 (not 截至/不到) or followed by (年底)前, a dated
  ``到 2022 年 6 月`` and ``到“十四五”末`` set ``target_year`` on themselves and on the figures
  after them up to the end of the sentence (。；！？ or a new line) or the next target.
  ``“十四五”期间/时期`` only labels the following figures' ``period``: without tense analysis it
  may describe past achievements, so it sets no target year.
* Counts need a measure word. Bare ``一`` + measure word is an article (一批, 一个, 一件事) and
  bare ``二`` + measure word is ordinal/adjectival (二次开发): neither is a count; ``两期`` is.
  A Chinese numeral right after an opening quote is a slogan (“三个放开”, “五个中心”), not a
  count; ``4 个指标`` is. An Arabic number before 期 is a phase label (浦东科创 1 期), not a count.
* Comparator words next to the number (不低于, 以上, 左右 ...) are part of ``text``; 最高/最多
  separated by a short verb (最高承担 70%) set the comparator but stay outside ``text``.
  近 before a duration (近三年 = the last three years) is not a comparator.
* 余/多/几 after a number mean at_least (30 余家, 10 多家, 十几家 -> 10); 一年多 likewise.
* ``15 日`` alone is a date (day of month); ``30 日内`` is a 30-day duration (at_most).
* Percentage points (个百分点) are ``quantity`` with unit 百分点; 亩 is 10000/15 m2; a
  magnitude before a quantity unit is folded into the value (3 万千瓦 -> 30000 千瓦).
* Durations may also use week, quarter, hour and minute as unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from analysis.coding import figure_units as fu
from analysis.coding.numerals import CN_DIGITS, MAGNITUDES, parse_number, to_halfwidth

# Chinese punctuation that must not be folded to ASCII (a full-width comma is not a
# thousands separator).
_KEEP_FULLWIDTH = "，；：（）！？"
_NO_DATE_KINDS = ("year", "date", "period")
#: Every ``Figure.kind`` and ``Figure.comparator`` this module produces (the figures table's
#: allowed values).
FIGURE_KINDS = ("money", "count", "percent", "area", "duration", "year", "date", "quantity",
                "period")
COMPARATORS = ("exact", "about", "at_least", "at_most")


@dataclass(frozen=True)
class Figure:
    """One figure found in a text; ``text == input[start:end]``.

    ``kind`` is money, count, percent, area, duration, year, date, quantity or period.
    ``value`` is normalised (money in yuan or the foreign currency, area in m2, count with 万
    applied, quantity with 万/亿 applied); for a range it is ``low``. ``unit`` is yuan/USD/...,
    m2, %, year, month, week, day, hour, minute, quarter, count, date or the printed quantity
    unit. ``comparator`` is exact, about, at_least or at_most. A ``period`` row has value None,
    unit year and low/high = the plan's first/last year. ``counted`` is the measure word of a
    count; ``period`` the plan label of a period and of the figures it governs.
    """

    kind: str
    value: float | None
    unit: str
    comparator: str
    low: float | None
    high: float | None
    target_year: int | None
    text: str
    start: int
    end: int
    counted: str = ""
    period: str = ""


def extract_figures(text: str) -> list[Figure]:
    """All figures in ``text``, sorted by start, non-overlapping, offsets into ``text``."""
    work = to_halfwidth(text, keep=_KEEP_FULLWIDTH)
    found: list[Figure] = []
    floor = 0
    for m in fu.start_tokens(work):
        if m.start() < floor:
            continue
        fig = _figure_at(work, text, m, floor)
        if fig is not None:
            found.append(fig)
            floor = fig.end
    return _apply_targets(work, found)


# --------------------------------------------------------------------------- dispatch


def _figure_at(work: str, text: str, m: re.Match[str], floor: int) -> Figure | None:
    """The figure starting at token ``m`` (comparator words may reach back to ``floor``)."""
    start = m.start()
    if m["fyp"]:
        return _period(text, m)
    if _is_ordinal(work, start) or fu.FALSE_COLLOCATIONS.match(work, start):
        return None
    if m["pct"]:
        return _percent_words(work, text, start, floor)
    for build in (_year_range, _date, _ranged, _single, _day_only):
        fig = build(work, text, start, floor)
        if fig is not None:
            return fig
    return None


def _is_ordinal(work: str, start: int) -> bool:
    return work[max(0, start - 3) : start].rstrip().endswith("第")


# --------------------------------------------------------------------------- builders


def _make(text: str, start: int, end: int, **fields: object) -> Figure:
    fields.setdefault("target_year", None)
    return Figure(text=text[start:end], start=start, end=end, **fields)  # type: ignore[arg-type]


def _period(text: str, m: re.Match[str]) -> Figure:
    first, last = fu.fyp_years(m["fyp"])
    n = fu.FYP_NUMBER[m["fyp"][1]]
    label = f"{n}th FYP ({first}-{last})"
    return _make(text, m.start(), m.end(), kind="period", value=None, unit="year",
                 comparator="exact", low=float(first), high=float(last), period=label)


def _year_range(work: str, text: str, start: int, floor: int) -> Figure | None:
    m = fu.YEAR_RANGE.match(work, start)
    if not m or not (fu.is_calendar_year(m["y1"]) and fu.is_calendar_year(m["y2"])):
        return None
    lo, hi = float(m["y1"]), float(m["y2"])
    if lo >= hi:
        return None
    return _make(text, start, m.end(), kind="year", value=lo, unit="year",
                 comparator="exact", low=lo, high=hi)


def _date(work: str, text: str, start: int, floor: int) -> Figure | None:
    m = fu.DATE.match(work, start)
    if not m:
        return None
    if m["y"] and not fu.is_calendar_year(m["y"]):
        return None
    month = fu.token_value(m["mo"])
    day = fu.token_value(m["d"]) if m["d"] else (1.0, 1.0)
    if not month or not day or not (1 <= month[0] <= 12 and 1 <= day[0] <= 31):
        return None
    if month[0] != month[1] or not float(month[0]).is_integer():
        return None
    return _make(text, start, m.end(), kind="date", value=None, unit="date",
                 comparator="exact", low=None, high=None)


def _day_only(work: str, text: str, start: int, floor: int) -> Figure | None:
    """``15 日`` alone is a day of the month; ``30 日内`` is a duration of 30 days."""
    m = fu.DAY_ONLY.match(work, start)
    if not m:
        return None
    v = float(m["d"])
    if m["within"]:
        return _make(text, start, m.end(), kind="duration", value=v, unit="day",
                     comparator="at_most", low=v, high=v)
    if not 1 <= v <= 31 or not v.is_integer():
        return None
    return _make(text, start, m.end(), kind="date", value=None, unit="date",
                 comparator="exact", low=None, high=None)


def _percent_words(work: str, text: str, start: int, floor: int) -> Figure | None:
    """百分之三十 -> 30 %, 千分之五 -> 0.5 %, 百分之十至百分之二十 -> 10..20."""
    m = fu.PERCENT_WORDS.match(work, start)
    if not m:
        return None
    factor = 1.0 if m["w"] == "百" else 0.1
    first = fu.token_value(m["n1"])
    last = fu.token_value(m["n2"]) if m["n2"] else first
    if not first or not last:
        return None
    lo, hi = first[0] * factor, last[1] * factor
    if lo > hi:
        return None
    return _finish(work, text, start, m.end(), floor, kind="percent", unit="%",
                   lo=lo, hi=hi, approx=None)


def _ranged(work: str, text: str, start: int, floor: int) -> Figure | None:
    m = fu.RANGE.match(work, start)
    if not m:
        return None
    spec, word = _unit_of(m)
    if m["u1"] and fu.UNITS[m["u1"]][:2] != spec[:2]:
        return None
    return _measure(work, text, start, floor, m, m["n1"], m["n2"], spec, word)


def _single(work: str, text: str, start: int, floor: int) -> Figure | None:
    m = fu.SINGLE.match(work, start)
    if not m:
        return None
    spec, word = _unit_of(m)
    return _measure(work, text, start, floor, m, m["n"], None, spec, word)


def _unit_of(m: re.Match[str]) -> tuple[fu.UnitSpec, str]:
    word = m["unit"] or m["unitm"]
    return fu.UNITS[word], word


def _measure(work: str, text: str, start: int, floor: int, m: re.Match[str], tok1: str,
             tok2: str | None, spec: fu.UnitSpec, word: str) -> Figure | None:
    """Build a money/count/percent/area/duration/year/quantity figure from a SINGLE/RANGE match."""
    is_year_word = word == "年"
    first = fu.token_value(tok1, digit_string_ok=is_year_word)
    last = fu.token_value(tok2, digit_string_ok=is_year_word) if tok2 else first
    if first is None or last is None:
        return None
    mag = MAGNITUDES[m["mag"]] if m["mag"] else 1.0
    mag1 = mag
    if tok2 is not None and (m["mag1"] or m["u1"]):
        mag1 = MAGNITUDES[m["mag1"]] if m["mag1"] else 1.0
    kind, unit = spec.kind, spec.unit
    if is_year_word:
        calendar = [fu.is_calendar_year(t) and not m["mag"] and not m["ap"] for t in (tok1, tok2)
                    if t]
        if len(set(calendar)) > 1:
            return None
        kind = "year" if calendar[0] else "duration"
    if kind == "count" and not _is_count(work, start, tok1, word):
        return None
    if kind == "duration" and tok1 == "一" and _prev(work, start) in tuple("统唯同万之专单逐每一"):
        return None
    lo, hi = first[0] * mag1 * spec.factor, last[1] * mag * spec.factor
    if lo > hi:
        return None
    counted = word if kind == "count" else ""
    approx = m["ap"] or ("多" if "多" in word else None)
    if tok2 is None and first[0] != first[1]:
        approx = "about"  # a Chinese approximate pair such as 两三年
    return _finish(work, text, start, m.end(), floor, kind=kind, unit=unit, lo=lo, hi=hi,
                   approx=approx, counted=counted)


def _is_count(work: str, start: int, token: str, word: str) -> bool:
    if token in ("一", "二"):
        return False
    if word == "期" and token[0].isdigit():
        return False
    return not (token[0] in CN_DIGITS + "十" and _prev(work, start) in ("“", '"'))


def _prev(work: str, start: int) -> str:
    """The character before ``start`` ("" at the beginning)."""
    return work[start - 1] if start else ""


# --------------------------------------------------------------------------- comparators


def _finish(work: str, text: str, start: int, end: int, floor: int, *, kind: str, unit: str,
            lo: float, hi: float, approx: str | None, counted: str = "") -> Figure:
    """Attach comparator words around the number, then build the figure."""
    comparator = "about" if approx == "about" else "at_least" if approx else "exact"
    if kind == "year":
        return _make(text, start, end, kind=kind, value=lo, unit=unit, comparator=comparator,
                     low=lo, high=hi)
    post = fu.POST_RE.match(work, end)
    if post:
        comparator, end = fu.POST_COMPARATORS[post["w"]], post.end()
    elif kind == "duration" and (tail := fu.DURATION_POST_RE.match(work, end)):
        comparator, end = fu.DURATION_POST[tail["w"]], tail.end()
    window = work[max(floor, start - 6) : start]
    pre = fu.PRE_RE.search(window)
    if pre and not (kind == "duration" and pre["w"] == "近"):
        comparator = fu.PRE_COMPARATORS[pre["w"]]
        start -= len(window) - pre.start()
    elif gapped := fu.GAPPED_PRE.search(work[max(0, start - 6) : start]):
        comparator = fu.PRE_COMPARATORS[gapped["w"]]
    return _make(text, start, end, kind=kind, value=lo, unit=unit, comparator=comparator,
                 low=lo, high=hi, counted=counted)


# --------------------------------------------------------------------------- targets


def _trigger(work: str, fig: Figure) -> tuple[int | None, str]:
    """(target year, period label) a figure passes on to the rest of its sentence."""
    before = work[max(0, fig.start - 6) : fig.start]
    to_before = bool(fu.TARGET_TRIGGER.search(before))
    if fig.kind == "period":
        if to_before and fu.PERIOD_END.match(work, fig.end):
            return int(fig.high or 0), fig.period
        if fu.PERIOD_SPAN.match(work, fig.end):
            return None, fig.period
        return None, ""
    year: int | None = None
    if fig.kind == "year" and fig.low == fig.high:
        year = int(fig.value or 0)
    elif fig.kind == "date":
        m = fu.DATE.match(work, fig.start)
        year = int(parse_number(m["y"])) if m and m["y"] else None
    if year is not None and (to_before or fu.TARGET_AFTER_YEAR.match(work, fig.end)):
        return year, ""
    return None, ""


def _apply_targets(work: str, figures: list[Figure]) -> list[Figure]:
    """Pass each trigger's target year / period label on to the rest of its sentence."""
    out = list(figures)
    for i, fig in enumerate(figures):
        year, label = _trigger(work, fig)
        if year is None and not label:
            continue
        if year is not None:
            out[i] = replace(out[i], target_year=year)
        stop = _sentence_end(work, fig.end)
        for j in range(i + 1, len(figures)):
            nxt = figures[j]
            if nxt.start >= stop or any(_trigger(work, nxt)):
                break
            if nxt.kind not in _NO_DATE_KINDS:
                out[j] = replace(out[j], target_year=year if year is not None else nxt.target_year,
                                 period=label or nxt.period)
    return out


def _sentence_end(work: str, pos: int) -> int:
    for k in range(pos, len(work)):
        if work[k] in fu.SENTENCE_END:
            return k
    return len(work)
