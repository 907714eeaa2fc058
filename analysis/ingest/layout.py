"""Lines and paragraphs of a bulletin, with offsets back into the raw text.

The layout is read from the file itself, never assumed (decisions):

- **pages**: form feeds (``pdftotext``) when the file has any; else a page starts at a line that
  begins with exactly one ASCII space, when the file's first line or at least two lines do (the
  seed's ``pdftotext`` convention); else the file has no pages.
- **paragraph ends** (``paragraph_mode``): trailing whitespace when 5-90% of lines carry it and
  the others are wrapped lines (the seed); else a file whose lines are not hard-wrapped (few
  lines within 3 characters of the common full width) has one paragraph per line (a
  word-processor export); a hard-wrapped file marks paragraph ends with blank lines (when at
  least 3 and not after every line), or else by the printed lines themselves: a line shorter
  than the full width, or a next line that is indented or opens a subtitle (``——``), a source
  line or an editor's note, ends a paragraph; where paragraphs are not indented, so does a
  title-like line that announces what follows.
- page furniture (``analysis.ingest.matter``) is set aside before paragraphs are formed, so a
  paragraph runs on across a page break, its running head and page number.
- re-joined lines get nothing between them (a number or word split by the wrap comes back
  whole; in-line spaces are kept as printed).
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
_WS = " \t\u3000\f"
#: How a file marks paragraph ends (see ``paragraph_mode``).
PARAGRAPH_MODES = ("trailing_space", "blank_lines", "line_width", "one_per_line")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Lines that open a block of their own: a subtitle, a source line, an editor's note.
_OPENS_BLOCK = re.compile(r"^(?:——|[（(](?:来源|资料来源|信息来源|编者注|编者按)|【编者)")
#: Punctuation that never opens a line of its own sentence (a wrap put it there).
_CLOSING = "。，、；：！？）」』”’》〉】…,.;:!?)"


@dataclass(frozen=True)
class Line:
    """One non-blank line: ``content`` is stripped; ``start``/``end`` locate it in the raw text;
    ``indent`` is the printed width of its leading whitespace."""

    content: str
    start: int
    end: int
    number: int
    page: int | None
    hard_end: bool
    blank_after: bool
    indent: int = 0

    @property
    def width(self) -> int:
        """Printed width of the line, indentation included."""
        return self.indent + display_width(self.content)


@dataclass
class Paragraph:
    """Lines joined into one paragraph, with a map from joined offsets to raw offsets."""

    lines: list[Line]
    text: str = ""
    _joined: list[int] = field(default_factory=list)
    _raw: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        pos = 0
        for line in self.lines:
            self._joined.append(pos)
            self._raw.append(line.start)
            pos += len(line.content)
        self.text = "".join(line.content for line in self.lines)

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
        """Raw offset and page of the character at joined ``offset``."""
        i = bisect.bisect_right(self._joined, offset) - 1
        line = self.lines[i]
        return min(self._raw[i] + offset - self._joined[i], line.end), line.page


def last_meaningful(text: str) -> str:
    """The last character of ``text`` that is not a closing quote/bracket or space."""
    stripped = text.rstrip().rstrip(CLOSERS + " ")
    return stripped[-1:] if stripped else ""


def display_width(text: str) -> int:
    """Printed width: 2 for a CJK (non-ASCII) character, 1 for ASCII."""
    return sum(1 if ch.isascii() else 2 for ch in text)


def _indent_width(text: str) -> int:
    return sum(2 if ch == "\u3000" else 4 if ch == "\t" else 1 for ch in text)


def split_lines(text: str, paged: bool = False) -> list[Line]:
    """Non-blank lines with offsets, pages (None when the file has no page marks), indentation
    and the trailing-whitespace and blank-after flags (a line holding only a form feed is a
    page break, not a blank line). ``paged``: form feeds mark pages even
    when there is none (a one-page PDF rendering)."""
    raw: list[tuple[str, int]] = []
    pos = 0
    for match in _LINE_BREAK.finditer(text):
        raw.append((text[pos:match.start()], pos))
        pos = match.end()
    if pos < len(text):
        raw.append((text[pos:], pos))
    blank = [not body.strip(_WS) for body, _ in raw]
    pages = _page_rule(raw, blank, paged or "\f" in text)
    lines: list[Line] = []
    page = 1
    for k, (body, start) in enumerate(raw):
        page += body.count("\f") if pages == "formfeed" else 0
        if blank[k]:
            continue
        if pages == "space" and lines and body[:1] == " " and body[1:2] not in _WS:
            page += 1
        lead = body[body.rfind("\f") + 1:] if "\f" in body else body
        right = lead.rstrip(_WS)
        content = right.lstrip(_WS)
        c_start = start + len(body) - len(lead) + len(right) - len(content)
        lines.append(Line(content, c_start, c_start + len(content), k + 1,
                          page if pages else None, len(right) < len(lead.rstrip("\f")),
                          k + 1 < len(raw) and blank[k + 1] and "\f" not in raw[k + 1][0],
                          _indent_width(right[:len(right) - len(content)])))
    return lines


def _page_rule(raw: list[tuple[str, int]], blank: list[bool], formfeed: bool) -> str | None:
    """``formfeed``, ``space`` (leading-space page starts) or None (no pages)."""
    if formfeed:
        return "formfeed"
    bodies = [body for (body, _), b in zip(raw, blank, strict=True) if not b]
    marked = [b for b in bodies if b[:1] == " " and b[1:2] not in _WS]
    if marked and (bodies[0] in marked or len(marked) >= 2) and len(marked) <= len(bodies) / 2:
        return "space"
    return None


def full_width(lines: list[Line]) -> int:
    """The common printed width of a full (wrapped) line: the 75th percentile of widths."""
    widths = sorted(line.width for line in lines)
    return widths[(len(widths) * 3) // 4] if widths else 0


def hard_wrapped(lines: list[Line]) -> bool:
    """True when at least a third of the lines are within 3 characters (6 half-width columns)
    of the common full width (the 75th percentile): a printed, hard-wrapped text. Lines of a
    word-processor export, one paragraph each, vary far more."""
    if len(lines) < 3:
        return False
    width = full_width(lines)
    return sum(abs(line.width - width) <= 6 for line in lines) >= len(lines) / 3


def paragraph_mode(lines: list[Line]) -> str:
    """How this file marks paragraph ends (one of ``PARAGRAPH_MODES``, see module doc).
    Trailing whitespace counts as a mark when 5-90% of lines carry it and the other lines
    rarely finish a sentence (they are wrapped lines, not stray spaces after paragraphs)."""
    if not lines:
        return "one_per_line"
    marked = [line for line in lines if line.hard_end]
    unmarked = [line for line in lines if not line.hard_end]
    finished = sum(last_meaningful(line.content) in PARAGRAPH_END for line in unmarked)
    if (len(marked) >= 2 and 0.05 <= len(marked) / len(lines) < 0.9
            and finished < 0.3 * len(unmarked)):
        return "trailing_space"
    if not hard_wrapped(lines):
        return "one_per_line"
    blank = sum(line.blank_after for line in lines)
    if blank >= 3 and 0.02 < blank / len(lines) < 0.7:
        return "blank_lines"
    return "line_width"


def _ends_paragraph(lines: list[Line], k: int, mode: str, width: int, indents: bool,
                    single: bool) -> bool:
    """Does line ``k`` end its paragraph? ``single``: it is the paragraph's first line."""
    line = lines[k]
    nxt = lines[k + 1] if k + 1 < len(lines) else None
    if nxt is None or mode == "one_per_line":
        return True
    if mode == "trailing_space":
        return line.hard_end
    if mode == "blank_lines":
        return line.blank_after
    if _OPENS_BLOCK.match(nxt.content) and (not nxt.content.startswith("——") or (
            single and not re.search(r"[，。；,;]", line.content + nxt.content))):
        return True  # a subtitle (a clause-free dash line after a one-line title), a source
    if nxt.indent > 1 or line.width < 0.85 * width:
        return True
    # a full line that finishes a sentence, followed by a short one-line title or heading
    if (last_meaningful(line.content) in PARAGRAPH_END and nxt.width < 0.85 * width
            and last_meaningful(nxt.content) not in TERMINAL):
        return True
    # where paragraphs start indented, a line followed by an unindented one goes on
    return not indents and _stands_alone(lines, k)


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


#: Minimum ``title_novelty`` for a line to stand alone as a title in ``line_width`` mode.
NOVELTY_THRESHOLD = 0.25


def _stands_alone(lines: list[Line], k: int) -> bool:
    """``line_width`` mode, a full-looking line: it is a paragraph of its own when it is
    heading-like, or when it has no clause punctuation, follows a finished paragraph and
    announces what follows (a title as wide as the text)."""
    content = lines[k].content
    if k + 1 < len(lines) and lines[k + 1].content[:1] in _CLOSING:
        return False  # the wrap split a sentence: no title is followed by a stop
    if _is_heading_text(content):
        return True
    if re.search(r"[，、；：。（(,;]", content) or len(content) > 60:
        return False
    prev = lines[k - 1].content if k else ""
    if k and last_meaningful(prev) not in PARAGRAPH_END and not _is_heading_text(prev):
        return False
    return title_novelty(lines, k) >= NOVELTY_THRESHOLD


def paragraphs(lines: list[Line], mode: str | None = None) -> list[Paragraph]:
    """Group lines into paragraphs using the file's paragraph marking (see ``paragraph_mode``)."""
    mode = mode or paragraph_mode(lines)
    width = full_width(lines)
    indents = sum(line.indent > 1 for line in lines) >= 0.1 * len(lines)
    out: list[Paragraph] = []
    current: list[Line] = []
    for k, line in enumerate(lines):
        current.append(line)
        if _ends_paragraph(lines, k, mode, width, indents, len(current) == 1):
            out.append(Paragraph(current))
            current = []
    return out
