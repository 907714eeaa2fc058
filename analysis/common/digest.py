"""Content hashes shared by the data build's cache and the notebook runner's cache.

Code is hashed by what a step can import, not by the whole package: :func:`modules_hash`
follows the ``analysis`` imports of the given modules (module level and inside functions,
parent packages included, since importing a module runs its packages' ``__init__``), so a
change to the book builder neither re-codes the data nor re-executes a notebook.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from analysis.common import paths

MISSING = "missing"
PACKAGE = "analysis"


def sha256_text(text: str) -> str:
    """Hex SHA-256 of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_stamp(path: Path | str) -> tuple[str, int, int, int]:
    """A file's identity and version for in-process caches, without reading it: resolved
    path, inode, size, modification time (ns). Raises ``FileNotFoundError``."""
    path = Path(path)
    stat = path.stat()
    return str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns


def file_hash(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes, or ``"missing"``."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return MISSING


def code_hash(code_dir: Path = paths.PACKAGE_DIR) -> str:
    """Hash over every ``*.py`` below ``code_dir`` (relative path and content)."""
    files = [p for p in sorted(Path(code_dir).rglob("*.py")) if "__pycache__" not in p.parts]
    return _hash_files(files, Path(code_dir))


def _hash_files(files: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def module_file(name: str, package_dir: Path = paths.PACKAGE_DIR) -> Path | None:
    """The file of module ``analysis.x.y`` (``x/y.py`` or ``x/y/__init__.py``), or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every ``analysis`` module that ``source`` (module ``module``) imports, anywhere in it:
    ``from analysis.x import y`` yields ``analysis.x.y`` when that is a module, else
    ``analysis.x``; relative imports are resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                parent = parent[: len(parent) - node.level + (1 if is_package else 0)]
                base = ".".join([*parent, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m.split(".")[0] == PACKAGE and module_file(m)}


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@lru_cache(maxsize=64)
def _closure(roots: tuple[str, ...], stamp: tuple[tuple[str, int], ...]) -> tuple[Path, ...]:
    seen: dict[str, Path] = {}
    todo = [p for r in roots for p in _with_parents(r)]
    while todo:
        name = todo.pop()
        if name in seen or (path := module_file(name)) is None:
            continue
        seen[name] = path
        source = path.read_text(encoding="utf-8")
        for found in imported_modules(source, name, path.name == "__init__.py"):
            todo += _with_parents(found)
    return tuple(sorted(set(seen.values())))


def module_closure(roots: Iterable[str]) -> list[Path]:
    """The files of ``roots`` and of every ``analysis`` module they import, transitively."""
    stamp = tuple((str(p), p.stat().st_mtime_ns)
                  for p in sorted(paths.PACKAGE_DIR.rglob("*.py")) if "__pycache__" not in p.parts)
    return list(_closure(tuple(sorted(roots)), stamp))


def modules_hash(roots: Iterable[str]) -> str:
    """Hash of the code ``roots`` can reach (see :func:`module_closure`)."""
    return _hash_files(module_closure(roots), paths.PACKAGE_DIR)


def files_hash(files: list[Path], extra: tuple[str, ...] = ()) -> str:
    """One hash over the names and contents of ``files`` plus ``extra`` strings."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{Path(path).name}\0{file_hash(path)}\0".encode())
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()


#: Never part of a tree's hash: caches, editor and temporary files.
SKIP_PARTS = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


def tree_files(root: Path, entries: Iterable[str], exclude: Iterable[str] = ()) -> list[Path]:
    """The files of ``entries`` (files or folders, relative to ``root``; missing ones are left
    out), folders walked recursively, without hidden or temporary files, caches and anything
    under an ``exclude`` prefix (relative, POSIX)."""
    skip = tuple(e.rstrip("/") + "/" for e in exclude)
    found: list[Path] = []
    for entry in entries:
        path = root / entry
        walk = sorted(path.rglob("*")) if path.is_dir() else [path] if path.is_file() else []
        for file in walk:
            rel = file.relative_to(root).as_posix()
            if (not file.is_file() or rel.startswith(skip) or rel + "/" in skip
                    or any(p.startswith(".") or p in SKIP_PARTS for p in Path(rel).parts)
                    or rel.endswith((".tmp", "~"))):
                continue
            found.append(file)
    return sorted(set(found))


def tree_hash(root: Path, files: Iterable[Path], extra: tuple[str, ...] = ()) -> str:
    """One hash over the paths (relative to ``root``) and contents of ``files`` and ``extra``:
    a renamed, added or removed file changes it as much as an edited one."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(Path(path).relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()
