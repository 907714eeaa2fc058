"""Number parsing for Chinese policy text: full-width folding and Arabic / Chinese numerals.

Chinese numerals are converted with ``cn2an`` (never ``pycnnum``, which silently gives wrong
values). Both helpers are small and pure so the figure extractor can rely on them.
"""

from __future__ import annotations

import functools
import re

# Full-width ASCII block U+FF01..U+FF5E maps 1:1 onto U+0021..U+007E; U+3000 is the ideographic
# space. Every mapping is one character to one character, so offsets survive the folding.
_FULLWIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"

MAGNITUDES: dict[str, float] = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
}

CN_DIGITS = "〇零一二两三四五六七八九"
CN_NUMERAL_CHARS = CN_DIGITS + "十百千万亿点"

_ARABIC = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s?(?P<mag>"
    + "|".join(sorted(MAGNITUDES, key=len, reverse=True))
    + r")?"
)
_CHINESE = re.compile(rf"[{CN_NUMERAL_CHARS}]+")
_DECIMAL_MAGNITUDE = re.compile(r"(?P<head>[^点]+点[^万亿]+)(?P<mag>万亿|亿|万)")
_MIXED = re.compile(rf"[\d.{CN_NUMERAL_CHARS}]+")


def to_halfwidth(s: str, keep: str = "") -> str:
    """Fold full-width ASCII (``１２０％``) and the ideographic space to half-width, 1:1.

    The result has exactly the same length as ``s`` and every character keeps its position, so
    offsets found in the result index the original string. Characters listed in ``keep`` (for
    example Chinese punctuation such as ``，；``) are left untouched.
    """
    table, foldable = _halfwidth_table(keep)
    # Most text has nothing to fold: one C-level scan is much cheaper than a dict-based
    # translate over every character.
    return s.translate(table) if foldable.search(s) else s


@functools.lru_cache(maxsize=16)
def _halfwidth_table(keep: str) -> tuple[dict[int, int], re.Pattern[str]]:
    """The translation table for ``keep`` and a pattern finding any character it changes."""
    table = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
    table[ord(_IDEOGRAPHIC_SPACE)] = ord(" ")
    for ch in keep:
        table.pop(ord(ch), None)
    foldable = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")
    return table, foldable


def parse_number(token: str) -> float:
    """Parse one number token into a float.

    Accepts Arabic numerals with thousands commas and decimals (``1,000``, ``1.05``), an Arabic
    number with a Chinese magnitude (``1.5万`` -> 15000, ``3 亿`` -> 3e8), Chinese numerals
    (``一百二十``, ``两千``, ``十``, ``一点五``, ``二〇二〇``) and mixed forms cn2an understands
    (``1万2千``). Full-width digits are folded first.

    Raises:
        ValueError: the token is empty or not a number (``十四五``, ``万``, ``abc``).

    Results (and error messages) are cached per token: bulletins repeat the same tokens.
    """
    result = _parse_number_cached(token)
    if isinstance(result, str):
        raise ValueError(result)
    return result


@functools.lru_cache(maxsize=16384)
def _parse_number_cached(token: str) -> float | str:
    """:func:`_parse_number`'s value, or its error message."""
    try:
        return _parse_number(token)
    except ValueError as err:
        return str(err)


def _parse_number(token: str) -> float:
    """:func:`parse_number` without the cache."""
    raw = token
    s = to_halfwidth(token).strip()
    if not s:
        raise ValueError(f"not a number: {raw!r} is empty")
    m = _ARABIC.fullmatch(s)
    if m:
        value = float(m["num"].replace(",", ""))
        return value * MAGNITUDES[m["mag"]] if m["mag"] else value
    if _CHINESE.fullmatch(s):
        return _parse_chinese(s, raw)
    if _MIXED.fullmatch(s):
        return _cn2an(s, "smart", raw)
    raise ValueError(f"not a number: {raw!r} contains characters that are not numerals")


def _parse_chinese(s: str, raw: str) -> float:
    """Parse an all-Chinese numeral; it must hold a digit and may not start or end with 点."""
    if not any(ch in CN_DIGITS + "十" for ch in s):
        raise ValueError(f"not a number: {raw!r} has a magnitude but no digit")
    if s.startswith("点") or s.endswith("点"):
        raise ValueError(f"not a number: {raw!r} has a dangling decimal point 点")
    # cn2an rejects a decimal followed by a magnitude (一点五亿): split the magnitude off.
    m = _DECIMAL_MAGNITUDE.fullmatch(s)
    if m:
        return _cn2an(m["head"], "normal", raw) * MAGNITUDES[m["mag"]]
    return _cn2an(s, "normal", raw)


def _cn2an(s: str, mode: str, raw: str) -> float:
    """cn2an, imported on first use: it takes about 0.15 s, and every command line and every
    notebook kernel imports this module (through the table schemas) without converting."""
    import cn2an

    try:
        return float(cn2an.cn2an(s, mode))
    except (ValueError, KeyError, IndexError) as err:
        raise ValueError(f"not a number: {raw!r} ({err})") from None
