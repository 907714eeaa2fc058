"""Bulletin text -> sections and items (title, body, pages, spans).

The rules (see ``analysis.ingest.layout`` for lines and paragraphs):

- a *section heading* is a one-line paragraph that is a known section name (codebook
  ``sections``) or a short run of Chinese characters (at most 8, no punctuation or digits)
  followed by a title;
- a *title* is a paragraph of at most 60 characters whose last meaningful character (closing
  quotes skipped) is not sentence punctuation; body paragraphs end in punctuation;
- an *item* is a title with the body paragraphs up to the next title or heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.common.errors import InputError
from analysis.ingest.layout import (
    TERMINAL,
    Paragraph,
    last_meaningful,
    paragraph_mode,
    paragraphs,
    split_lines,
)

MAX_TITLE_CHARS = 60
MAX_HEADING_CHARS = 8
_HEADING = re.compile(rf"^[\u4e00-\u9fff]{{2,{MAX_HEADING_CHARS}}}$")


@dataclass
class Item:
    """One bulletin item with its place in the raw text."""

    seq: int
    section: str
    title_paragraph: Paragraph
    body_paragraphs: list[Paragraph]

    @property
    def title(self) -> str:
        return self.title_paragraph.text

    @property
    def body(self) -> str:
        """Body paragraphs (re-joined lines), separated by a newline."""
        return "\n".join(p.text for p in self.body_paragraphs)

    @property
    def start(self) -> int:
        return self.title_paragraph.start

    @property
    def end(self) -> int:
        last = self.body_paragraphs[-1] if self.body_paragraphs else self.title_paragraph
        return last.end

    @property
    def page_start(self) -> int | None:
        return self.title_paragraph.page_start

    @property
    def page_end(self) -> int | None:
        last = self.body_paragraphs[-1] if self.body_paragraphs else self.title_paragraph
        return last.page_end

    def locate_body(self, offset: int) -> tuple[int, int | None]:
        """Raw offset and page of the character at ``offset`` in ``body``."""
        for para in self.body_paragraphs:
            if offset <= len(para.text):
                return para.locate(min(offset, max(len(para.text) - 1, 0)))
            offset -= len(para.text) + 1
        raise IndexError(offset)

    def body_span(self, start: int, end: int) -> tuple[int, int, int | None]:
        """Raw ``(start, end, page)`` of the body slice ``body[start:end]`` (``end > start``)."""
        raw_start, page = self.locate_body(start)
        raw_last, _ = self.locate_body(end - 1)
        return raw_start, raw_last + 1, page


def is_title(para: Paragraph) -> bool:
    """A short paragraph that does not end in sentence punctuation and does not open with a
    bracket (bracketed lines are notes and sources: （来源：……）)."""
    text = para.text
    return (0 < len(text) <= MAX_TITLE_CHARS and last_meaningful(text) not in TERMINAL
            and not text.startswith(("（", "(")))


def _has_sentences(item: Item) -> bool:
    return any(last_meaningful(p.text) in TERMINAL for p in item.body_paragraphs)


def is_heading(para: Paragraph, following: Paragraph | None, known: Iterable[str]) -> bool:
    """A section heading: a known name, or a short all-Chinese line followed by a title."""
    text = para.text.replace(" ", "")
    if len(para.lines) != 1:
        return False
    if text in set(known):
        return True
    return bool(_HEADING.match(text)) and following is not None and is_title(following)


@dataclass
class ParsedBulletin:
    """Items of one bulletin and how its layout was read."""

    items: list[Item]
    paragraph_mode: str
    n_pages: int | None


def parse_bulletin(text: str, source: object, known_sections: Iterable[str] = ()) -> ParsedBulletin:
    """Parse a decoded bulletin (lines, paragraphs, items) once. ``source`` names the file in
    errors; raises ``InputError`` when no item can be recognised."""
    lines = split_lines(text)
    items = _items(paragraphs(lines), source, tuple(known_sections))
    pages = [line.page for line in lines if line.page is not None]
    return ParsedBulletin(items, paragraph_mode(lines), max(pages) if pages else None)


def parse_items(text: str, source: object, known_sections: Iterable[str] = ()) -> list[Item]:
    """Parse a decoded bulletin into items (see ``parse_bulletin``)."""
    return parse_bulletin(text, source, known_sections).items


def _items(paras: list[Paragraph], source: object, known: tuple[str, ...]) -> list[Item]:
    items: list[Item] = []
    section = ""
    current: Item | None = None
    for k, para in enumerate(paras):
        following = paras[k + 1] if k + 1 < len(paras) else None
        if is_heading(para, following, known):
            section = para.text.replace(" ", "")
            current = None
        elif is_title(para) and (current is None or _has_sentences(current)):
            # a title-like line right after a title (a subtitle, a dateline) joins its body
            current = Item(len(items) + 1, section, para, [])
            items.append(current)
        elif current is not None:
            current.body_paragraphs.append(para)
    # An item needs body text: at least one paragraph that ends like a sentence. This drops
    # masthead lines (issue number, editor) that look like a title followed by more titles.
    items = [item for item in items if _has_sentences(item)]
    for seq, item in enumerate(items, start=1):
        item.seq = seq
    if not items:
        raise InputError(source, "no recognisable bulletin items (no title followed by body text)")
    return items
