"""Compare a parsed bulletin with a synthetic layout file's ``.expect.yml`` (tests only)."""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis.ingest.parse import ParsedBulletin, parse_bulletin
from analysis.ingest.textio import read_bulletin

LAYOUTS = Path(__file__).resolve().parent.parent / "fixtures" / "layouts"


def expected(path: Path) -> dict:
    """The expected structure of ``NAME.txt`` (``NAME.expect.yml``)."""
    return yaml.safe_load(path.with_suffix(".expect.yml").read_text(encoding="utf-8"))


def parse_file(path: Path) -> ParsedBulletin:
    return parse_bulletin(read_bulletin(path).text, path)


def got_structure(parsed: ParsedBulletin) -> dict:
    """The parsed bulletin in the ``.expect.yml`` shape."""
    items = [{
        "section": item.section, "title": item.title,
        "subtitle": item.subtitle.text if item.subtitle else None,
        "paragraphs": [p.text for p in item.paragraphs],
        "source": item.source or None,
        "page_start": item.page_start, "page_end": item.page_end,
    } for item in parsed.items]
    front = [line.content.strip() for line in parsed.lines
             if parsed.roles.get(line.number) == "front matter"]
    return {"pages": parsed.n_pages, "sections": parsed.sections, "items": items,
            "front_matter": front}


def matching_items(parsed: ParsedBulletin, want: dict) -> int:
    """How many expected items come back exactly (every field)."""
    got = got_structure(parsed)["items"]
    return sum(1 for item in want["items"] if item in got)
