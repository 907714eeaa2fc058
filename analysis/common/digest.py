"""Content hashes shared by the data build's cache and the notebook runner's cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.common import paths

MISSING = "missing"


def sha256_text(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes, or ``"missing"``."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return MISSING


def code_hash(code_dir: Path = paths.PACKAGE_DIR) -> str:
    """Hash over every ``*.py`` below ``code_dir`` (relative path and content)."""
    digest = hashlib.sha256()
    for path in sorted(Path(code_dir).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(code_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def files_hash(files: list[Path], extra: tuple[str, ...] = ()) -> str:
    """One hash over the names and contents of ``files`` plus ``extra`` strings."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{Path(path).name}\0{file_hash(path)}\0".encode())
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()
