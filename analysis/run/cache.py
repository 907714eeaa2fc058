"""Content-addressed cache: a case's inputs hashed, compared with its last manifest entry.

A case's key is the SHA-256 over its component hashes:

- ``template``: the template's cells (type, source, tags) and kernel name, not its outputs;
- ``params``: canonical JSON of the parameters;
- ``code``: every ``analysis/**/*.py`` (simple and safe: any code change re-runs everything);
- ``data``: each data file the case reads, by path;
- ``deps``: ``constraints.txt`` (the pinned dependency versions).

The components are stored per case in the manifest, so :func:`decide` can say *which* input
changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.common import paths
from analysis.common.digest import code_hash, file_hash, sha256_text
from analysis.common.text import display_path
from analysis.run.plan import Case

#: Data files read by every case, or ``f(case) -> files`` (added to ``Case.data_files``).
DataFiles = Sequence[Path | str] | Callable[[Case], Sequence[Path | str]]



def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def template_hash(path: Path) -> str:
    """Hash of a notebook's cells (type, source, tags) and kernel name; outputs are ignored."""
    import nbformat  # not before the kernels start (see analysis.run.fanout)

    nb = nbformat.read(path, as_version=4)
    cells = [
        [cell.cell_type, cell.source, sorted(cell.get("metadata", {}).get("tags", []))]
        for cell in nb.cells
    ]
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    return sha256_text(canonical_json({"kernel": kernel, "cells": cells}))


def params_hash(parameters: Mapping[str, Any]) -> str:
    """Hash of the canonical JSON of the parameters."""
    return sha256_text(canonical_json(dict(parameters)))


def case_data_files(case: Case, data_files: DataFiles = ()) -> list[Path]:
    """The case's own data files plus the run's common ones, without duplicates."""
    common = data_files(case) if callable(data_files) else data_files
    seen: dict[str, Path] = {}
    for path in (*case.data_files, *common):
        seen.setdefault(display_path(path), Path(path))
    return list(seen.values())


#: The code hash of one case (e.g. of what its template can import).
CodeOf = Callable[[Case], str]


@dataclass(frozen=True)
class Fingerprint:
    """The component hashes of one case; ``key`` combines them."""

    template: str
    params: str
    code: str
    deps: str
    data: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The case's cache key."""
        return sha256_text(canonical_json(asdict(self)))

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the manifest."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fingerprint | None:
        """Read back a manifest entry's ``inputs``; ``None`` if absent or malformed."""
        try:
            return cls(
                template=data["template"],
                params=data["params"],
                code=data["code"],
                deps=data["deps"],
                data=dict(data.get("data", {})),
            )
        except (KeyError, TypeError):
            return None


class Hasher:
    """Computes fingerprints; file, template and code hashes are computed once per run. The
    code hash is ``code_of(case)`` when given (the project hashes what each template can
    import), else the hash of every module below ``code_dir``."""

    def __init__(
        self,
        data_files: DataFiles = (),
        code_dir: Path = paths.PACKAGE_DIR,
        deps_file: Path = paths.CONSTRAINTS,
        code_of: CodeOf | None = None,
    ) -> None:
        self.data_files = data_files
        self.code_of = code_of
        self.code = code_hash(code_dir)  # the cases' code without code_of; the code version
        self.deps = file_hash(deps_file)
        self._files: dict[str, str] = {}
        self._templates: dict[Path, str] = {}

    def _file(self, path: Path) -> str:
        key = display_path(path)
        if key not in self._files:
            self._files[key] = file_hash(path)
        return self._files[key]

    def fingerprint(self, case: Case) -> Fingerprint:
        """The component hashes of ``case``."""
        template = case.template.resolve()
        if template not in self._templates:
            self._templates[template] = template_hash(template)
        data = {display_path(p): self._file(p) for p in case_data_files(case, self.data_files)}
        return Fingerprint(
            template=self._templates[template],
            params=params_hash(case.parameters),
            code=self.code_of(case) if self.code_of else self.code,
            deps=self.deps,
            data=data,
        )


def changed_inputs(old: Fingerprint, new: Fingerprint) -> list[str]:
    """Human-readable list of the components that differ."""
    reasons = []
    if old.template != new.template:
        reasons.append("template changed")
    if old.params != new.params:
        reasons.append("parameters changed")
    files = [
        path
        for path in sorted(set(old.data) | set(new.data))
        if old.data.get(path) != new.data.get(path)
    ]
    if files:
        reasons.append("data changed: " + ", ".join(files))
    if old.code != new.code:
        reasons.append("code changed")
    if old.deps != new.deps:
        reasons.append("dependencies changed")
    return reasons


def decide(
    case: Case, fingerprint: Fingerprint, entry: Mapping[str, Any] | None, force: bool = False
) -> tuple[bool, str]:
    """``(will_run, reason)`` for one case given its last manifest entry."""
    if force:
        return True, "forced"
    if entry is None:
        return True, "not run before"
    if entry.get("status") == "failed":
        return True, "previous run failed"
    if entry.get("status") not in ("ok", "cached"):
        return True, f"previous run {entry.get('status', 'unknown')}"
    if not case.output.is_file():
        return True, "output missing"
    if entry.get("key") == fingerprint.key:
        return False, f"cached (key {fingerprint.key[:8]}.. unchanged)"
    old = Fingerprint.from_dict(entry.get("inputs") or {})
    reasons = changed_inputs(old, fingerprint) if old else []
    return True, "; ".join(reasons) or "inputs changed"


def format_explain(explanations: Sequence[tuple[Case, bool, str]]) -> str:
    """One line per case: ``run    region/jiangsu  data changed: data/processed/items.csv``."""
    width = max((len(case.name) for case, _, _ in explanations), default=0)
    return "\n".join(
        f"{'run' if will_run else 'skip':<5} {case.name:<{width}}  {reason}"
        for case, will_run, reason in explanations
    )
