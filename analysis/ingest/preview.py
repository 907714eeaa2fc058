"""How a bulletin was read, for an analyst to check in a minute (``python -m analysis check``):
the layout found, front/back matter, each section and item (title, pages, the first words of
every paragraph, subtitle, sources) and every unassigned line, as text or as an HTML page."""

from __future__ import annotations

import html
import itertools

from analysis.ingest.parse import Item, ParsedBulletin

#: Characters of each paragraph shown.
FIRST_WORDS = 24


def _pages(item: Item) -> str:
    if item.page_start is None:
        return ""
    if item.page_start == item.page_end:
        return f" [p.{item.page_start}]"
    return f" [p.{item.page_start}-{item.page_end}]"


def _first(text: str) -> str:
    return text if len(text) <= FIRST_WORDS else text[:FIRST_WORDS] + f"… ({len(text)} chars)"


def outline(parsed: ParsedBulletin, name: str) -> list[tuple[str, str]]:
    """The preview as ``(kind, text)`` rows, in reading order; kinds: ``file``, ``front``,
    ``section``, ``item``, ``subtitle``, ``paragraph``, ``source``, ``unassigned``, ``summary``.
    """
    rows = [("file", f"{name}: paragraphs by {parsed.paragraph_mode.replace('_', ' ')}")]
    front = [line for line in parsed.lines if parsed.roles.get(line.number) == "front matter"]
    kinds = parsed.matter
    for line in front:
        kind = kinds.get(line.number, "front matter")
        rows.append(("front", f"line {line.number} ({kind}): {line.content}"))
    by_section = itertools.groupby(parsed.items, key=lambda item: item.section)
    for section, items in by_section:
        rows.append(("section", section or "(no section heading)"))
        for item in items:
            rows.append(("item", f"{item.seq}. {item.title}{_pages(item)}"))
            if item.subtitle is not None:
                rows.append(("subtitle", item.subtitle.text))
            rows += [("paragraph", _first(p.text)) for p in item.paragraphs]
            rows += [("source", p.text) for p in item.sources]
    rows += [("unassigned", f"line {line.number}: {line.content}") for line in parsed.unassigned]
    rows.append(("summary", parsed.summary()))
    return rows


_INDENT = {"item": "  ", "subtitle": "      ", "paragraph": "    - ", "source": "      "}
_LABEL = {"front": "front matter ", "unassigned": "UNASSIGNED "}


def preview_text(parsed: ParsedBulletin, name: str) -> str:
    """The preview as plain text."""
    out = []
    for kind, text in outline(parsed, name):
        if kind == "section":
            out.append(f"[{text}]")
        else:
            out.append(_INDENT.get(kind, "") + _LABEL.get(kind, "") + text)
    return "\n".join(out) + "\n"


def preview_html(parsed: ParsedBulletin, name: str) -> str:
    """The preview as a self-contained HTML page (every text escaped)."""
    tags = {"file": "h1", "section": "h2", "item": "h3", "summary": "p class=summary"}
    body = []
    for kind, text in outline(parsed, name):
        tag = tags.get(kind, f"p class={kind}")
        body.append(f"<{tag}>{html.escape(text)}</{tag.split()[0]}>")
    style = ("body{font-family:sans-serif;max-width:50em;margin:2em auto}"
             ".front{color:#777}.paragraph{margin:0 0 0 2em}.subtitle,.source{margin-left:2em;"
             "font-style:italic}.unassigned{background:#fdd}.summary{font-weight:bold}")
    return ("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(name)}</title><style>{style}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
