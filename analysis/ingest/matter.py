"""Front and back matter that is not part of any item: page furniture, contents, back matter.

Rules (decisions), applied to single lines before paragraphs are formed:

- a *page number* is a line that is only a number, optionally framed by dashes (``- 3 -``), or
  ``第3页`` / ``3/21`` (full-width digits count);
- a *running head* is a line at the top or bottom (first or last two lines) of a page whose text,
  digits ignored, is found at the top or bottom of at least two pages, and which does not end
  in punctuation (the tail of a paragraph, ``亿元。``, may repeat too);
- a *contents list* starts at a header (``目录``, ``本期目录``, ``要目`` ...) and runs while its
  lines end in a page number after a leader (``……3``) or repeat a line printed later in the file
  (the section names and titles of the body);
- *back matter* lines start with a distribution or editing field (``主送：``, ``报：``,
  ``责任编辑：``) or give the print run (``（共印40份）``).

The masthead is everything before the first heading or item (found by ``analysis.ingest.parse``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from analysis.ingest.layout import TERMINAL, Line, last_meaningful

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—~－]*\s*\d{1,4}\s*[-–—~－]*|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})$")
_CONTENTS_HEADER = re.compile(r"^(?:本期)?(?:目录|要目|导读)$")
_LEADER_ENTRY = re.compile(r"(?:[…\.．·・\-－—_]{2,}|\s{2,})\s*\d{1,4}$")
_BACK_MATTER = re.compile(
    r"^(?:主送|报送|抄送|分送|发送|报|送|发|编辑|责任编辑|主编|编审|审核|审稿|签发|校对|印发|联系人|"
    r"联系电话|电话|地址|邮编)\s*[：:]|^[（(]?\s*共印.{0,8}份\s*[）)]?$")


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC) and all whitespace removed: how furniture is compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_page_number(text: str) -> bool:
    """A line that is only a page number (see module doc)."""
    return bool(_PAGE_NUMBER.match(normalise(text)))


def is_back_matter(text: str) -> bool:
    """A distribution, editing or print-run line (see module doc)."""
    return bool(_BACK_MATTER.match(normalise(text)))


def furniture(lines: list[Line]) -> dict[int, str]:
    """Line numbers of page numbers, running heads and contents lists, with what each is."""
    found: dict[int, str] = {}
    for line in lines:
        if is_page_number(line.content):
            found[line.number] = "page number"
    found.update({n: "running head" for n in _running_heads(lines, found)})
    found.update({n: "contents" for n in _contents(lines, found)})
    return found


def _edges(lines: list[Line], skip: dict[int, str]) -> list[Line]:
    """The first and last two lines of every page (page numbers skipped)."""
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.page is not None and line.number not in skip:
            by_page.setdefault(line.page, []).append(line)
    out: list[Line] = []
    for page_lines in by_page.values():
        out += page_lines[:2] + [x for x in page_lines[-2:] if x not in page_lines[:2]]
    return out


def _running_heads(lines: list[Line], skip: dict[int, str]) -> list[int]:
    edges = _edges(lines, skip)

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", normalise(line.content))

    pages: dict[str, set[int | None]] = {}
    for line in edges:
        pages.setdefault(key(line), set()).add(line.page)
    return [line.number for line in edges if len(pages[key(line)]) >= 2
            and len(re.sub(r"\W", "", key(line))) >= 2
            and last_meaningful(line.content) not in TERMINAL]


def _contents(lines: list[Line], skip: dict[int, str]) -> list[int]:
    rest = [line for line in lines if line.number not in skip]
    later = Counter(normalise(line.content) for line in rest)
    found: list[int] = []
    inside = False
    for line in rest:
        text = normalise(line.content)
        later[text] -= 1
        if _CONTENTS_HEADER.match(text):
            inside = True
            found.append(line.number)
            continue
        if not inside:
            continue
        entry = _LEADER_ENTRY.search(unicodedata.normalize("NFKC", line.content))
        if entry or later[text] > 0:
            found.append(line.number)
        else:
            inside = False
    return found


def counted_lines(lines: list[Line], numbers: set[int]) -> int:
    """Non-blank characters on the lines with these numbers."""
    return sum(len(re.sub(r"\s", "", line.content)) for line in lines if line.number in numbers)

