"""Tests for analysis.coding.numerals: full-width folding and number parsing."""

from __future__ import annotations

import pytest

from analysis.coding.numerals import parse_number, to_halfwidth


def test_to_halfwidth_folds_digits_letters_and_percent() -> None:
    assert to_halfwidth("１２０亿元，占１５％，ＩＰｖ６") == "120亿元,占15%,IPv6"


def test_to_halfwidth_is_one_to_one() -> None:
    text = "总投资　１．０５亿元（约１２０％）"
    folded = to_halfwidth(text)
    assert len(folded) == len(text)
    assert folded == "总投资 1.05亿元(约120%)"
    assert to_halfwidth("") == ""


def test_to_halfwidth_keeps_requested_characters() -> None:
    assert to_halfwidth("１００，２００；（３）", keep="，；（）") == "100，200；（3）"


def test_to_halfwidth_leaves_chinese_alone() -> None:
    assert to_halfwidth("一百二十亿元。“十四五”") == "一百二十亿元。“十四五”"


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("120", 120),
        ("1.05", 1.05),
        ("1,000", 1000),
        ("12,345.5", 12345.5),
        ("１２０", 120),
        ("１．５", 1.5),
        ("1.5万", 15000),
        ("3 亿", 3e8),
        ("1.05亿", 1.05e8),
        ("2万亿", 2e12),
        ("5千万", 5e7),
        ("1万2千", 12000),
        ("三", 3),
        ("十", 10),
        ("两千", 2000),
        ("一百二十", 120),
        ("一百二十亿", 120e8),
        ("三千五百万", 35e6),
        ("一千零五", 1005),
        ("一点五", 1.5),
        ("一点五亿", 1.5e8),
        ("二〇二〇", 2020),
        ("零", 0),
    ],
)
def test_parse_number(token: str, value: float) -> None:
    assert parse_number(token) == pytest.approx(value)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("abc", "not numerals"),
        ("十四五", "十四五"),
        ("万", "no digit"),
        ("百分之", "not numerals"),
        ("一点", "dangling decimal point"),
        ("1,00", "not numerals"),
        ("1.2.3", "1.2.3"),
        ("5G", "not numerals"),
    ],
)
def test_parse_number_rejects_garbage(token: str, message: str) -> None:
    with pytest.raises(ValueError, match="not a number") as err:
        parse_number(token)
    assert message in str(err.value)
