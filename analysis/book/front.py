"""The PDF's front matter: a cover page and a printed table of contents.

:func:`cover_facts` collects what the cover states (issues covered with their dates, code
version, short data hashes) when the book's pages are generated; :mod:`analysis.book.pages`
writes them to ``book/_generated/cover.json``. :func:`front_html` turns them, with the build
date and the article's chapter and section headings, into the HTML put before the article by
:mod:`analysis.book.pdf`. The TOC's page numbers are filled in by WeasyPrint
(``target-counter`` in ``print.css``), so they are the printed pages.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["COVER_FILE", "Heading", "cover_facts", "front_html"]

COVER_FILE = "cover.json"
SUBTITLE = "A comparative report on the provinces in a research office's policy bulletins"


@dataclass(frozen=True)
class Heading:
    """A chapter (level 1) or section (level 2) of the article: its anchor and title; level 0
    is a part of the contents (a caption, printed without a page number)."""

    level: int
    anchor: str
    title: str


def cover_facts(bulletins: pd.DataFrame, manifest: Mapping[str, Mapping[str, Any]]
                ) -> dict[str, Any]:
    """Issues (id, date, items), code versions and input data hashes of this build."""
    issues = [{"bulletin": str(b.bulletin_id), "date": str(b.issue_date or ""),
               "items": int(b.n_items)} for b in bulletins.itertuples()]
    versions = sorted({str(e.get("code_version")) for e in manifest.values()
                       if e.get("code_version")})
    data: dict[str, str] = {}
    for entry in manifest.values():
        for path, digest in ((entry.get("inputs") or {}).get("data") or {}).items():
            data[Path(path).name] = str(digest)
    return {"issues": issues, "code_versions": versions, "data": dict(sorted(data.items()))}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cover(title: str, facts: Mapping[str, Any], built: str) -> str:
    issues = "".join(f"<li>{_esc(i['bulletin'])} ({_esc(i['date'] or 'undated')}, "
                     f"{_esc(i['items'])} items)</li>" for i in facts.get("issues", []))
    hashes = "".join(f"<li><code>{_esc(name)}</code> <code>{_esc(digest[:12])}</code></li>"
                     for name, digest in facts.get("data", {}).items())
    versions = ", ".join(f"<code>{_esc(v)}</code>" for v in facts.get("code_versions", []))
    return (f'<section class="pdf-cover"><p class="pdf-cover-title">{_esc(title)}</p>'
            f'<p class="pdf-cover-subtitle">{_esc(SUBTITLE)}</p>'
            f'<dl><dt>Issues covered</dt><dd><ul>{issues or "<li>none</li>"}</ul></dd>'
            f"<dt>Built</dt><dd>{_esc(built)}</dd>"
            f"<dt>Code version</dt><dd>{versions or 'unknown'}</dd>"
            f'<dt>Input data (SHA-256, first 12)</dt><dd><ul>{hashes or "<li>none</li>"}'
            "</ul></dd></dl></section>")


def _toc(headings: Sequence[Heading]) -> str:
    rows = "".join(f'<li class="pdf-toc-0">{_esc(h.title)}</li>' if h.level == 0 else
                   f'<li class="pdf-toc-{h.level}"><a href="#{_esc(h.anchor)}">'
                   f"{_esc(h.title)}</a></li>" for h in headings)
    return f'<nav class="pdf-toc"><p class="pdf-toc-title">Contents</p><ul>{rows}</ul></nav>'


def front_html(title: str, facts: Mapping[str, Any], headings: Sequence[Heading],
               built: datetime | None = None) -> str:
    """Cover and table of contents as HTML (``built``: the build time, default now, UTC)."""
    when = (built or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return _cover(title, facts, when) + _toc(headings)
