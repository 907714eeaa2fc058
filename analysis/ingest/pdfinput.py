"""A text PDF -> a plain-text rendering the parser reads, with the lines set in emphasised type.

Read with PDFium (``pypdfium2``): it reads the text layer of PDFs that pdfminer/pdfplumber 0.11
return empty (WeasyPrint's, for one: their fonts' encoding CMaps), and gives each character's
box, font size and font name. Decisions:

- the rendering keeps the PDF's printed lines, a blank line between blocks and a form feed
  between pages (the PDF's own pages); it is parsed in ``blank_lines`` mode;
- a block (paragraph, title, heading) ends where the type changes (size or weight), at a
  vertical gap wider than 1.5 lines, before an indented line, or after a line that stops short
  of the right margin and ends a sentence (a line also stops short before a number or word too
  long to fit); a paragraph runs on across a page break, its running head and page number;
- a line is *emphasised* (a title or heading candidate) when its type is bold or at least 10%
  larger than the body type (the size most characters have);
- no text at all: "no text layer" (a scanned PDF needs OCR first); an encrypted or unreadable
  file: one line saying so.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.common.errors import InputError
from analysis.common.text import PARAGRAPH_END
from analysis.ingest.layout import last_meaningful
from analysis.ingest.matter import is_page_number, normalise

_BOLD_NAMES = ("bold", "heavy", "black", "semibold", "demibold", "hei")
_FORCE_BOLD = 1 << 18


@dataclass
class PdfLine:
    """One printed line of a PDF page."""

    text: str
    page: int
    size: float
    bold: bool
    x0: float
    x1: float
    top: float


@dataclass(frozen=True)
class Rendering:
    """Text rendering of a PDF or Word file: ``text``, the 1-based line numbers set in
    emphasised type, and the paragraph mode the parser must use."""

    text: str
    emphasised: frozenset[int]
    mode: str
    n_pages: int | None


def read_pdf(path: Path) -> Rendering:
    """Render a text PDF (see module doc); ``InputError`` for scanned, encrypted or broken
    files."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        message = str(err).lower()
        if "password" in message:
            raise InputError(path, "encrypted PDF (needs a password); save an unencrypted "
                             "copy first") from None
        reason = re.search(r"PDFium: ([^)]*)", str(err))
        raise InputError(path, "broken or not a PDF"
                         + (f" ({reason[1].lower()})" if reason else "")) from None
    try:
        lines = [line for k in range(len(doc)) for line in _page_lines(doc[k], k + 1)]
        n_pages = len(doc)
    finally:
        doc.close()
    if not any(line.text.strip() for line in lines):
        raise InputError(path, "no text layer (a scanned PDF?): run OCR on it first, or give "
                         "the text as a .txt file")
    return _render(lines, n_pages)


def _page_lines(page, number: int) -> list[PdfLine]:
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    out: list[PdfLine] = []
    chars: list[tuple[str, float, bool, tuple[float, float, float, float]]] = []
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    height = page.get_height()

    def flush() -> None:
        text = "".join(c for c, *_ in chars)
        if text.strip():
            visible = [c for c in chars if c[0].strip()]
            boxes = [c[3] for c in visible]
            sizes = Counter(round(c[1], 1) for c in visible)
            out.append(PdfLine(text.strip(), number, sizes.most_common(1)[0][0],
                               sum(c[2] for c in visible) > len(visible) / 2,
                               min(b[0] for b in boxes), max(b[2] for b in boxes),
                               height - max(b[3] for b in boxes)))
        chars.clear()

    for i in range(textpage.count_chars()):
        char = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if char in "\r\n":
            flush()
            continue
        raw.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), ctypes.byref(flags))
        font = name.value.decode("latin-1").lower()
        bold = (raw.FPDFText_GetFontWeight(textpage.raw, i) >= 600
                or any(b in font for b in _BOLD_NAMES) or bool(flags.value & _FORCE_BOLD))
        chars.append((char, raw.FPDFText_GetFontSize(textpage.raw, i), bold,
                      textpage.get_charbox(i)))
    flush()
    textpage.close()
    return out


def _render(lines: list[PdfLine], n_pages: int) -> Rendering:
    body_size = Counter(round(line.size, 1) for line in lines for _ in line.text).most_common(1)
    body = body_size[0][0] if body_size else 0.0
    margin = _margin_lines(lines)
    emphasised = [line.bold or line.size >= 1.1 * body for line in lines]
    plain = [line for k, line in enumerate(lines) if not emphasised[k] and k not in margin]
    plain = plain or lines
    left = min(line.x0 for line in plain)
    right = max(line.x1 for line in plain)
    gaps = [b.top - a.top for a, b in itertools.pairwise(lines)
            if a.page == b.page and b.top > a.top]
    pitch = statistics.median(gaps) if gaps else body * 1.5
    out: list[tuple[str, bool]] = []  # (entry, emphasised); form feeds join the next line
    prev: int | None = None  # the last line of the text (page margins skipped)
    prev_at = 0  # its place in ``out``
    page = 1
    for k, line in enumerate(lines):
        if line.page != page:
            out.append(("\f" * (line.page - page), False))
            page = line.page
        if k not in margin and prev is not None and _new_block(
                lines[prev], line, emphasised[prev] != emphasised[k], left, right, body, pitch):
            out.insert(prev_at + 1, ("", False))  # before the margin lines that follow it
        out.append((line.text, emphasised[k] and k not in margin))
        if k not in margin:
            prev, prev_at = k, len(out) - 1
    text, marked, number = "", set(), 0
    for entry, emphasis in out:
        if entry.startswith("\f"):
            text += entry
            continue
        text += entry + "\n"
        number += 1
        if emphasis:
            marked.add(number)
    return Rendering(text, frozenset(marked), "blank_lines", n_pages)


def _new_block(prev: PdfLine, line: PdfLine, type_change: bool, left: float, right: float,
               body: float, pitch: float) -> bool:
    return (type_change or abs(line.size - prev.size) > 0.5 or line.x0 > left + 0.8 * body
            or (prev.x1 < right - 1.5 * max(prev.size, body)
                and last_meaningful(prev.text) in PARAGRAPH_END)
            or (line.page == prev.page and line.top - prev.top > 1.5 * pitch))


def _margin_lines(lines: list[PdfLine]) -> set[int]:
    """Indices of page numbers and running heads (the first or last line of a page whose text,
    digits ignored, is the first or last line of another page too): they are set on lines of
    their own and never break or join the text's paragraphs."""
    edges: dict[int, list[int]] = {}
    for k, line in enumerate(lines):
        edges.setdefault(line.page, []).append(k)
    candidates = {k for ks in edges.values() for k in (ks[0], ks[-1])}
    candidates |= {ks[1] for ks in edges.values() if len(ks) > 1}
    candidates |= {ks[-2] for ks in edges.values() if len(ks) > 1}

    def key(k: int) -> str:
        return re.sub(r"\d+", "#", normalise(lines[k].text))

    pages: dict[str, set[int]] = {}
    for k in candidates:
        pages.setdefault(key(k), set()).add(lines[k].page)
    return {k for k in candidates
            if is_page_number(lines[k].text) or len(pages[key(k)]) >= 2}
