"""Any bulletin file -> the text the parser reads: text files as decoded (``textio``), PDF and
Word files as a plain-text rendering (``pdfinput``, ``docxinput``) whose emphasised lines are
title and heading candidates. Offsets of items and evidence index ``Document.text``; for PDF
and Word files that rendering is written next to the processed data (the audit trail)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from analysis.common.errors import InputError
from analysis.ingest.parse import ParsedBulletin, parse_bulletin
from analysis.ingest.textio import read_bulletin

#: File types a bulletin can come in, by suffix.
SUFFIXES = (".txt", ".pdf", ".docx")


@dataclass(frozen=True)
class Document:
    """A bulletin file read into text. ``sha256`` is of the file's bytes; ``rendered`` is true
    when ``text`` is a rendering (PDF, Word), not the file itself."""

    path: Path
    text: str
    encoding: str
    sha256: str
    kind: str
    emphasised: frozenset[int] | None = None
    mode: str | None = None
    paged: bool = False

    @property
    def rendered(self) -> bool:
        return self.kind != "text"

    def parse(self, known_sections: tuple[str, ...] | list[str] = ()) -> ParsedBulletin:
        """Parse this document's text (with its typography hints, if any)."""
        hints = set(self.emphasised) if self.emphasised is not None else None
        return parse_bulletin(self.text, self.path, known_sections, hints, self.mode,
                              self.paged)


def read_document(path: Path | str, encoding: str | None = None) -> Document:
    """Read a ``.txt``, ``.pdf`` or ``.docx`` bulletin (any other suffix is read as text)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        bulletin = read_bulletin(path, encoding)
        return Document(path, bulletin.text, bulletin.encoding, bulletin.sha256, "text")
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a regular file")
    data = path.read_bytes()
    if not data:
        raise InputError(path, "file is empty")
    if suffix == ".pdf":
        from analysis.ingest.pdfinput import read_pdf

        rendering = read_pdf(path)
    else:
        from analysis.ingest.docxinput import read_docx

        rendering = read_docx(path)
    return Document(path, rendering.text, suffix[1:], hashlib.sha256(data).hexdigest(),
                    suffix[1:], rendering.emphasised, rendering.mode,
                    rendering.n_pages is not None)
