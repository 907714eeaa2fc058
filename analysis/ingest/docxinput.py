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
    paragraphs = list(_paragraphs(document))
    sizes = Counter()
    for para in paragraphs:
        for run in para.runs:
            sizes[_size(run, para)] += len(run.text)
    body = sizes.most_common(1)[0][0] if sizes else None
    lines: list[str] = []
    emphasised: set[int] = set()
    pending = n_breaks = 0
    for para in paragraphs:
        breaks = _page_breaks(para)
        pending += breaks if lines else 0
        n_breaks += breaks if lines else 0
        text = para.text.replace("\n", "").replace("\t", " ")
        if not text.strip():
            continue
        lines.append("\f" * pending + text)
        pending = 0
        if _emphasised(para, body):
            emphasised.add(len(lines))
    return Rendering("\n".join(lines) + "\n", frozenset(emphasised), "one_per_line",
                     n_breaks + 1 if n_breaks else None)


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


def _size(run, para) -> float | None:
    size = run.font.size or para.style.font.size
    return size.pt if size is not None else None


def _bold(run, para) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    return bool(para.style.font.bold)


def _emphasised(para, body: float | None) -> bool:
    style = (para.style.name or "").lower()
    if style.startswith(_EMPHASIS_STYLES):
        return True
    runs = [run for run in para.runs if run.text.strip()]
    if not runs:
        return False
    if all(_bold(run, para) for run in runs):
        return True
    sizes = [_size(run, para) for run in runs]
    return body is not None and all(s is not None and s >= 1.1 * body for s in sizes)


def _page_breaks(para) -> int:
    """Explicit page breaks before or inside this paragraph."""
    before = 1 if para.paragraph_format.page_break_before else 0
    inside = sum(1 for br in para._p.iter() if br.tag.endswith("}br")
                 and br.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type")
                 == "page")
    return before + inside
