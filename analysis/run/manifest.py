"""The run manifest: one JSON entry per case, rewritten atomically after every case.

Entry fields: ``name``, ``template``, ``parameters``, ``inputs`` (component hashes: template,
params, code, deps, data per file), ``key``, ``code_version``, ``start``, ``end`` (ISO 8601),
``duration`` (seconds), ``status`` (``ok`` / ``failed`` / ``cached``), ``output``, ``error``
(one line or null). Entries of cases not in the current run are kept.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.common import atomic, paths
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.run.cache import Fingerprint
from analysis.run.plan import Case

VERSION = 1


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def one_line(text: object, limit: int = 300) -> str:
    """Collapse whitespace; cut to ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


@dataclass(frozen=True)
class CaseResult:
    """What happened to one executed case."""

    name: str
    status: str  # "ok" or "failed"
    start: str
    end: str
    duration: float
    error: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseResult:
        """Rebuild from a plain dict (e.g. returned by a dask worker)."""
        fields = {k: data[k] for k in ("name", "status", "start", "end", "duration")}
        return cls(**fields, error=data.get("error"))


#: What "code" means for the version: the package, the templates and the pinned dependencies
#: (an edit to data/, book/ or a scenario does not make the code version "-dirty").
CODE_PATHS = ("analysis", "notebooks", "pyproject.toml", "constraints.txt")


def code_version(root: Path = paths.ROOT, fallback: str = "") -> str:
    """``git describe --always --tags`` of the project, with ``-dirty`` when :data:`CODE_PATHS`
    have uncommitted changes; else ``code:<hash>`` from ``fallback``."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--tags"],
            cwd=root, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS],
            cwd=root, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"code:{fallback[:12]}"
    return f"{described}-dirty" if changed else described


class Manifest:
    """The manifest file, loaded once and saved after every change."""

    def __init__(self, path: Path, cases: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = Path(path)
        self.cases: dict[str, dict[str, Any]] = cases or {}

    @classmethod
    def load(cls, path: Path | str) -> Manifest:
        """Read ``path``; a missing file is an empty manifest."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            problem = f"manifest is not valid JSON ({err}); delete it to rebuild"
            raise InputError(path, problem) from None
        if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
            raise InputError(path, "manifest has no 'cases' object; delete it to rebuild")
        return cls(path, data["cases"])

    def get(self, name: str) -> dict[str, Any] | None:
        """The entry of case ``name``, if any."""
        return self.cases.get(name)

    def record(
        self, case: Case, fingerprint: Fingerprint, result: CaseResult, version: str
    ) -> dict[str, Any]:
        """Store the entry of an executed case (not saved yet)."""
        entry = {
            "name": case.name,
            "template": display_path(case.template),
            "parameters": case.parameters,
            "inputs": fingerprint.to_dict(),
            "key": fingerprint.key,
            "code_version": version,
            "start": result.start,
            "end": result.end,
            "duration": round(result.duration, 3),
            "status": result.status,
            "output": display_path(case.output),
            "error": result.error,
        }
        self.cases[case.name] = entry
        return entry

    def mark_cached(self, case: Case) -> None:
        """Mark a case served from cache; the times stay those of the run that made it."""
        self.cases[case.name]["status"] = "cached"

    def save(self) -> None:
        """Write the manifest atomically."""
        data = {"version": VERSION, "updated": now_iso(), "cases": self.cases}
        atomic.write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def status_table(manifest: Manifest | Path | str) -> str:
    """Plain-text table: case, status, duration, end time, error."""
    if not isinstance(manifest, Manifest):
        manifest = Manifest.load(manifest)
    header = ("case", "status", "seconds", "finished", "error")
    rows = [
        (
            name,
            str(entry.get("status", "")),
            f"{entry.get('duration') or 0:.1f}",
            str(entry.get("end") or "")[:19],
            one_line(entry.get("error") or "", 80),
        )
        for name, entry in sorted(manifest.cases.items())
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
