"""Read a bulletin file into text: encoding detection and clear errors for unusable input.

Offsets everywhere in the project index the text exactly as decoded here (line ends kept as in
the file, so a CRLF file keeps its ``\\r``), which makes ``text[start:end]`` the raw span.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.common.errors import InputError

#: Encodings tried in order when none is given. GB18030 is a superset of GBK and GB2312.
DEFAULT_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")

@dataclass(frozen=True)
class BulletinText:
    """A decoded bulletin file."""

    path: Path
    text: str
    encoding: str
    sha256: str


def read_bulletin(path: Path | str, encoding: str | None = None) -> BulletinText:
    """Read and decode a bulletin file.

    Without ``encoding``, UTF-8 (with or without BOM) is tried, then GB18030 (covers GBK).
    Raises ``InputError`` naming the file for a missing, empty, binary or undecodable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:4096]:
        raise InputError(path, "binary file (contains NUL bytes), expected bulletin text")
    text, used = _decode(path, data, encoding)
    if _control_ratio(text) > 0.01:
        raise InputError(path, f"binary file (control characters after decoding as {used})")
    digest = hashlib.sha256(data).hexdigest()
    return BulletinText(path=path, text=text, encoding=used, sha256=digest)


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    candidates = (encoding,) if encoding else DEFAULT_ENCODINGS
    for name in candidates:
        try:
            return data.decode(name), name
        except LookupError as err:
            raise InputError(path, f"unknown encoding {name!r}") from err
        except UnicodeDecodeError as err:
            last = err
    if encoding:
        raise InputError(path, f"cannot be decoded as {encoding}: byte {last.start}: {last.reason}")
    raise InputError(path, "cannot be decoded as UTF-8 or GB18030; give --encoding")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _control_ratio(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(len(text), 1)
