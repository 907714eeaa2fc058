"""escape_markdown: every ASCII punctuation character escaped, text otherwise unchanged.

The real proof (a strict Jupyter Book build of hostile text) is in test_book_build.py; here the
MyST parser itself shows that escaped text parses to plain text only.
"""

from __future__ import annotations

import string

import pytest
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.mdit_to_docutils.base import DocutilsRenderer
from myst_parser.parsers.mdit import create_md_parser

from analysis.common.escape import escape_markdown

HOSTILE = [
    '<script>alert("x")</script>',
    "{cite:p}`key` {eval}`1+1` {{ title }}",
    "$x^2$ and $$y$$",
    "[link](javascript:alert(1)) ![img](x.png) <https://example.com> https://example.com",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "```{raw} html",
    ":::{note}",
    "% comment",
    "(target)=",
    "+++",
    "| a | b |",
    "**bold** _em_ ~~strike~~ &amp; a\\",
    string.punctuation,
]


def _inline_types(markdown: str) -> set[str]:
    """Token types produced by the MyST parser (extensions as in _config.yml)."""
    config = MdParserConfig(
        enable_extensions={"colon_fence", "dollarmath", "linkify", "substitution"}
    )
    parser = create_md_parser(config, DocutilsRenderer)
    types: set[str] = set()

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            types.add(token.type)
            walk(token.children or [])

    walk(parser.parse(markdown))
    return types


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_parses_to_plain_text(text: str) -> None:
    for markdown in (escape_markdown(text), escape_markdown(text, block=True)):
        types = _inline_types(markdown)
        assert types <= {"paragraph_open", "paragraph_close", "inline", "text", "text_special"}, (
            text,
            types,
        )


def test_every_ascii_punctuation_is_escaped() -> None:
    assert escape_markdown(string.punctuation) == "".join("\\" + c for c in string.punctuation)


def test_chinese_text_and_fullwidth_punctuation_unchanged() -> None:
    text = "上海实施全国首个专利知识产权储架资产证券化项目（ABS）：１．０５亿元，“首单”。"
    assert escape_markdown(text) == text.replace("(", "\\(").replace(")", "\\)")


def test_inline_collapses_whitespace_and_drops_control_characters() -> None:
    assert escape_markdown("  a\n\n b\tc\x00\x1b  ") == "a b c"
    assert escape_markdown("") == ""


def test_block_makes_one_paragraph_per_line_without_indentation() -> None:
    assert escape_markdown("第一段\n\n    第二段 #\n", block=True) == "第一段\n\n第二段 \\#"


def test_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        escape_markdown(None)  # type: ignore[arg-type]
