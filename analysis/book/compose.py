"""The print article composed from the HTML build (used by :mod:`analysis.book.pdf`).

The PDF used to start from Sphinx's ``singlehtml`` builder: a second Sphinx run over the whole
book (6 s on the seed, 311 s at 120 issues) only to get every page's content in one file. The
HTML build already holds that content, page by page, so :func:`compose_article` joins the
``<article>`` of every page of the table of contents into one page shaped as ``singlehtml``
shapes it (a ``<span id="document-DOCNAME">`` before each page's section; the pages listed under
a page inside its section), for :func:`analysis.book.pdf.reduce_for_print`. Decisions:

* a link to another page of the book becomes an in-document link (``#anchor``, or
  ``#document-DOCNAME`` for the page itself), so citations and source sets are live links in
  the PDF; a link to a page the PDF does not print (search, index, the pages its table of
  contents leaves out) loses its target and keeps the anchor's name in ``data-target``
  (``print.css`` prints a source set's name after its link);
* every other relative link or image (downloads, figures) becomes an absolute ``file:`` URI;
* a figure displayed as SVG in the HTML is printed from the 200 dpi PNG of the same output
  (:mod:`analysis.views.images` stores both): WeasyPrint draws matplotlib's
  glyph-path SVGs slowly. The PNGs are found by the names myst-nb gives output files (the
  SHA-256 of their bytes) and written to ``_build/pdf/images/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import yaml
from bs4 import BeautifulSoup, Tag

from analysis.book.build import BookBuildError
from analysis.common.atomic import write_bytes

__all__ = ["compose_article", "svg_png_pairs", "toc_docnames"]


def toc_docnames(toc: Path) -> list[tuple[str, str | None]]:
    """``(docname, parent docname or None)`` of every page of a Jupyter Book ``_toc.yml``, in
    reading order (root first; ``parts``, ``chapters`` and nested ``sections``)."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8")) or {}
    out: list[tuple[str, str | None]] = [(str(data["root"]), None)]

    def walk(entries: list, parent: str | None) -> None:
        for entry in entries or []:
            if "file" in entry:
                name = str(entry["file"]).removesuffix(".md").removesuffix(".ipynb")
                out.append((name, parent))
                walk(entry.get("sections", []), name)

    chapters = [c for part in data.get("parts", []) for c in part.get("chapters", [])]
    walk(chapters + list(data.get("chapters", [])), None)
    return out


def _notebooks(root: Path) -> Iterator[Path]:
    for path in (root / "book").rglob("*.ipynb"):
        if ".ipynb_checkpoints" not in path.parts:
            yield path


def svg_png_pairs(root: Path) -> dict[str, bytes]:
    """``{SVG file name myst-nb writes: PNG bytes}`` for every output of the book's notebooks
    that carries a figure both as SVG and as PNG. Every notebook under ``book/``, not only the
    pages': a page shows figures glued in the executed case notebooks."""
    pairs: dict[str, bytes] = {}
    for path in _notebooks(root):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, json.JSONDecodeError):
            continue
        for cell in cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                svg, png = data.get("image/svg+xml"), data.get("image/png")
                if svg is None or png is None:
                    continue
                svg = "".join(svg) if isinstance(svg, list) else svg
                png = "".join(png) if isinstance(png, list) else png
                svg_bytes = os.linesep.join(svg.splitlines()).encode("utf-8")  # as myst-nb does
                pairs[hashlib.sha256(svg_bytes).hexdigest() + ".svg"] = base64.b64decode(png)
    return pairs


class _Rewriter:
    """Rewrites the links and images of one page's content for the composed document."""

    def __init__(self, html: Path, docnames: set[str], pngs: dict[str, bytes], images: Path):
        self.html, self.docnames, self.pngs, self.images = html, docnames, pngs, images

    def page(self, content: Tag, docname: str) -> None:
        base = posixpath.dirname(docname)
        for link in content.find_all("a", href=True):
            href = self._target(str(link["href"]), base, link=True)
            if href is None:  # the target is not printed: keep its name for print.css
                fragment = str(link["href"]).partition("#")[2]
                if fragment:
                    link["data-target"] = fragment
                del link["href"]
            else:
                link["href"] = href
        for img in content.find_all("img", src=True):
            src = str(img["src"])
            name = posixpath.basename(unquote(src.split("#", 1)[0]))
            if name in self.pngs:
                target = self.images / (name.removesuffix(".svg") + ".png")
                if not target.is_file():
                    write_bytes(target, self.pngs[name])
                img["src"] = target.resolve().as_uri()
            else:
                img["src"] = self._target(src, base, link=False) or src

    def _target(self, url: str, base: str, link: bool) -> str | None:
        if not url or url.startswith(("#", "data:", "mailto:")) or "://" in url:
            return url
        path, _, fragment = url.partition("#")
        relative = posixpath.normpath(posixpath.join(base, unquote(path.split("?", 1)[0])))
        if link and relative.endswith(".html"):
            docname = relative.removesuffix(".html")
            if docname not in self.docnames:
                return None  # a page outside the book (search, index)
            return f"#{fragment}" if fragment else f"#document-{docname}"
        found = self.html / relative
        return found.resolve().as_uri() if found.exists() else url


def compose_article(root: Path, toc: Path, out_dir: Path) -> BeautifulSoup:
    """The content of every page of ``toc`` from ``root/_build/html`` as one document (see the
    module doc); the PNGs of its figures are written to ``out_dir/images``."""
    html = root / "_build" / "html"
    pages = toc_docnames(toc)
    names = {name for name, _ in pages}
    rewriter = _Rewriter(html, names, svg_png_pairs(root), out_dir / "images")
    doc = BeautifulSoup('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                        '<title></title></head><body><article class="bd-article"></article>'
                        '</body></html>', "html.parser")
    article = doc.find("article")
    holders: dict[str, Tag] = {}
    for docname, parent in pages:
        page = html / f"{docname}.html"
        if not page.is_file():
            raise BookBuildError(f"{page} is missing: build the HTML before the PDF")
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        content = soup.find("article")
        if not isinstance(content, Tag):
            raise BookBuildError(f"{page}: no <article> element to print")
        rewriter.page(content, docname)
        if parent is None and not holders:  # the root page
            doc.title.string = soup.title.get_text() if soup.title else docname
            for child in list(content.children):
                article.append(child.extract())
            holders[docname] = _holder(article)
            continue
        section = content.find("section")
        if not isinstance(section, Tag):
            raise BookBuildError(f"{page}: no <section> element to print")
        into = holders[parent] if parent in holders else holders[pages[0][0]]
        into.append(doc.new_tag("span", attrs={"id": f"document-{docname}"}))
        # a page with several top-level headings has several sections: all of them print
        for part in [section, *section.find_next_siblings("section")]:
            into.append(part.extract())
        holders[docname] = _holder(section)
    return doc


def _holder(section: Tag) -> Tag:
    """Where the pages listed under ``section``'s page go: its (last) table-of-contents
    wrapper, as in ``singlehtml``, else the section itself."""
    wrappers = section.find_all("div", class_="toctree-wrapper")
    return wrappers[-1] if wrappers else section
