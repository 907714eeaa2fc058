"""Lines and paragraphs of a printed bulletin, with offsets back into the raw text.

A bulletin as extracted from print is hard-wrapped: each printed line is one text line (often
with a blank line after every line). Three facts of the layout are used:

- a page starts at a line that begins with a space (the page marker);
- a line with trailing whitespace ends a paragraph (a hard return in the original), when the file
  marks paragraph ends that way; otherwise blank lines separate paragraphs when they do not follow
  every line; otherwise a line ending in sentence-final punctuation ends a paragraph;
- re-joined lines get no space between them, except between two Latin letters.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from analysis.common.text import PARAGRAPH_END

#: A paragraph whose last character is one of these is body text, never a title.
TERMINAL = PARAGRAPH_END + "，,、"
#: Closing quotes and brackets skipped when looking for the last meaningful character.
CLOSERS = "”’」』）)】》〉\"'"
_WS = " \t\u3000"
#: How a file marks paragraph ends (see ``paragraph_mode``).
PARAGRAPH_MODES = ("trailing_space", "blank_lines", "punctuation")


@dataclass(frozen=True)
class Line:
    """One non-empty line: ``content`` is stripped; ``start``/``end`` locate it in the raw text."""

    content: str
    start: int
    end: int
    number: int
    page: int | None
    hard_end: bool
    blank_after: bool


@dataclass
class Paragraph:
    """Lines joined into one paragraph, with a map from joined offsets to raw offsets."""

    lines: list[Line]
    text: str = ""
    _joined: list[int] = field(default_factory=list)
    _raw: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts: list[str] = []
        pos = 0
        for line in self.lines:
            if parts and _needs_space(parts[-1], line.content):
                parts.append(" ")
                pos += 1
            self._joined.append(pos)
            self._raw.append(line.start)
            parts.append(line.content)
            pos += len(line.content)
        self.text = "".join(parts)

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    @property
    def page_start(self) -> int | None:
        return self.lines[0].page

    @property
    def page_end(self) -> int | None:
        return self.lines[-1].page

    def locate(self, offset: int) -> tuple[int, int | None]:
        """Raw offset and page of the character at joined ``offset`` (a joining space maps to
        the start of the following line)."""
        i = bisect.bisect_right(self._joined, offset) - 1
        line = self.lines[i]
        return min(self._raw[i] + offset - self._joined[i], line.end), line.page


def _needs_space(left: str, right: str) -> bool:
    a, b = left[-1:], right[:1]
    return a.isascii() and a.isalpha() and b.isascii() and b.isalpha()


def last_meaningful(text: str) -> str:
    """The last character of ``text`` that is not a closing quote/bracket or space."""
    stripped = text.rstrip().rstrip(CLOSERS + " ")
    return stripped[-1:] if stripped else ""


def split_lines(text: str) -> list[Line]:
    """Non-empty lines with offsets, pages (None when the file has no page markers) and the
    trailing-whitespace and blank-after flags."""
    raw: list[tuple[str, int]] = []
    pos = 0
    for chunk in text.splitlines(keepends=True):
        raw.append((chunk.rstrip("\r\n"), pos))
        pos += len(chunk)
    blank = [not body.strip() for body, _ in raw]
    n_lines = len(raw) - sum(blank)
    marked = sum(1 for (body, _), b in zip(raw, blank, strict=True) if not b and body[:1] == " ")
    use_pages = 0 < marked <= n_lines / 2
    lines: list[Line] = []
    page = 1
    for k, (body, start) in enumerate(raw):
        if blank[k]:
            continue
        if use_pages and body[:1] == " " and lines:
            page += 1
        right = body.rstrip(_WS)
        content = right.lstrip(_WS)
        c_start = start + len(right) - len(content)
        lines.append(Line(content, c_start, c_start + len(content), k + 1,
                          page if use_pages else None, len(right) < len(body),
                          k + 1 < len(raw) and blank[k + 1]))
    return lines


def paragraph_mode(lines: list[Line]) -> str:
    """How this file marks paragraph ends: ``trailing_space``, ``blank_lines`` or
    ``punctuation``."""
    if not lines:
        return "punctuation"
    hard = sum(line.hard_end for line in lines) / len(lines)
    if 0.02 < hard < 0.9:
        return "trailing_space"
    blank = sum(line.blank_after for line in lines) / len(lines)
    if 0.02 < blank < 0.7:
        return "blank_lines"
    return "punctuation"


def display_width(text: str) -> int:
    """Printed width: 2 for a CJK (non-ASCII) character, 1 for ASCII."""
    return sum(1 if ch.isascii() else 2 for ch in text)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _is_heading_text(text: str) -> bool:
    return 2 <= len(text) <= 8 and not re.search(r"[^\u4e00-\u9fff]", text)


def title_novelty(lines: list[Line], k: int, window: int = 130) -> float:
    """How much line ``k`` announces what follows rather than continues what came before:
    the share of its character bigrams found in the next ``window`` characters minus the share
    found in the previous ``window`` characters. A title restates its lead sentence (high); a
    wrapped body line continues its paragraph's topic (low)."""
    own = _bigrams(lines[k].content)
    if not own:
        return 0.0
    before = "".join(line.content for line in lines[max(0, k - 6) : k])[-window:]
    after = "".join(line.content for line in lines[k + 1 : k + 7])[:window]
    return (len(own & _bigrams(after)) - len(own & _bigrams(before))) / len(own)


#: Minimum ``title_novelty`` for a line to stand alone as a title in punctuation mode.
NOVELTY_THRESHOLD = 0.25


def _stands_alone(lines: list[Line], k: int) -> bool:
    """Punctuation mode: a line is a paragraph of its own when it is heading-like, or when it
    has no clause punctuation, follows a finished paragraph and announces what follows."""
    content = lines[k].content
    if _is_heading_text(content):
        return True
    if re.search(r"[，、；：。（(,;]", content) or len(content) > 60:
        return False
    prev = lines[k - 1].content if k else ""
    if k and last_meaningful(prev) not in PARAGRAPH_END and not _is_heading_text(prev):
        return False
    return title_novelty(lines, k) >= NOVELTY_THRESHOLD


def _ends_paragraph(lines: list[Line], k: int, mode: str) -> bool:
    line = lines[k]
    if mode == "trailing_space":
        return line.hard_end
    if mode == "blank_lines":
        return line.blank_after
    return last_meaningful(line.content) in PARAGRAPH_END or _stands_alone(lines, k)


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Group lines into paragraphs using the file's paragraph marking (see ``paragraph_mode``)."""
    mode = paragraph_mode(lines)
    out: list[Paragraph] = []
    current: list[Line] = []
    for k, line in enumerate(lines):
        current.append(line)
        if _ends_paragraph(lines, k, mode):
            out.append(Paragraph(current))
            current = []
    if current:
        out.append(Paragraph(current))
    return out
