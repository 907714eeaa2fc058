"""``python -m analysis add FILE --issue-date YYYY-MM [--id ID]``: a new bulletin in one step.

The file is read and parsed first; only when that works is it copied byte for byte into
``data/raw/ID.SUFFIX`` with its sidecar (``sha256``, ``issue_date``, ``reviewed: false``,
``bulletin_id``, ``original_name``), both written atomically. Nothing is written when the file
is unreadable, the id is taken or not a plain id, or the date is not a real month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.common import paths
from analysis.common.atomic import write_bytes, write_text
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.dataset.sidecar import (
    check_id,
    check_issue_date,
    load_sidecar,
    validate_sidecar,
)
from analysis.dataset.state import raw_bulletins
from analysis.ingest.document import SUFFIXES, read_document
from analysis.ingest.parse import ParsedBulletin


@dataclass(frozen=True)
class Added:
    """Where the bulletin and its sidecar went, and how it was read."""

    raw: Path
    sidecar: Path
    parsed: ParsedBulletin


def add_bulletin(file: Path, issue_date: str, bulletin_id: str | None = None,
                 sections: tuple[str, ...] = (), raw_dir: Path | None = None,
                 encoding: str | None = None) -> Added:
    """Check, copy and describe one bulletin (see module doc)."""
    raw_dir = raw_dir or paths.RAW
    check_issue_date(issue_date, "--issue-date")
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(file, f"unsupported file type {file.suffix or '(none)'!r}; "
                         f"expected one of {', '.join(SUFFIXES)}")
    bulletin_id = bulletin_id or file.stem
    check_id(bulletin_id, "--id")
    document = read_document(file, encoding)
    parsed = document.parse(sections)
    _check_free(raw_dir, bulletin_id, document.sha256)
    target = raw_dir / f"{bulletin_id}{suffix}"
    sidecar = paths.sidecar_for(target)
    meta = {"bulletin_id": bulletin_id, "issue_date": issue_date, "reviewed": False,
            "sha256": document.sha256, "original_name": file.name}
    if document.kind == "text":
        meta["encoding"] = document.encoding
    validate_sidecar(meta, display_path(sidecar))
    raw_dir.mkdir(parents=True, exist_ok=True)
    write_bytes(target, file.read_bytes())
    write_text(sidecar, "# Metadata sidecar written by `python -m analysis add`; "
               "set reviewed: true once the coding is checked.\n"
               + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False))
    return Added(target, sidecar, parsed)


def _check_free(raw_dir: Path, bulletin_id: str, sha256: str) -> None:
    """The id and the content must be new to ``raw_dir``."""
    for existing in raw_bulletins(raw_dir):
        sidecar = paths.sidecar_for(existing)
        if existing.stem == bulletin_id or sidecar.stem == f"{bulletin_id}.meta":
            raise InputError(display_path(existing), f"bulletin id {bulletin_id!r} is taken; "
                             "give another with --id")
        if sidecar.exists():
            meta = load_sidecar(sidecar)
            if meta.get("bulletin_id") == bulletin_id:
                raise InputError(display_path(sidecar), f"bulletin id {bulletin_id!r} is "
                                 "taken; give another with --id")
            if meta.get("sha256") == sha256:
                raise InputError(display_path(existing), "this file was already added "
                                 f"(same sha256 {sha256})")
