"""A bulletin's metadata sidecar (``NAME.meta.yml``) and the rule for bulletin ids.

A bulletin id becomes part of every item id (``<bulletin_id>-NN``), which is a citation key
in the book's bibliography, so :data:`ID_PATTERN` is the one rule for both: ASCII letters and
digits first, then letters, digits and ``_ . : + -``. ``build`` refuses a bad id before it
writes anything. ``issue_date`` is ``YYYY-MM`` (quoted: an unquoted ``2020-09-01`` is a YAML
date), ``reviewed`` true or false.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import read_mapping

#: Bulletin and item ids (and so BibTeX keys).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]*$")
#: ``issue_date`` of a sidecar.
ISSUE_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_id(bulletin_id: str, where: object) -> str:
    """``bulletin_id`` if it follows :data:`ID_PATTERN`, else a one-line ``InputError``."""
    if not ID_PATTERN.match(bulletin_id):
        raise InputError(where, f"bulletin_id {bulletin_id!r} cannot be an item id or citation "
                         "key: use ASCII letters and digits, then letters, digits, _ . : + -")
    return bulletin_id


def load_sidecar(path: Path) -> dict:
    """Read and check a bulletin's sidecar (a YAML mapping); errors name the file and key."""
    meta = read_mapping(path)
    where = display_path(path)
    if "bulletin_id" in meta:
        if not isinstance(meta["bulletin_id"], str):
            raise InputError(where, f"bulletin_id: expected text, got {meta['bulletin_id']!r}")
        check_id(meta["bulletin_id"], where)
    date = meta.get("issue_date")
    if date is not None and not (isinstance(date, str) and ISSUE_DATE.match(date)):
        raise InputError(where, f"issue_date: expected \"YYYY-MM\" (quoted), got {date!r}")
    if "reviewed" in meta and not isinstance(meta["reviewed"], bool):
        raise InputError(where, f"reviewed: expected true or false, got {meta['reviewed']!r}")
    return meta
