"""The PDF of the book: singlehtml -> reduced article -> WeasyPrint -> ``_build/pdf/book.pdf``.

WeasyPrint on the full themed page is far too slow (NOTES-toolchain.md), so the one-page
``singlehtml`` build is reduced to its ``<article>`` content and printed with
``book/_static/print.css``, whose ``@font-face`` uses the bundled NotoSansSC TTF for every
element. Before rendering, every visible character of the article must be in that font's cmap
(:func:`analysis.common.fonts.check_text`); after rendering, ``pdffonts`` (Debian
``poppler-utils``) must list only embedded NotoSansSC fonts, i.e. nothing fell back to another
font.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from bs4 import BeautifulSoup, Tag

from analysis.book.build import BookBuildError, prepare, record_time, run_jupyter_book
from analysis.book.front import COVER_FILE, front_html
from analysis.book.printlayout import layout
from analysis.common.atomic import write_text
from analysis.common.fonts import FONT_FILE, MissingGlyphError, check_text

__all__ = [
    "PdfFont",
    "appendix_docnames",
    "build_pdf",
    "pdf_fonts",
    "reduce_singlehtml",
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
    """The elements to drop (one pass over the tree: CSS selectors are slow on a large book)."""
    found = article.find_all(_DROP_TAGS)
    for element in article.find_all(class_=True):
        classes = set(element.get("class") or [])
        if classes & _DROP_CLASSES or ("cell_input" in classes and element.parent is not None
                                       and _HIDDEN_INPUT & set(element.parent.get("class")
                                                               or [])):
            found.append(element)
    return found


@dataclass(frozen=True)
class PdfFont:
    """One row of ``pdffonts``."""

    name: str
    type: str
    embedded: bool


def _entry_page(singlehtml: Path) -> Path:
    """The singlehtml page holding the book: ``index.html`` or the page it redirects to."""
    index = singlehtml / "index.html"
    match = re.search(r'url=([^"\'>\s]+)', index.read_text(encoding="utf-8"))
    return singlehtml / match.group(1) if match else index


def _fix_image_paths(article: Tag, page: Path) -> None:
    """Point every ``<img>`` at its file as an absolute ``file:`` URI.

    The singlehtml builder writes image paths relative to its output root even when the page
    itself is in a subfolder (``book/intro.html`` gets ``_images/x.png``), so try both.
    """
    roots = [page.parent, *page.parents]
    for img in article.find_all("img"):
        src = str(img.get("src", ""))
        if not src or "://" in src or src.startswith("data:"):
            continue
        relative = unquote(src.split("#", 1)[0].split("?", 1)[0])
        found = next((r / relative for r in roots if (r / relative).is_file()), None)
        if found is None:
            raise BookBuildError(f"{page}: image {src} not found")
        img["src"] = found.resolve().as_uri()


def _resolver(page: Path):
    """The file a relative link of the singlehtml ``page`` points to, or None (see
    :func:`_fix_image_paths`: paths are relative to the output root or to the page)."""
    roots = [page.parent, *page.parents]

    def resolve(href: str) -> Path | None:
        relative = unquote(href.split("#", 1)[0].split("?", 1)[0])
        if not relative or "://" in relative:
            return None
        return next((r / relative for r in roots if (r / relative).is_file()), None)

    return resolve


def reduce_singlehtml(page: Path, stylesheet: str, *, cover: Mapping[str, Any] | None = None,
                      appendices: Collection[str] = ()) -> tuple[Path, str]:
    """Write ``page``'s ``<article>`` alone, laid out for print (:mod:`analysis.book.printlayout`)
    and preceded by the cover and table of contents (:mod:`analysis.book.front`, from the
    ``cover`` facts), styled by ``stylesheet``, next to ``page``.

    ``stylesheet`` is a URL relative to ``page``; ``appendices``: docnames of the appendix
    chapters (lettered). Returns the reduced file and its text content.
    """
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    if not isinstance(article, Tag):
        raise BookBuildError(f"{page}: no <article> element to print")
    for element in _screen_only(article):
        if element.parent is not None:  # not already gone with an ancestor
            element.decompose()
    for details in article.find_all("details"):  # hidden outputs are printed open
        if summary := details.find("summary"):
            summary.decompose()
        details.unwrap()
    _fix_image_paths(article, page)
    headings = layout(soup, article, set(appendices), _resolver(page))
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
    reduced = page.with_name(REDUCED_NAME)
    write_text(reduced, str(out))
    return reduced, out.body.get_text()


def appendix_docnames(toc: Path | None) -> list[str]:
    """Docnames of the chapters of the table of contents' part captioned "Appendices"."""
    if toc is None or not Path(toc).is_file():
        return []
    data = yaml.safe_load(Path(toc).read_text(encoding="utf-8")) or {}
    return [str(c["file"]) for part in data.get("parts", [])
            if str(part.get("caption", "")).lower().startswith("appendi")
            for c in part.get("chapters", []) if "file" in c]


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


def build_pdf(root: Path | str, *, fresh: bool = False, toc: Path | str | None = None) -> Path:
    """Build ``<root>/_build/pdf/book.pdf`` and return its path.

    Runs the ``singlehtml`` builder with ``-W`` (``fresh`` re-reads every page; the default
    reuses the environment of a preceding HTML build; ``toc`` as in
    :func:`analysis.book.build.run_jupyter_book`), reduces the page, checks glyph coverage,
    renders with WeasyPrint and verifies the embedded fonts. Records ``pdf_seconds`` (total),
    ``pdf_singlehtml_seconds`` and ``pdf_render_seconds`` in ``_build/build-times.json``.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    root = Path(root).resolve()
    start = time.perf_counter()
    prepare(root)
    singlehtml_seconds = run_jupyter_book(root, "singlehtml", fresh=fresh, toc=toc)
    singlehtml = root / "_build" / "singlehtml"
    page = _entry_page(singlehtml)
    stylesheet = os.path.relpath(singlehtml / "_static" / "print.css", page.parent)
    toc_file = Path(toc) if toc is not None else root / "_toc.yml"
    reduced, text = reduce_singlehtml(page, Path(stylesheet).as_posix(),
                                      cover=_cover_facts(root),
                                      appendices=appendix_docnames(toc_file))
    font = singlehtml / "_static" / "fonts" / FONT_FILE
    if not font.is_file():
        raise BookBuildError(f"{FONT_FILE} was not copied into {font.parent}")
    try:
        check_text(text, font)
    except MissingGlyphError as err:
        raise BookBuildError(f"PDF text: {err}") from None

    render_start = time.perf_counter()
    target = root / "_build" / "pdf" / "book.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(".book.pdf.tmp")
    HTML(filename=str(reduced)).write_pdf(str(tmp), font_config=FontConfiguration())
    os.replace(tmp, target)
    render_seconds = time.perf_counter() - render_start

    verify_pdf_fonts(target)
    record_time(root, "pdf_singlehtml_seconds", singlehtml_seconds)
    record_time(root, "pdf_render_seconds", render_seconds)
    record_time(root, "pdf_seconds", time.perf_counter() - start)
    return target
