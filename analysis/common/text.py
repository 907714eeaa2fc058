"""Small text helpers every stage uses: sentence punctuation, percentages, project paths."""

from __future__ import annotations

import math
from pathlib import Path

from analysis.common import paths

#: Sentence-final punctuation, full and half width: ends a sentence (and a clause of a claim).
SENTENCE_END = "。！？；!?;"
#: A line or paragraph ending in one of these is finished text (a colon introduces a list).
PARAGRAPH_END = SENTENCE_END + "：…:"


def pct(x: float | None) -> str:
    """A share as a whole percentage (``0.25`` -> ``25%``); ``n/a`` when missing."""
    if x is None:
        return "n/a"
    try:
        value = float(x)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if not math.isfinite(value) else f"{100 * value:.0f}%"


def display_path(path: Path | str) -> str:
    """``path`` relative to the project root when inside it, else absolute (POSIX form): how
    messages, tables and the manifest name files."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):  # e.g. a symlink loop
        return str(path)
    try:
        return resolved.relative_to(paths.ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def citation_label(issue: str, seq: object, page_start: object = None,
                   page_end: object = None) -> str:
    """An item's readable citation label, the one format of the book and the notebooks:
    ``2020-09 #6 p.5–6`` (issue, position in the bulletin, pages; en dash), ``2020-09 #3 p.1``,
    or ``2020-09 #3`` for a bulletin without page markers."""
    def whole(value: object) -> str:
        text = str(value).strip() if value is not None else ""
        try:
            return str(int(float(text))) if text and text.lower() not in ("nan", "<na>") else ""
        except ValueError:
            return text
    start, end = whole(page_start), whole(page_end)
    pages = f"p.{start}" + (f"–{end}" if end and end != start else "") if start else ""
    return " ".join(part for part in (f"{issue} #{whole(seq)}", pages) if part)
