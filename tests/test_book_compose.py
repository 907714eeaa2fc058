"""The print article composed from the HTML build (analysis.book.compose), on a hand-written
two-level build: page order and nesting, links made internal, figures swapped to their PNG."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from analysis.book.build import BookBuildError
from analysis.book.compose import compose_article, svg_png_pairs, toc_docnames

TOC = """format: jb-book
root: book/intro
parts:
- caption: Report
  chapters:
  - file: book/methods
- caption: Appendices
  chapters:
  - file: book/appendix/items
    sections:
    - file: book/appendix/items/issue-1
"""
# An SVG as a notebook stores it (a list of lines) and the PNG stored beside it.
SVG_LINES = ['<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n', "</svg>\n"]
PNG = b"\x89PNG\r\n\x1a\n-not-really-a-png"


def _page(body: str, title: str = "T") -> str:
    return (f"<html><head><title>{title}</title></head><body><nav>menu</nav>"
            f"<article>{body}</article></body></html>")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = tmp_path
    (root / "_toc.yml").write_text(TOC, encoding="utf-8")
    html = root / "_build" / "html"
    svg_name = hashlib.sha256("\n".join("".join(SVG_LINES).splitlines()).encode()).hexdigest()
    pages = {
        "book/intro": _page('<section id="intro"><h1>Intro</h1>'
                            '<p><a href="methods.html#coding">coding</a> '
                            '<a href="appendix/items.html">items</a> '
                            '<a href="../search.html">search</a> '
                            '<a href="unprinted.html#set-abc">set</a></p>'
                            '<div class="toctree-wrapper compound"></div></section>', "Book"),
        "book/methods": _page('<section id="methods"><h1>Methods</h1>'
                              '<section id="coding"><h2>Coding</h2>'
                              f'<img src="../_images/{svg_name}.svg" alt="fig"/>'
                              '<a href="../_downloads/abc/data.csv">Data (CSV)</a>'
                              '</section></section>'),
        "book/appendix/items": _page('<section id="items"><h1>Items</h1>'
                                     '<div class="toctree-wrapper compound"></div></section>'),
        "book/appendix/items/issue-1": _page(
            '<section id="issue-1"><h1>Issue 1</h1>'
            '<a href="../../methods.html#coding">back</a></section>'
            '<section id="second-top-level"><h1>More</h1></section>'),
    }
    for name, text in pages.items():
        (html / name).parent.mkdir(parents=True, exist_ok=True)
        (html / f"{name}.html").write_text(text, encoding="utf-8")
    (html / "_downloads" / "abc").mkdir(parents=True)
    (html / "_downloads" / "abc" / "data.csv").write_text("a\n1\n", encoding="utf-8")
    data = {"image/svg+xml": SVG_LINES, "image/png": base64.b64encode(PNG).decode(),
            "text/plain": "<Figure>"}
    notebook = {"cells": [{"cell_type": "code",
                           "outputs": [{"output_type": "display_data", "data": data}]}]}
    (root / "book" / "run").mkdir(parents=True)  # an executed case notebook, not a page
    (root / "book" / "run" / "case.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return root


def test_toc_order_and_parents(built: Path) -> None:
    assert toc_docnames(built / "_toc.yml") == [
        ("book/intro", None), ("book/methods", None), ("book/appendix/items", None),
        ("book/appendix/items/issue-1", "book/appendix/items")]


def test_svg_figure_maps_to_its_png(built: Path) -> None:
    (name,) = svg_png_pairs(built)
    assert name.endswith(".svg") and svg_png_pairs(built)[name] == PNG


def test_composed_document(built: Path) -> None:
    doc = compose_article(built, built / "_toc.yml", built / "_build" / "pdf")
    article = doc.find("article")
    assert doc.title.get_text() == "Book" and doc.find("nav") is None
    markers = [s["id"] for s in article.find_all("span", id=True)]
    assert markers == ["document-book/methods", "document-book/appendix/items",
                       "document-book/appendix/items/issue-1"]
    # the per-issue page sits inside its parent page's section, as in singlehtml
    assert doc.find("section", id="issue-1").find_parent("section")["id"] == "items"
    assert doc.find("section", id="second-top-level") is not None  # nothing left behind
    links = {a.get_text(): a.get("href") for a in article.find_all("a")}
    assert links["coding"] == "#coding" and links["back"] == "#coding"
    assert links["items"] == "#document-book/appendix/items"
    assert links["search"] is None  # a page outside the book
    unprinted = article.find("a", string="set")  # a page the PDF does not print
    assert unprinted.get("href") is None and unprinted["data-target"] == "set-abc"
    assert links["Data (CSV)"].startswith("file://") and links["Data (CSV)"].endswith("data.csv")
    (img,) = article.find_all("img")
    assert img["src"].startswith("file://") and img["src"].endswith(".png")
    assert Path(img["src"].removeprefix("file://")).read_bytes() == PNG


def test_missing_page_is_named(built: Path) -> None:
    (built / "_build" / "html" / "book" / "methods.html").unlink()
    with pytest.raises(BookBuildError, match=r"methods\.html is missing"):
        compose_article(built, built / "_toc.yml", built / "_build" / "pdf")


def test_static_files_reach_the_build_even_when_no_page_changed(tmp_path: Path) -> None:
    """Sphinx copies ``_static`` only when it writes a page; the build syncs it after."""
    from analysis.book.build import sync_static

    (tmp_path / "book" / "_static" / "fonts").mkdir(parents=True)
    (tmp_path / "book" / "_static" / "print.css").write_text("a { color: red }")
    (tmp_path / "book" / "_static" / "fonts" / "f.ttf").write_bytes(b"font")
    built = tmp_path / "_build" / "html" / "_static"
    built.mkdir(parents=True)
    (built / "print.css").write_text("a { color: blue }")
    assert sync_static(tmp_path) == ["fonts/f.ttf", "print.css"]
    assert (built / "print.css").read_text() == "a { color: red }"
    assert sync_static(tmp_path) == []
