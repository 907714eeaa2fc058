"""Read a bulletin file into text: encoding detection and clear errors for unusable input.

Offsets everywhere in the project index the text exactly as decoded here (line ends kept as in
the file, so a CRLF file keeps its ``\\r``), which makes ``text[start:end]`` the raw span.
"""

from __future__ import annotations

import errno
import hashlib
import os
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

    Without ``encoding``, a UTF-16/32 byte-order mark picks that encoding; else UTF-8 (with or
    without BOM) is tried, then GB18030 (covers GBK). NUL bytes anywhere are refused (unless
    the encoding is UTF-16/32 and the decoded text has none).
    Raises ``InputError`` naming the file for a missing, empty, binary or undecodable file.
    """
    path = Path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(path, "file is empty")
    bom = next((name for mark, name in _UTF16_BOMS if data.startswith(mark)), None)
    encoding = encoding or bom  # a UTF-16/32 byte-order mark is unambiguous
    if b"\x00" in data and not (encoding and _wide(encoding)):
        at = data.index(b"\x00")
        raise InputError(path, f"binary file (NUL byte at offset {at}), expected bulletin "
                         "text (UTF-16 text needs --encoding utf-16)")
    text, used = _decode(path, data, encoding)
    if "\x00" in text:
        raise InputError(path, f"NUL character at offset {text.index(chr(0))} after decoding "
                         f"as {used}, expected bulletin text")
    if _control_ratio(text) > 0.01:
        raise InputError(path, f"binary file (control characters after decoding as {used})")
    digest = hashlib.sha256(data).hexdigest()
    return BulletinText(path=path, text=text, encoding=used, sha256=digest)


_UTF16_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
               (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _wide(encoding: str) -> bool:
    """True for an encoding whose text holds NUL bytes (UTF-16/32)."""
    name = encoding.lower().replace("_", "-")
    return name.startswith(("utf-16", "utf-32", "utf16", "utf32"))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, with one-line errors naming what went wrong."""
    try:
        if not path.is_file():
            if path.is_symlink() and not path.exists():
                try:
                    path.resolve(strict=True)
                except RuntimeError:
                    raise InputError(path, "symbolic link loop") from None
                except OSError:
                    pass
                raise InputError(path, f"broken symbolic link (to {os.readlink(path)})")
            raise InputError(path, "not a regular file" if path.exists() else "file not found")
        return path.read_bytes()
    except PermissionError:
        raise InputError(path, "permission denied (cannot read the file)") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(path, "symbolic link loop") from None
        raise InputError(path, f"cannot be read: {err.strerror or err}") from None


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
