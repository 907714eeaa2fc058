"""Reading the project's YAML files (codebook, sidecars, index weights, scenarios): a safe
loader (libyaml's when available) that rejects a key repeated in one mapping, and one-line
errors that name the file, line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.common.errors import InputError
from analysis.common.text import display_path


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe YAML loader that rejects a key repeated in one mapping."""


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key: let the default constructor report it
            break
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def yaml_problem(err: yaml.YAMLError) -> str:
    """One line for a YAML error, with its line and column."""
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "syntax error"
        if mark is not None:
            return f"YAML error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
        return f"YAML error: {problem}"
    return f"YAML error: {str(err).splitlines()[0] if str(err) else type(err).__name__}"


def parse_yaml(text: str, where: object) -> Any:
    """Parse YAML ``text``; ``where`` names the source in errors."""
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # a (C)SafeLoader subclass
    except yaml.YAMLError as err:
        raise InputError(where, yaml_problem(err)) from None


def read_text(path: Path | str) -> str:
    """A UTF-8 text file, with one-line errors for a missing, unreadable or non-UTF-8 file."""
    path = Path(path)
    where = display_path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(where, "file not found") from None
    except IsADirectoryError:
        raise InputError(where, "is a folder, not a file") from None
    except PermissionError:
        raise InputError(where, "permission denied (cannot read the file)") from None
    except UnicodeDecodeError as err:
        raise InputError(where, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise InputError(where, f"cannot be read: {err.strerror or err}") from None


def read_yaml(path: Path | str) -> Any:
    """Read and parse a YAML file (see :func:`read_text`, :func:`parse_yaml`)."""
    return parse_yaml(read_text(path), display_path(path))


def read_mapping(path: Path | str) -> dict[str, Any]:
    """A YAML file whose top level must be a mapping (an empty file is an empty mapping)."""
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(display_path(path),
                         f"top level must be a mapping, not {type(data).__name__}")
    return data
