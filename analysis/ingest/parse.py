"""Bulletin text -> sections and items (title, subtitle, body, sources, pages, spans), and an
account of every line.

The rules (see ``analysis.ingest.layout`` for lines and paragraphs, ``analysis.ingest.matter``
for page furniture, contents and back matter):

- a *section heading* is a one-line paragraph that is a known section name (codebook
  ``sections``), or a numbered or bracketed name (``二、产业动向``, ``（一）区域协同``,
  ``第一部分 地方经验``, ``【政策举措】``) or a short run of Chinese characters (at most 8)
  followed by a title; its name drops the numbering and brackets;
- a *title* is a paragraph of at most 60 characters whose last meaningful character (closing
  quotes skipped) is not punctuation, or a short question or exclamation (``？``/``！``, no
  sentence stop inside) followed (after an optional subtitle) by body text; lines opening with
  a bracket (sources, notes) are never titles. With typography hints (PDF, Word), only
  emphasised paragraphs are titles;
- a *subtitle* is a ``——`` line right after a title; a *source* is a ``（来源：……）`` line, kept
  with its item but not in its body;
- an *item* is a title with the body paragraphs up to the next title or heading, and needs one
  paragraph that ends like a sentence;
- everything before the first item (and its heading) is front matter (masthead).

Every non-blank line gets one role (``ROLES``); lines that fit none are *unassigned* and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from analysis.common.errors import InputError
from analysis.ingest.layout import (
    TERMINAL,
    Line,
    Paragraph,
    last_meaningful,
    paragraph_mode,
    paragraphs,
    split_lines,
)
from analysis.ingest.matter import furniture, is_back_matter, is_page_number

MAX_TITLE_CHARS = 60
MAX_HEADING_CHARS = 8
#: What a non-blank line can be; ``unassigned`` is reported, never dropped silently.
ROLES = ("front matter", "heading", "title", "body", "source", "unassigned")
_HEADING = re.compile(rf"^[\u4e00-\u9fff]{{2,{MAX_HEADING_CHARS}}}$")
_NUM = "一二三四五六七八九十百"
_DECORATED = re.compile(
    rf"^(?:[{_NUM}]+[、．.]|[（(][{_NUM}]+[）)]|第[{_NUM}]+部分|【(?!编者)(?=[^】]+】$))\s*"
    r"(?P<name>[^】]{1,15}?)】?$")
_SOURCE = re.compile(r"^[（(]\s*(?:来源|来源于|资料来源|信息来源|稿源|供稿)\s*[：:].*[）)]$")
_QUESTION_END = "？！?!"


@dataclass
class Item:
    """One bulletin item with its place in the raw text. ``body_paragraphs`` are the subtitle
    (if any) and the body; ``sources`` are attribution lines, outside the body."""

    seq: int
    section: str
    title_paragraph: Paragraph
    paragraphs: list[Paragraph] = field(default_factory=list)
    subtitle: Paragraph | None = None
    sources: list[Paragraph] = field(default_factory=list)

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        return ([self.subtitle] if self.subtitle else []) + self.paragraphs

    @property
    def title(self) -> str:
        return self.title_paragraph.text

    @property
    def body(self) -> str:
        """Body paragraphs (re-joined lines), separated by a newline."""
        return "\n".join(p.text for p in self.body_paragraphs)

    @property
    def source(self) -> str:
        return "\n".join(p.text for p in self.sources)

    @property
    def _last(self) -> Paragraph:
        return ([self.title_paragraph, *self.body_paragraphs, *self.sources])[-1]

    @property
    def start(self) -> int:
        return self.title_paragraph.start

    @property
    def end(self) -> int:
        return self._last.end

    @property
    def page_start(self) -> int | None:
        return self.title_paragraph.page_start

    @property
    def page_end(self) -> int | None:
        return self._last.page_end

    def all_paragraphs(self) -> list[Paragraph]:
        return [self.title_paragraph, *self.body_paragraphs, *self.sources]

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


def is_source(para: Paragraph) -> bool:
    """A source line: ``（来源：……）``."""
    return bool(_SOURCE.match(para.text))


def _opens_with_note(text: str) -> bool:
    return text.startswith(("（", "(", "——")) or text.startswith("【编者")


def is_title(para: Paragraph, hints: set[int] | None = None) -> bool:
    """A short paragraph that does not end in punctuation and does not open with a bracket
    (sources and notes) or a dash (subtitles); with hints, an emphasised short paragraph that
    does not end in a clause or sentence stop."""
    text = para.text
    if not 0 < len(text) <= MAX_TITLE_CHARS or _opens_with_note(text):
        return False
    if is_page_number(text) or is_back_matter(text):
        return False
    if hints is not None:
        return _emphasised(para, hints) and last_meaningful(text) not in "。；，,;、"
    return last_meaningful(text) not in TERMINAL


def _is_question_title(para: Paragraph, hints: set[int] | None = None) -> bool:
    """Without typography hints: a short question or exclamation without clause punctuation
    (with hints, ``is_title`` decides by emphasis)."""
    text = para.text
    return (hints is None and 0 < len(text) <= 45 and last_meaningful(text) in _QUESTION_END
            and not re.search(r"[。；;]", text) and not _opens_with_note(text))


def _emphasised(para: Paragraph, hints: set[int]) -> bool:
    return all(line.number in hints for line in para.lines)


def _is_sentence(para: Paragraph) -> bool:
    return last_meaningful(para.text) in TERMINAL


def heading_name(para: Paragraph, following: Paragraph | None, known: Iterable[str],
                 hints: set[int] | None = None) -> str | None:
    """The section name if ``para`` is a section heading (see module doc), else None."""
    if len(para.lines) != 1 or (hints is not None and not _emphasised(para, hints)):
        return None
    text = re.sub(r"\s", "", para.text)
    if text in set(known):
        return text
    title_follows = following is not None and (
        is_title(following, hints) or _is_question_title(following, hints))
    decorated = _DECORATED.match(text)
    if decorated and last_meaningful(decorated["name"]) not in TERMINAL and title_follows:
        return decorated["name"]
    return text if _HEADING.match(text) and title_follows else None


@dataclass
class ParsedBulletin:
    """Items of one bulletin, how its layout was read and the role of every non-blank line."""

    items: list[Item]
    paragraph_mode: str
    n_pages: int | None
    lines: list[Line] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)
    matter: dict[int, str] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)

    @property
    def unassigned(self) -> list[Line]:
        """Lines that are no heading, title, body, source or front/back matter."""
        return [line for line in self.lines if self.roles.get(line.number) == "unassigned"]

    def chars(self, role: str) -> int:
        """Non-blank characters of the lines with ``role``."""
        return sum(len(re.sub(r"\s", "", line.content)) for line in self.lines
                   if self.roles.get(line.number) == role)

    @property
    def unassigned_chars(self) -> int:
        return self.chars("unassigned")

    def summary(self) -> str:
        """One line: items, pages, characters unassigned (see ``summary_line``)."""
        return summary_line(len(self.items), self.n_pages, self.unassigned_chars)


def summary_line(n_items: int, n_pages: int | None, unassigned_chars: int) -> str:
    """The one-line account of a bulletin that ``items``, ``check``, ``add`` and the build
    print."""
    pages = "no page marks" if n_pages is None else f"{n_pages} pages"
    return f"{n_items} items, {pages}, {unassigned_chars} characters unassigned"


def parse_bulletin(text: str, source: object, known_sections: Iterable[str] = (),
                   hints: set[int] | None = None, mode: str | None = None,
                   paged: bool = False) -> ParsedBulletin:
    """Parse a decoded bulletin (lines, paragraphs, items, roles) once. ``source`` names the file
    in errors; ``hints`` are the line numbers set in emphasised type and ``mode`` the paragraph
    mode, ``paged`` that form feeds mark pages (PDF/Word renderings say these). Raises
    ``InputError`` when no item is recognised."""
    lines = split_lines(text, paged)
    matter = furniture(lines)
    content = [line for line in lines if line.number not in matter]
    mode = mode or paragraph_mode(content)
    paras = paragraphs(content, mode)
    parsed = ParsedBulletin([], mode, _n_pages(lines), lines, {}, matter)
    for number in matter:
        parsed.roles[number] = "front matter"
    _items(paras, parsed, tuple(known_sections), hints)
    if not parsed.items:
        raise InputError(source, "no recognisable bulletin items: expected titles (short lines "
                         "without end punctuation) each followed by body paragraphs that end "
                         f"like sentences; read {len(lines)} lines as {len(paras)} paragraphs "
                         f"({mode.replace('_', ' ')})")
    return parsed


def _n_pages(lines: list[Line]) -> int | None:
    pages = [line.page for line in lines if line.page is not None]
    return max(pages) if pages else None


def parse_items(text: str, source: object, known_sections: Iterable[str] = ()) -> list[Item]:
    """Parse a decoded bulletin into items (see ``parse_bulletin``)."""
    return parse_bulletin(text, source, known_sections).items


def _body_follows(paras: list[Paragraph], k: int, hints: set[int] | None) -> bool:
    """Paragraph ``k`` is followed (after an optional ``——`` subtitle) by a sentence that is no
    title: what makes a question or exclamation a title rather than body text."""
    j = k + 1
    if j < len(paras) and paras[j].text.startswith("——"):
        j += 1
    return j < len(paras) and _is_sentence(paras[j]) and not is_title(paras[j], hints)


def _first_item(paras: list[Paragraph], known: tuple[str, ...], hints: set[int] | None) -> int:
    """Index of the first paragraph of the body (the first item's heading or title): a title
    followed (after an optional subtitle) by a sentence that is no title."""
    for k, para in enumerate(paras):
        if not (is_title(para, hints) or _is_question_title(para, hints)):
            continue
        if _body_follows(paras, k, hints):
            if k and heading_name(paras[k - 1], para, known, hints) is not None:
                return k - 1
            return k
    return 0


def _items(paras: list[Paragraph], parsed: ParsedBulletin, known: tuple[str, ...],
           hints: set[int] | None) -> None:
    start = _first_item(paras, known, hints)
    role_of: dict[int, str] = {}
    for k in range(start):
        role_of[k] = "front matter"
    items: list[Item] = []
    section = ""
    current: Item | None = None
    for k in range(start, len(paras)):
        para = paras[k]
        following = paras[k + 1] if k + 1 < len(paras) else None
        done = current is None or _has_sentences(current)
        name = heading_name(para, following, known, hints)
        if is_back_matter(para.lines[0].content):
            role_of[k] = "front matter"
        elif is_source(para) and current is not None:
            current.sources.append(para)
            role_of[k] = "source"
        elif name is not None:
            section = name
            parsed.sections.append(name)
            current = None
            role_of[k] = "heading"
        elif (para.text.startswith("——") and current is not None and not current.paragraphs
              and current.subtitle is None and not current.sources):
            current.subtitle = para
            role_of[k] = "title"
        elif done and (is_title(para, hints) or (
                _is_question_title(para, hints) and _body_follows(paras, k, hints))):
            current = Item(len(items) + 1, section, para)
            items.append(current)
            role_of[k] = "title"
        elif current is not None and not current.sources:
            current.paragraphs.append(para)
            role_of[k] = "body"
        else:
            role_of[k] = "unassigned"
    kept = [item for item in items if _has_sentences(item)]
    for item in items:
        if item not in kept:  # a title without body text: reported, not silently dropped
            for para in item.all_paragraphs():
                role_of[paras.index(para)] = "unassigned"
    _empty_headings(paras, role_of, {paras.index(item.title_paragraph) for item in kept})
    for seq, item in enumerate(kept, start=1):
        item.seq = seq
    parsed.items = kept
    parsed.sections = list(dict.fromkeys(item.section for item in kept if item.section))
    for k, para in enumerate(paras):
        for line in para.lines:
            parsed.roles[line.number] = role_of[k]
            if role_of[k] == "front matter":
                parsed.matter[line.number] = "masthead" if k < start else "back matter"


def _empty_headings(paras: list[Paragraph], role_of: dict[int, str], titles: set[int]) -> None:
    """A heading with no item before the next heading is no heading: reported unassigned."""
    heading: int | None = None
    for k in sorted(role_of):
        if role_of[k] == "heading" or k == len(paras) - 1:
            if heading is not None and role_of[heading] == "heading":
                role_of[heading] = "unassigned"
            heading = k if role_of[k] == "heading" else None
        elif k in titles:
            heading = None


def _has_sentences(item: Item) -> bool:
    return any(_is_sentence(p) for p in item.paragraphs)
