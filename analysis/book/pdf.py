"""The PDF of the book: HTML build -> one composed article -> WeasyPrint -> ``_build/pdf/book.pdf``.

WeasyPrint on the full themed pages is far too slow (NOTES-toolchain.md), so the content of
every page of the HTML build is composed into one document (:mod:`analysis.book.compose`),
reduced to its ``<article>`` and printed with
``book/_static/print.css``, whose ``@font-face`` uses the bundled NotoSansSC TTF for every
element. Before rendering, every visible character of the article must be in that font's cmap
(:func:`analysis.common.fonts.check_text`); after rendering, ``pdffonts`` (Debian
``poppler-utils``) must list only embedded NotoSansSC fonts, i.e. nothing fell back to another
font.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml
from bs4 import BeautifulSoup, Tag

from analysis.book.build import BookBuildError, record_time
from analysis.book.front import COVER_FILE, front_html
from analysis.book.printlayout import layout
from analysis.common.atomic import write_text
from analysis.common.fonts import FONT_FILE, MissingGlyphError, check_text

__all__ = [
    "PdfFont",
    "appendix_docnames",
    "build_pdf",
    "pdf_fonts",
    "reduce_for_print",
    "verify_pdf_fonts",
]

FONT_MARK = "NotoSansSC"
REDUCED_NAME = "_pdf-article.html"
# Screen-only elements of the article: permalinks, buttons, scripts, thebe config.
_DROP_TAGS = ["script", "style", "link", "noscript", "button"]
_DROP_CLASSES = {"headerlink", "toggle-details", "sd-summary-up", "tag_hide-cell"}
# Code inputs that are hidden on screen are left out of the PDF (inputs of cells tagged so).
_HIDDEN_INPUT = {"tag_hide-input", "tag_remove-input"}


def _screen_only(article: Tag) -> list[Tag]:
    """The elements to drop (one pass over the tree: CSS selectors are slow on a large book):
    screen-only tags and classes, and the code inputs of cells tagged hidden (also when the
    input sits in a ``<details>`` of its cell)."""
    found = article.find_all(_DROP_TAGS)
    for element in article.find_all(class_=True):
        classes = set(element.get("class") or [])
        if classes & _DROP_CLASSES:
            found.append(element)
        elif "cell_input" in classes:
            cell = element.find_parent(class_="cell")
            if cell is not None and _HIDDEN_INPUT & set(cell.get("class") or []):
                found.append(element)
    return found


def _unwrap_cell_paragraphs(article: Tag) -> None:
    """``<td><p>x</p></td>`` -> ``<td>x</td>`` (``print.css`` gives such paragraphs no margin):
    the same page with one box less per cell for WeasyPrint to lay out."""
    for cell in article.find_all(["td", "th"]):
        children = [c for c in cell.contents if not (isinstance(c, str) and not c.strip())]
        if len(children) == 1 and isinstance(children[0], Tag) and children[0].name == "p" \
                and not children[0].attrs:
            children[0].unwrap()


@dataclass(frozen=True)
class PdfFont:
    """One row of ``pdffonts``."""

    name: str
    type: str
    embedded: bool


def _check_images(article: Tag, page: Path) -> None:
    """Every ``<img>`` of the composed ``page`` points at an existing file (a missing image
    would print its alt text)."""
    for img in article.find_all("img"):
        src = str(img.get("src", ""))
        if src.startswith("data:"):
            continue
        if _local_file(src) is None:
            raise BookBuildError(f"{page}: image {src} not found")


def _local_file(href: str) -> Path | None:
    """The existing file a ``file:`` URI names (the composed page's links and images are
    absolute: :mod:`analysis.book.compose`), else None."""
    if not href.startswith("file://"):
        return None
    path = Path(unquote(urlparse(href).path))
    return path if path.is_file() else None


def reduce_for_print(soup: BeautifulSoup, reduced: Path, stylesheet: str, *,
                     cover: Mapping[str, Any] | None = None,
                     appendices: Collection[str] = (),
                     parts: Mapping[str, str] | None = None) -> str:
    """Write the ``<article>`` of the composed document ``soup`` (changed in place) alone to
    ``reduced``, laid out for print (:mod:`analysis.book.printlayout`) and preceded by the
    cover and table of contents (:mod:`analysis.book.front`, from the ``cover`` facts), styled
    by ``stylesheet`` (a URL).

    ``appendices``: docnames of the appendix chapters (lettered); ``parts``: the part captions
    by their first chapter (:func:`part_starts`). Returns the text content.
    """
    article = soup.find("article")
    if not isinstance(article, Tag):
        raise BookBuildError("the composed book has no <article> element to print")
    for element in _screen_only(article):
        if element.parent is not None:  # not already gone with an ancestor
            element.decompose()
    for details in article.find_all("details"):  # hidden outputs are printed open
        if summary := details.find("summary"):
            summary.decompose()
        details.unwrap()
    _unwrap_cell_paragraphs(article)
    _check_images(article, reduced)
    headings = layout(soup, article, set(appendices), _local_file, parts)
    title = soup.title.get_text(strip=True) if soup.title else "Book"
    title = title.split(" — ")[0].split(" - ")[0].strip() or title
    out = BeautifulSoup(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title></title>'
        '<link rel="stylesheet"></head><body></body></html>',
        "html.parser",
    )
    out.title.string = title
    out.link["href"] = stylesheet
    out.body.append(BeautifulSoup(front_html(title, cover or {}, headings), "html.parser"))
    out.body.append(article)
    write_text(reduced, str(out))
    return out.body.get_text()


def toc_parts(toc: Path | None) -> list[tuple[str, list[str]]]:
    """``(caption, chapter docnames)`` of each part of the table of contents, in order."""
    if toc is None or not Path(toc).is_file():
        return []
    data = yaml.safe_load(Path(toc).read_text(encoding="utf-8")) or {}
    return [(str(part.get("caption", "")),
             [str(c["file"]) for c in part.get("chapters", []) if "file" in c])
            for part in data.get("parts", [])]


def appendix_docnames(toc: Path | None) -> list[str]:
    """Docnames of the chapters of the table of contents' part captioned "Appendices"."""
    return [name for caption, chapters in toc_parts(toc)
            if caption.lower().startswith("appendi") for name in chapters]


def part_starts(toc: Path | None) -> dict[str, str]:
    """``{docname of a part's first chapter: the part's caption}``: the printed contents name
    the parts (Report, Provinces, Scenarios, Appendices) as the HTML sidebar does."""
    return {chapters[0]: caption for caption, chapters in toc_parts(toc)
            if caption and chapters}


def _cover_facts(root: Path) -> dict[str, Any]:
    path = root / "book" / "_generated" / COVER_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _poppler(tool: str) -> str:
    """Path of a poppler-utils program, or a clear error naming the Debian package."""
    found = shutil.which(tool)
    if not found:
        raise BookBuildError(f"{tool} not found: install the Debian package poppler-utils")
    return found


def pdf_fonts(pdf: Path) -> list[PdfFont]:
    """The fonts of ``pdf`` as listed by ``pdffonts``."""
    result = subprocess.run(
        [_poppler("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    header = lines[0]
    type_at, emb_at = header.index("type"), header.index("emb")
    rows = []
    for line in lines[2:]:
        if line.strip():
            rows.append(
                PdfFont(
                    name=line[:type_at].strip(),
                    type=line[type_at : header.index("encoding")].strip(),
                    embedded=line[emb_at : emb_at + 3].strip() == "yes",
                )
            )
    return rows


def verify_pdf_fonts(pdf: Path) -> list[PdfFont]:
    """Require an embedded NotoSansSC font and no other (fallback or unembedded) font."""
    fonts = pdf_fonts(pdf)
    if not any(FONT_MARK in font.name and font.embedded for font in fonts):
        raise BookBuildError(f"{pdf}: no embedded {FONT_MARK} font (pdffonts: {fonts})")
    others = [font for font in fonts if FONT_MARK not in font.name or not font.embedded]
    if others:
        raise BookBuildError(f"{pdf}: fonts other than embedded {FONT_MARK}: {others}")
    return fonts


def build_pdf(root: Path | str, *, toc: Path | str | None = None) -> Path:
    """Build ``<root>/_build/pdf/book.pdf`` from the HTML build and return its path.

    Composes the pages of ``toc`` (default ``root/_toc.yml``) from ``_build/html``
    (:func:`analysis.book.compose.compose_article`: the HTML must be built and current),
    reduces the result for print, checks glyph coverage, renders with WeasyPrint and verifies
    the embedded fonts. Records ``pdf_seconds`` (total), ``pdf_compose_seconds`` and
    ``pdf_render_seconds`` in ``_build/build-times.json``.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from analysis.book.compose import compose_article

    root = Path(root).resolve()
    start = time.perf_counter()
    toc_file = Path(toc).resolve() if toc is not None else root / "_toc.yml"
    html = root / "_build" / "html"
    out_dir = root / "_build" / "pdf"
    composed = compose_article(root, toc_file, out_dir)
    stylesheet = (html / "_static" / "print.css").resolve().as_uri()
    reduced = out_dir / REDUCED_NAME
    text = reduce_for_print(composed, reduced, stylesheet, cover=_cover_facts(root),
                            appendices=appendix_docnames(toc_file),
                            parts=part_starts(toc_file))
    font = html / "_static" / "fonts" / FONT_FILE
    if not font.is_file():
        raise BookBuildError(f"{FONT_FILE} was not copied into {font.parent}")
    try:
        check_text(text, font)
    except MissingGlyphError as err:
        raise BookBuildError(f"PDF text: {err}") from None
    compose_seconds = time.perf_counter() - start

    render_start = time.perf_counter()
    target = out_dir / "book.pdf"
    tmp = target.with_name(".book.pdf.tmp")
    HTML(filename=str(reduced)).write_pdf(str(tmp), font_config=FontConfiguration())
    os.replace(tmp, target)
    render_seconds = time.perf_counter() - render_start

    verify_pdf_fonts(target)
    record_time(root, "pdf_compose_seconds", compose_seconds)
    record_time(root, "pdf_render_seconds", render_seconds)
    record_time(root, "pdf_seconds", time.perf_counter() - start)
    return target
