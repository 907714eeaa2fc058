"""Print layout of the reduced singlehtml article (used by :mod:`analysis.book.pdf`).

The singlehtml builder nests every chapter one level deeper than the root page (chapter titles
come out as ``<h3>``, sections as ``<h4>``), so :func:`layout` rewrites the heading levels:
each chapter's title becomes ``<h1>``, its sections ``<h2>``, deeper ones ``<h3>``/``<h4>``;
``print.css`` numbers them (chapters 1, 2, ...; appendix chapters A, B, ...), starts each
chapter on a new page, sets the running header from the ``<h1>`` and derives the PDF's
bookmarks from the headings. It also

* drops the screen table of contents (the PDF prints its own, :mod:`analysis.book.front`);
* moves elements classed ``pdf-front`` (the executive summary) before the first chapter;
* removes elements classed ``pdf-omit`` (long reference tables the PDF carries as attached
  CSV files instead; the page says so next to the table);
* turns every download link to a CSV file into a PDF attachment (``rel="attachment"``), so the
  data of every figure and reference table travels inside the PDF;
* wraps table cells' ids and Chinese words so that lines break only between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from analysis.book.front import Heading

__all__ = ["layout"]

#: A run of characters never broken across lines in a table cell: an id or key
#: (``bulletin-2020-09-01``, ``jiangsu_rank_digital_government``) or a short Chinese term
#: standing alone (a section name such as 科创聚焦, a keyword between 、, a province name).
#: Longer Chinese text (titles) may break between any two characters, as Chinese print does.
_UNBREAKABLE = re.compile(r"[A-Za-z0-9][\w.:/-]*[_-][\w.:/-]*[A-Za-z0-9]"
                          r"|(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,6}(?![\u4e00-\u9fff])")


def _chapters(article: Tag) -> list[tuple[Tag, str]]:
    """``(section, docname)`` of the root page and of every chapter, in order."""
    root = article.find("section")
    out: list[tuple[Tag, str]] = [(root, "")] if isinstance(root, Tag) else []
    for marker in article.select('span[id^="document-"]'):
        chapter = marker.find_next_sibling()
        if isinstance(chapter, Tag) and chapter.name == "section":
            out.append((chapter, str(marker["id"]).removeprefix("document-")))
    return out


def _relevel(article: Tag) -> None:
    """Heading level = 1 + sections between the heading's section and its chapter."""
    for heading in article.find_all(re.compile(r"^h[1-6]$")):
        depth, node = 0, heading.parent
        while isinstance(node, Tag) and node is not article:
            if node.name == "section":
                if "pdf-chapter" in (node.get("class") or []):
                    break
                depth += 1
            node = node.parent
        if isinstance(node, Tag) and node is not article:
            heading.name = f"h{min(depth + 1, 4)}"


def _headings(article: Tag) -> list[Heading]:
    out = []
    for heading in article.find_all(["h1", "h2"]):
        section = heading.find_parent("section")
        anchor = section.get("id") if section is not None else None
        if anchor:
            out.append(Heading(int(heading.name[1]), str(anchor), heading.get_text(" ",
                                                                                   strip=True)))
    return out


def _wrap_unbreakable(soup: BeautifulSoup, article: Tag) -> None:
    for cell in article.select("td, th"):
        for text in list(cell.find_all(string=True)):
            if not isinstance(text, NavigableString) or \
                    "nobr" in (text.parent.get("class") or []):
                continue
            value = str(text)
            if not _UNBREAKABLE.search(value):
                continue
            pieces: list[object] = []
            at = 0
            for match in _UNBREAKABLE.finditer(value):
                pieces.append(value[at:match.start()])
                span = soup.new_tag("span", attrs={"class": "nobr"})
                span.string = match.group(0)
                pieces.append(span)
                at = match.end()
            pieces.append(value[at:])
            for piece in pieces:
                if piece:
                    text.insert_before(piece)
            text.extract()


def _attachments(article: Tag, resolve: Callable[[str], Path | None]) -> int:
    count = 0
    for link in article.select("a.download, a[download]"):
        href = str(link.get("href", ""))
        if not href.lower().endswith(".csv"):
            continue
        found = resolve(href)
        if found is not None:
            link["href"] = found.resolve().as_uri()
            link["rel"] = "attachment"
            count += 1
    return count


def layout(soup: BeautifulSoup, article: Tag, appendices: Collection[str],
           resolve: Callable[[str], Path | None]) -> list[Heading]:
    """Rewrite ``article`` for print (see the module doc); return its chapter and section
    headings for the table of contents. ``appendices``: docnames of the appendix chapters;
    ``resolve``: the file a relative link points to, or None."""
    for element in article.select(".toctree-wrapper > ul, .toctree-wrapper > p.caption, "
                                  "div.toctree-wrapper > nav, .pdf-omit"):
        element.decompose()
    for n, (chapter, docname) in enumerate(_chapters(article)):
        extra = ["pdf-front-matter"] if n == 0 else \
            ["pdf-appendix"] if docname in appendices else []
        chapter["class"] = [*chapter.get("class", []), "pdf-chapter", *extra]
    _relevel(article)
    root = article.find("section")
    front = article.select(".pdf-front")
    for element in reversed(front):
        element.extract()
        if isinstance(root, Tag):
            root.insert_before(element)
    _wrap_unbreakable(soup, article)
    _attachments(article, resolve)
    return _headings(article)
