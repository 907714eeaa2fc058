"""A text PDF -> a plain-text rendering the parser reads, with the lines set in emphasised type.

Read with PDFium (``pypdfium2``): it reads the text layer of PDFs that pdfminer/pdfplumber 0.11
return empty (WeasyPrint's, for one: their fonts' encoding CMaps), and gives each character's
box, font size and font name. Decisions:

- the rendering keeps the PDF's printed lines, a blank line between blocks and a form feed
  between pages (the PDF's own pages); it is parsed in ``blank_lines`` mode;
- a block (paragraph, title, heading) ends where the type changes (size or weight), at a
  vertical gap wider than 1.5 lines, before an indented line, or after a line that stops short
  of the right margin; a paragraph runs on across a page break when nothing of this happens;
- a line is *emphasised* (a title or heading candidate) when its type is bold or at least 10%
  larger than the body type (the size most characters have);
- no text at all: "no text layer" (a scanned PDF needs OCR first); an encrypted or unreadable
  file: one line saying so.
"""

from __future__ import annotations

import ctypes
import itertools
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analysis.common.errors import InputError

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
        raise InputError(path, f"broken or not a PDF ({str(err).split(':')[0]})") from None
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
    emphasised = [line.bold or line.size >= 1.1 * body for line in lines]
    plain = [line for line, e in zip(lines, emphasised, strict=True) if not e] or lines
    left = min(line.x0 for line in plain)
    right = max(line.x1 for line in plain)
    gaps = [b.top - a.top for a, b in itertools.pairwise(lines)
            if a.page == b.page and b.top > a.top]
    pitch = statistics.median(gaps) if gaps else body * 1.5
    out: list[str] = []
    marked: set[int] = set()
    for k, line in enumerate(lines):
        if k:
            prev = lines[k - 1]
            new_page = line.page != prev.page
            ends = (emphasised[k] != emphasised[k - 1] or abs(line.size - prev.size) > 0.5
                    or line.x0 > left + 0.8 * body
                    or prev.x1 < right - 1.5 * max(prev.size, body)
                    or (not new_page and line.top - prev.top > 1.5 * pitch))
            if new_page:
                out.append("\f" * (line.page - prev.page))
            if ends:
                out.append("")
        out.append(line.text)
        if emphasised[k]:
            marked.add(_line_number(out))
    return Rendering(_join(out), frozenset(marked), "blank_lines", n_pages)


def _line_number(out: list[str]) -> int:
    """1-based line number of the last entry of ``out`` once joined (form feeds join the next
    line, they are not lines of their own)."""
    return sum(1 for entry in out if not entry.startswith("\f"))


def _join(out: list[str]) -> str:
    text = ""
    for entry in out:
        text += entry if entry.startswith("\f") else entry + "\n"
    return text
