"""Make bulletin text inert before it is put into MyST Markdown.

Bulletin titles and bodies are shown in the book as text. Without escaping, a string such as
``<script>``, ``{cite:p}`x```, ``$x$``, ``{{ name }}``, ``[a](b)`` or a line starting with ``#``
would be parsed as HTML, a role, math, a substitution, a link or a heading.

CommonMark lets a backslash escape every ASCII punctuation character, and an escaped character is
always literal text. Escaping all of them (and dropping leading indentation, which would start a
code block) neutralises every Markdown and MyST construct: HTML, roles, directives and fences,
math, substitutions, links, autolinks, comments (``%``), targets, tables, lists, quotes and
headings. Chinese (full-width) punctuation is not Markdown syntax and is left alone.
"""

from __future__ import annotations

import re
import string

__all__ = ["escape_markdown"]

_PUNCTUATION = frozenset(string.punctuation)
# C0/C1 control characters except tab and newline, and the Unicode non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def _escape_run(text: str) -> str:
    """Backslash-escape every ASCII punctuation character of one line."""
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)


def escape_markdown(text: str, *, block: bool = False) -> str:
    """Return ``text`` as MyST Markdown that renders as exactly that text.

    With ``block=False`` (the default) the result is one line, safe inline in a sentence, a list
    item or a table cell: runs of whitespace, line breaks included, become one space.
    With ``block=True`` every non-empty line of ``text`` becomes its own paragraph (the body
    column of ``items.csv`` joins paragraphs with ``\\n``); put the result on its own lines.

    Control characters are removed. ``escape_markdown("")`` is ``""``.
    """
    if not isinstance(text, str):
        raise TypeError(f"escape_markdown expects str, got {type(text).__name__}")
    text = _CONTROL.sub("", text)
    if not block:
        return _escape_run(" ".join(text.split()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(_escape_run(line) for line in lines if line)
