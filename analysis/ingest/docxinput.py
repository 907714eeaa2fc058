"""A Word ``.docx`` file -> a plain-text rendering the parser reads (python-docx).

Decisions: one line per Word paragraph (its runs joined; a line break inside a paragraph joins
directly), a form feed at an explicit page break (Word keeps
no other pages: without page breaks the bulletin has no page numbers); table cells are rendered
as paragraphs in reading order, so their text is accounted for like any other. A paragraph is
*emphasised* when its style is a heading or title style, when all its text is bold, or when its
type is at least 10% larger than the body type (the size most characters have).
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

from analysis.common.errors import InputError
from analysis.ingest.pdfinput import Rendering

_EMPHASIS_STYLES = ("heading", "title", "subtitle", "标题")


def read_docx(path: Path) -> Rendering:
    """Render a Word document (see module doc); ``InputError`` for a file that is no .docx."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        reason = "not a zip package" if not zipfile.is_zipfile(path) else type(err).__name__
        raise InputError(path, f"not a Word .docx file ({reason})") from None
    paragraphs = [_Para(p) for p in _paragraphs(document)]
    sizes: Counter = Counter()
    for para in paragraphs:
        for text, size, _ in para.runs:
            sizes[size] += len(text)
    body = sizes.most_common(1)[0][0] if sizes else None
    lines: list[str] = []
    emphasised: set[int] = set()
    pending = n_breaks = 0
    for para in paragraphs:
        pending += para.breaks if lines else 0
        n_breaks += para.breaks if lines else 0
        text = para.text.replace("\n", "").replace("\t", " ")
        if not text.strip():
            continue
        lines.append("\f" * pending + text)
        pending = 0
        if para.emphasised(body):
            emphasised.add(len(lines))
    return Rendering("\n".join(lines) + "\n", frozenset(emphasised), "one_per_line",
                     n_breaks + 1 if n_breaks else None)


class _Para:
    """What the rendering needs of one Word paragraph (its style is resolved once: python-docx
    looks styles up anew on every access)."""

    def __init__(self, para) -> None:
        style = para.style
        self.style = (style.name or "").lower()
        size, bold = style.font.size, style.font.bold
        self.text = para.text
        self.runs = [(run.text, (run.font.size or size).pt if (run.font.size or size) else None,
                      bool(run.bold if run.bold is not None else bold))
                     for run in para.runs if run.text.strip()]
        self.breaks = _page_breaks(para)

    def emphasised(self, body: float | None) -> bool:
        if self.style.startswith(_EMPHASIS_STYLES):
            return True
        if not self.runs:
            return False
        if all(bold for _, _, bold in self.runs):
            return True
        return body is not None and all(s is not None and s >= 1.1 * body
                                        for _, s, _ in self.runs)


def _paragraphs(document):
    """Paragraphs of the body in reading order, table cells included."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        else:
            yield block


def _page_breaks(para) -> int:
    """Explicit page breaks before or inside this paragraph."""
    before = 1 if para.paragraph_format.page_break_before else 0
    inside = sum(1 for br in para._p.iter() if br.tag.endswith("}br")
                 and br.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type")
                 == "page")
    return before + inside
