"""Render known items as a bulletin in one of the layout families (tests only): A seed-like
``pdftotext`` (blank line after every printed line, trailing space at a block end, leading space
at a page start), B ``pdftotext`` with form feeds (indented paragraphs, centred titles, running
head and page numbers), C hard-wrapped with blank lines between blocks, D one line per block
with blank lines, E one line per block without. The renderer records each item's pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.ingest.layout import display_width

HEADING_STYLES = ("plain", "一、", "（一）", "【】")
_NUMERALS = "一二三四五六七八九十"
RUNNING_HEAD = "区域政策简报"


@dataclass(frozen=True)
class KnownItem:
    section: str
    title: str
    paragraphs: tuple[str, ...]
    subtitle: str | None = None
    source: str | None = None


@dataclass
class Layout:
    """How to render: family, wrap width (CJK columns), lines per page and the noise."""

    family: str
    width: int = 26
    page_lines: int = 30
    heading_style: str = "plain"
    masthead: bool = False
    page_numbers: bool = False
    running_head: bool = False
    stray_space: bool = False


@dataclass
class Rendered:
    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)  # (first, last) page per item


def heading_line(name: str, k: int, style: str) -> str:
    if style == "一、":
        return f"{_NUMERALS[k]}、{name}"
    if style == "（一）":
        return f"（{_NUMERALS[k]}）{name}"
    if style == "【】":
        return f"【{name}】"
    return name


def wrap(text: str, width: int, first_indent: int = 0) -> list[str]:
    """Hard-wrap at ``width`` CJK columns (ASCII half a column); a break next to a space moves
    by up to seven characters (a line may run a little long, as hanging punctuation does)."""
    lines: list[str] = []
    limit = 2 * (width - first_indent)
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and display_width(text[i:j + 1]) <= limit:
            j += 1
        if j >= len(text):
            lines.append(text[i:])
            break
        for c in (j + d * sign for d in range(8) for sign in (1, -1)):
            if i < c < len(text) and text[c - 1] != " " and text[c] != " ":
                j = c
                break
        lines.append(text[i:j])
        i, limit = j, 2 * width
    return lines


def blocks(items: list[KnownItem], layout: Layout) -> list[tuple[str, str, int | None]]:
    """``(kind, text, item index)`` in reading order."""
    out: list[tuple[str, str, int | None]] = []
    if layout.masthead:
        out += [("front", "区域政策简报", None), ("front", "2020年第9期（合成）", None)]
    section, n = None, 0
    for k, item in enumerate(items):
        if item.section != section:
            out.append(("heading", heading_line(item.section, n, layout.heading_style), None))
            section, n = item.section, n + 1
        out.append(("title", item.title, k))
        if item.subtitle:
            out.append(("subtitle", item.subtitle, k))
        out += [("para", p, k) for p in item.paragraphs]
        if item.source:
            out.append(("source", item.source, k))
    return out


def render(items: list[KnownItem], layout: Layout) -> Rendered:
    """The bulletin text in ``layout.family`` (see module doc)."""
    parts = blocks(items, layout)
    if layout.family in "DE":
        sep = "\n\n" if layout.family == "D" else "\n"
        text, prev = "", None
        for kind, block, _ in parts:
            if text:
                text += "\n" if kind == prev == "front" else sep
            text += block
            prev = kind
        return Rendered(text + "\n", [(None, None)] * len(items))
    if layout.family == "C":
        lines, prev = [], None
        for kind, block, _ in parts:
            if lines and not kind == prev == "front":
                lines.append("")
            lines += wrap(block, layout.width) if kind == "para" else [block]
            prev = kind
        return Rendered("\n".join(lines) + "\n", [(None, None)] * len(items))
    return _paged(parts, items, layout)


def _paged(parts, items, layout: Layout) -> Rendered:
    """Families A and B: printed lines on pages."""
    a = layout.family == "A"
    printed: list[tuple[str, bool, int | None]] = []  # line, ends a block, item
    for kind, block, item in parts:
        if kind == "para":
            indent = 0 if a else 2
            lines = wrap(block, layout.width, indent)
            lines[0] = "　" * indent + lines[0]
        elif kind in ("title", "heading") and not a:
            pad = max(2, (2 * layout.width - display_width(block)) // 2)
            lines = [" " * pad + block]
        else:
            lines = [block]
        printed += [(line, i == len(lines) - 1, item) for i, line in enumerate(lines)]
    pages: list[list[tuple[str, bool, int | None]]] = [[]]
    for entry in printed:
        if len(pages[-1]) >= layout.page_lines:
            pages.append([])
        pages[-1].append(entry)
    spans: dict[int, list[int]] = {}
    out: list[str] = []
    for number, page in enumerate(pages, start=1):
        lines = []
        if layout.running_head:  # on every page (one alone is indistinguishable from text)
            lines.append((" " * 10 + RUNNING_HEAD, True, None))
        lines += page
        if layout.page_numbers:
            lines.append((f"- {number} -" if a else " " * 40 + str(number), True, None))
        for i, (line, end, item) in enumerate(lines):
            if item is not None:
                spans.setdefault(item, []).append(number)
            if a:
                line = line.strip()
                line = (" " if i == 0 else "") + line + (" " if end else "")
                out.append(line + ("\n\n" if i < len(lines) - 1 else "\n"))
            else:
                if layout.stray_space and i == 1 and not line.startswith((" ", "　")):
                    line = " " + line
                out.append(line + "\n")
        if not a:
            out.append("\f")
    pages_of = [(min(spans[k]), max(spans[k])) for k in range(len(items))]
    return Rendered("".join(out), pages_of)
