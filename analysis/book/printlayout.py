"""Print layout of the composed article (:mod:`analysis.book.compose`, used by
:mod:`analysis.book.pdf`).

Every page of the book keeps its own heading levels in the composed article, nested in the
root page's section, so :func:`layout` rewrites the heading levels:
each chapter's title becomes ``<h1>``, its sections ``<h2>``, deeper ones ``<h3>``/``<h4>``;
the chapters and sections are numbered in their headings' text (1, 1.1, ...; appendix
chapters A, A.1, ...), so the contents, bookmarks and running header carry the numbers;
``print.css`` starts each chapter on a new page, sets the running header from the ``<h1>``
and derives the PDF's bookmarks from ``<h1>``/``<h2>``. It also

* makes the pages listed under a chapter's page (per-issue items and bibliography) its
  sections (B.1, G.1), not chapters;
* makes repeated section ids unique (each province chapter has ``#overview``);
* drops the screen table of contents (the PDF prints its own, :mod:`analysis.book.front`);
* moves elements classed ``pdf-front`` (the executive summary) before the first chapter and
  lists the first one in the contents under its title;
* names the parts of the table of contents (Report, Provinces, ...) in the printed contents,
  before their first chapters (a line without a page number; the bookmarks keep chapters);
* removes elements classed ``pdf-omit`` (long reference tables the PDF carries as attached
  CSV files instead; the page says so next to the table);
* prints only the last :data:`~analysis.views.markdown.LISTING_PRINT_ROWS` rows of a listing
  (a table that grows with the issues: a province's items, figures, issues), followed by a
  line saying how many rows the HTML book shows; many issues in, a province's lists made up
  most of its chapter;
* turns every download link to a CSV file into a PDF attachment (``rel="attachment"``), so the
  data of every figure and reference table travels inside the PDF;
* wraps table cells' ids and Chinese words so that lines break only between them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from analysis.book.front import Heading
from analysis.views.markdown import LISTING_CLASS, LISTING_PRINT_ROWS

__all__ = ["layout"]

#: Attribute of a chapter's section that starts a part: the part's caption.
PART_ATTRIBUTE = "data-part"

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
    for marker in article.find_all("span", id=re.compile(r"^document-")):
        chapter = marker.find_next_sibling()
        if isinstance(chapter, Tag) and chapter.name == "section":
            out.append((chapter, str(marker["id"]).removeprefix("document-")))
    # A page listed under a chapter's page (the per-issue pages of the coded items and of the
    # bibliography) is nested in that chapter's section: it is a section of it (B.1), not a
    # chapter of its own.
    sections = {id(section) for section, _ in out[1:]}
    return out[:1] + [(section, name) for section, name in out[1:]
                      if not any(id(p) in sections for p in section.parents)]


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


def _number(soup: BeautifulSoup, article: Tag) -> None:
    """Put the number in front of every chapter (1, 2, ...; appendices A, B, ...) and section
    (1.1, A.1) heading, as text: the contents, the bookmarks and the running header show it."""
    chapter_no = appendix_no = sections = 0
    for heading in article.find_all(["h1", "h2"]):
        chapter = heading.find_parent("section", class_="pdf-chapter")
        classes = chapter.get("class") or [] if chapter is not None else []
        if chapter is None or "pdf-front-matter" in classes:
            continue
        if heading.name == "h1":
            if "pdf-appendix" in classes:
                appendix_no += 1
                number = chr(ord("A") + appendix_no - 1)
                label = f"Appendix {number}"
            else:
                chapter_no += 1
                number = label = str(chapter_no)
            chapter["data-number"] = number
            sections = 0
        else:
            sections += 1
            label = f"{chapter.get('data-number', '?')}.{sections}"
        span = soup.new_tag("span", attrs={"class": "pdf-number"})
        span.string = label
        heading.insert(0, " ")
        heading.insert(0, span)


def _unique_ids(article: Tag) -> None:
    """Pages repeat section ids (every province has ``#overview``): give
    each repeat a suffix so the contents and bookmarks point at the right section."""
    seen: dict[str, int] = {}
    for element in article.find_all("section", id=True):
        anchor = str(element["id"])
        if anchor in seen:
            seen[anchor] += 1
            element["id"] = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 1


def _headings(article: Tag) -> list[Heading]:
    out = []
    for heading in article.find_all(["h1", "h2"]):
        section = heading.find_parent("section")
        anchor = section.get("id") if section is not None else None
        if anchor and heading.name == "h1" and section.get(PART_ATTRIBUTE):
            out.append(Heading(0, str(anchor), str(section[PART_ATTRIBUTE])))
        if anchor:
            out.append(Heading(int(heading.name[1]), str(anchor), heading.get_text(" ",
                                                                                   strip=True)))
    return out


def _wrap_unbreakable(soup: BeautifulSoup, article: Tag) -> None:
    for cell in article.find_all(["td", "th"]):
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
    for link in article.find_all("a", href=re.compile(r"\.csv$", re.IGNORECASE)):
        href = str(link.get("href", ""))
        if not href.lower().endswith(".csv"):
            continue
        found = resolve(href)
        if found is not None:
            link["href"] = found.resolve().as_uri()
            link["rel"] = "attachment"
            count += 1
    return count


def _shorten_listings(soup: BeautifulSoup, article: Tag) -> int:
    """Keep the last :data:`LISTING_PRINT_ROWS` body rows of every listing's table and say so
    after it; return how many tables were shortened."""
    count = 0
    for listing in article.find_all("div", class_=LISTING_CLASS):
        for table in listing.find_all("table"):
            body = table.find("tbody") or table
            rows = body.find_all("tr", recursive=False)
            if len(rows) <= LISTING_PRINT_ROWS:
                continue
            for row in rows[:len(rows) - LISTING_PRINT_ROWS]:
                row.decompose()
            note = soup.new_tag("p", attrs={"class": "listing-note"})
            note.string = (f"Printed here: the last {LISTING_PRINT_ROWS} of {len(rows)} rows "
                           f"(the HTML book lists all {len(rows)}).")
            table.insert_after(note)
            count += 1
    return count


def layout(soup: BeautifulSoup, article: Tag, appendices: Collection[str],
           resolve: Callable[[str], Path | None],
           parts: Mapping[str, str] | None = None) -> list[Heading]:
    """Rewrite ``article`` for print (see the module doc); return its chapter and section
    headings for the table of contents (a part's caption as a level-0 heading before its
    first chapter). ``appendices``: docnames of the appendix chapters; ``resolve``: the file a
    relative link points to, or None; ``parts``: part captions by their first chapter's
    docname."""
    for wrapper in article.find_all("div", class_="toctree-wrapper"):
        for element in wrapper.find_all(["ul", "p", "nav"], recursive=False):
            element.decompose()  # the screen toc (chapters are sections, not these)
    for element in article.find_all(class_="pdf-omit"):
        if element.parent is not None:
            element.decompose()
    _shorten_listings(soup, article)
    for n, (chapter, docname) in enumerate(_chapters(article)):
        extra = ["pdf-front-matter"] if n == 0 else \
            ["pdf-appendix"] if docname in appendices else []
        chapter["class"] = [*chapter.get("class", []), "pdf-chapter", *extra]
        if docname in (parts or {}):
            chapter[PART_ATTRIBUTE] = (parts or {})[docname]
    _relevel(article)
    _number(soup, article)
    _unique_ids(article)
    root = article.find("section")
    front = article.find_all(class_="pdf-front")
    for element in reversed(front):
        element.extract()
        if isinstance(root, Tag):
            root.insert_before(element)
    _wrap_unbreakable(soup, article)
    _attachments(article, resolve)
    return _front_headings(front) + _headings(article)


def _front_headings(front: list[Tag]) -> list[Heading]:
    """The contents' line of the first front element (the executive summary): its title."""
    if not front:
        return []
    first = front[0]
    first["id"] = first.get("id") or "executive-summary"
    title = first.find(class_="admonition-title")
    text = title.get_text(" ", strip=True) if isinstance(title, Tag) else "Summary"
    return [Heading(1, str(first["id"]), text)]
