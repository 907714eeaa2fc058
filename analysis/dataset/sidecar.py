"""A bulletin's metadata sidecar (``NAME.meta.yml`` next to ``NAME.txt|.pdf|.docx``), validated
whenever it is read.

Keys (unknown keys are rejected, so a typo never passes silently):

- ``sha256`` (required): of the raw file's bytes; must match the file;
- ``issue_date`` (required): the issue's month, a real ``YYYY-MM``;
- ``reviewed`` (required): a boolean, true once an analyst has checked the coding;
- ``bulletin_id``: a plain id (:data:`ID_PATTERN`), default the file name stem. The id becomes
  part of every item id (``<bulletin_id>-NN``), which is a citation key in the book's
  bibliography, so one rule serves bulletin ids, item ids and BibTeX keys; ``build`` refuses a
  bad id before it writes anything;
- ``accept_unassigned``: text the analyst accepts as belonging to no item, heading or front
  matter: a list of line numbers, or a number of characters (which must then equal the count,
  so new unassigned text is never hidden);
- ``synthetic``: a boolean, true for made-up test data (never in the report);
- free text: ``issue_date_basis``, ``language``, ``source``, ``original_name``, ``encoding``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import read_mapping

REQUIRED = ("sha256", "issue_date", "reviewed")
TEXT_KEYS = ("issue_date_basis", "language", "source", "original_name", "encoding")
KEYS = (*REQUIRED, "bulletin_id", "accept_unassigned", "synthetic", *TEXT_KEYS)
#: Bulletin and item ids (and so BibTeX keys): an ASCII letter or digit, then letters, digits,
#: ``-`` and ``_``.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: The command that adds a bulletin with its sidecar (named in errors).
ADD_COMMAND = "python -m analysis add FILE --issue-date YYYY-MM"


def validate_sidecar(meta: dict[str, Any], where: object) -> dict[str, Any]:
    """Check every key of a sidecar mapping (see module doc); returns it unchanged."""
    unknown = sorted(set(map(str, meta)) - set(KEYS))
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise InputError(where, f"missing key {missing[0]!r}")
    sha = meta["sha256"]
    if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
        raise InputError(where, f"sha256: expected 64 lowercase hex digits, got {sha!r}")
    check_issue_date(meta["issue_date"], f"{where}: issue_date")
    for key in ("reviewed", "synthetic"):
        if key in meta and not isinstance(meta[key], bool):
            raise InputError(where, f"{key}: expected true or false, got {meta[key]!r}")
    if "bulletin_id" in meta:
        if not isinstance(meta["bulletin_id"], str):
            raise InputError(where, f"bulletin_id: expected text, got {meta['bulletin_id']!r}")
        check_id(meta["bulletin_id"], where)
    accept = meta.get("accept_unassigned")
    if accept is not None and not _valid_accept(accept):
        raise InputError(where, "accept_unassigned: expected a list of line numbers or a "
                         f"number of characters, got {accept!r}")
    for key in TEXT_KEYS:
        if key in meta and not isinstance(meta[key], str):
            raise InputError(where, f"{key}: expected text, got {meta[key]!r}")
    return meta


def check_id(bulletin_id: str, where: object) -> str:
    """``bulletin_id`` if it follows :data:`ID_PATTERN`, else a one-line ``InputError``."""
    if not ID_PATTERN.match(bulletin_id):
        raise InputError(where, f"bulletin_id {bulletin_id!r} cannot be an item id or citation "
                         "key: use an ASCII letter or digit, then letters, digits, '-' or '_'")
    return bulletin_id


def _valid_accept(value: Any) -> bool:
    def natural(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and x >= 0

    return natural(value) or (isinstance(value, list) and all(natural(x) for x in value))


def check_issue_date(value: Any, where: object) -> str:
    """A real month ``YYYY-MM`` (1900 or later) as text; raises ``InputError`` otherwise."""
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match is None or int(match[1]) < 1900:
        raise InputError(where, f"expected a month as YYYY-MM (e.g. 2020-10), got {value!r}")
    return value


def load_sidecar(path: Path) -> dict[str, Any]:
    """Read and validate a sidecar (see module doc)."""
    return validate_sidecar(read_mapping(path), display_path(path))


def check_checksum(meta: dict[str, Any], sidecar: Path, bulletin: Path, sha256: str) -> None:
    """The sidecar's ``sha256`` must be the raw file's: else one line naming both hashes."""
    if meta["sha256"] != sha256:
        raise InputError(display_path(sidecar), f"sha256 {meta['sha256']} does not match "
                         f"{display_path(bulletin)} (sha256 {sha256}); the file changed since "
                         "it was added: check it and update the sidecar")


def accepted(meta: dict[str, Any], lines: list[tuple[int, str]], chars: int) -> bool:
    """Does the sidecar accept these unassigned ``(line number, text)`` lines (``chars``
    characters in all)?"""
    accept = meta.get("accept_unassigned")
    if not lines:
        return True
    if isinstance(accept, list):
        return {n for n, _ in lines} <= set(accept)
    return isinstance(accept, int) and accept == chars


def missing_sidecar(bulletin: Path) -> InputError:
    """The error for a raw bulletin without a sidecar: it names the command that adds one."""
    return InputError(display_path(bulletin), "no sidecar (NAME.meta.yml) next to this raw "
                      f"bulletin; add bulletins with `{ADD_COMMAND}`")
