"""Fan-out runner: execute parameterised notebook templates once per case, in parallel.

Typical use::

    from analysis.common import paths
    from analysis.run.runner import plan_cases, run

    cases = plan_cases([paths.TEMPLATES / "region.ipynb"], regions, params_for,
                       paths.REGIONS_BOOK, validate=check_params)
    result = run(cases, jobs=os.cpu_count(), data_files=[paths.ITEMS_CSV, paths.INDEX_WEIGHTS])
    sys.exit(result.returncode)

- :mod:`.plan`: :class:`Case`, :func:`plan_cases` (matrix + validation hook).
- :mod:`.cache`: content hashes, the cache decision and its reasons (:func:`explain`).
- :mod:`.manifest`: the JSON manifest and :func:`status_table`.
- :mod:`.execute`: the local warm-kernel pool; :mod:`.dask_executor`: ``dask.distributed``.
- :mod:`.progress`: event lines and the summary on stderr.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.run.cache import CodeOf, DataFiles, Fingerprint, Hasher, decide, format_explain
from analysis.run.manifest import CaseResult, Manifest, code_version, status_table
from analysis.run.plan import (
    Case,
    PlanError,
    Validator,
    check_unique,
    plan_cases,
    validate_cases,
)
from analysis.run.progress import EventHook, Progress

__all__ = [
    "Case",
    "CaseResult",
    "PlanError",
    "RunResult",
    "explain",
    "format_explain",
    "longest_first",
    "plan_cases",
    "run",
    "status_table",
    "validate_cases",
]

EXECUTORS = ("local", "dask")


def longest_first(cases: Sequence[Case], manifest: Manifest) -> list[Case]:
    """``cases`` in the order to start them: longest expected duration first, so that no
    kernel is left alone with a long case at the end (LPT scheduling). A case's expected
    duration is its last recorded one, else the longest recorded for its template; cases
    with no record keep their place ahead of the rest (stable sort)."""
    by_template: dict[str, float] = {}
    for entry in manifest.cases.values():
        stem = Path(str(entry.get("template", ""))).stem
        by_template[stem] = max(by_template.get(stem, 0.0), float(entry.get("duration") or 0))

    def expected(case: Case) -> float:
        entry = manifest.get(case.name)
        if entry and entry.get("duration"):
            return float(entry["duration"])
        return by_template.get(case.template_name, float("inf"))

    return sorted(cases, key=expected, reverse=True)


def explain(
    cases: Sequence[Case],
    *,
    data_files: DataFiles = (),
    manifest_path: Path = paths.MANIFEST,
    force: bool = False,
    code_dir: Path = paths.PACKAGE_DIR,
    deps_file: Path = paths.CONSTRAINTS,
    code_of: CodeOf | None = None,
) -> list[tuple[Case, bool, str]]:
    """For each case: will it run, and why (``"cached (key 3fa2c1d0.. unchanged)"``, ...)."""
    manifest = Manifest.load(manifest_path)
    hasher = Hasher(data_files, code_dir, deps_file, code_of)
    result = []
    for case in cases:
        will_run, reason = decide(case, hasher.fingerprint(case), manifest.get(case.name), force)
        result.append((case, will_run, reason))
    return result


@dataclass
class RunResult:
    """Counts of one run; ``returncode`` is 1 when any case failed (or was not run)."""

    total: int
    executed: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)
    explanations: list[tuple[Case, bool, str]] = field(default_factory=list)
    manifest_path: Path | None = None
    summary: str = ""
    explain_only: bool = False

    @property
    def ok(self) -> bool:
        """True when every case is done (executed or cached) and none failed."""
        done = self.explain_only or self.executed + self.cached == self.total
        return done and not self.failed

    @property
    def returncode(self) -> int:
        """0 on success, 1 otherwise (for ``sys.exit``)."""
        return 0 if self.ok else 1


def run(
    cases: Sequence[Case],
    *,
    jobs: int | None = None,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    data_files: DataFiles = (),
    manifest_path: Path | str = paths.MANIFEST,
    explain_only: bool = False,
    validate: Validator | None = None,
    warmup: str | None = None,
    kernel_name: str = "python3",
    timeout: float | None = None,
    on_event: EventHook | None = None,
    quiet: bool = False,
    code_dir: Path = paths.PACKAGE_DIR,
    deps_file: Path = paths.CONSTRAINTS,
    code_of: CodeOf | None = None,
    pool: Any = None,
) -> RunResult:
    """Execute the cases whose inputs changed; record every result in the manifest.

    - ``jobs``: parallel kernels / dask workers (default ``os.cpu_count()``).
    - ``force``: execute every case regardless of the cache.
    - ``executor``: ``"local"`` (warm kernel pool) or ``"dask"`` (``scheduler`` address, or a
      LocalCluster of ``jobs`` processes).
    - ``data_files``: files every case reads (or ``f(case) -> files``), besides
      ``Case.data_files``; their contents are part of the cache key.
    - ``explain_only``: decide and report, execute nothing, write nothing.
    - ``validate``: optional ``validate(template_name, params)`` run for every case first
      (an ``InputError`` aborts before anything starts).
    - ``warmup``: code run once per kernel, e.g. ``"import pandas, matplotlib.pyplot"``.
    - ``on_event(kind, case)``: called for ``cached``, ``start``, ``ok``, ``failed``.
    - ``code_dir`` / ``deps_file``: what "code" and "dependencies" hash (tests point them
      elsewhere); ``code_of(case)``, when given, is the case's code hash instead (the project
      hashes what each template can import).
    - ``pool``: an :class:`analysis.run.execute.PrestartedPool` whose kernels are already
      starting (local executor; the caller closes it).

    A failed case does not stop the others; a KeyboardInterrupt shuts kernels down, keeps the
    manifest entries of finished cases and propagates.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    jobs = jobs or os.cpu_count() or 1
    check_unique(cases)
    validate_cases(cases, validate)
    manifest = Manifest.load(manifest_path)
    hasher = Hasher(data_files, code_dir, deps_file, code_of)
    fingerprints: dict[str, Fingerprint] = {c.name: hasher.fingerprint(c) for c in cases}
    explanations = [
        (case, *decide(case, fingerprints[case.name], manifest.get(case.name), force))
        for case in cases
    ]
    result = RunResult(total=len(cases), explanations=explanations, manifest_path=manifest.path,
                       explain_only=explain_only)
    if explain_only:
        return result

    progress = Progress(len(cases), quiet=quiet)

    def emit(kind: str, case: Case, detail: str = "") -> None:
        progress.event(kind, case, detail)
        if on_event is not None:
            on_event(kind, case)

    to_run = longest_first([case for case, will_run, _ in explanations if will_run], manifest)
    cached = [case for case, will_run, _ in explanations if not will_run]
    for case in cached:
        manifest.mark_cached(case)
        result.cached += 1
    if cached:
        manifest.save()
    for case in cached:
        emit("cached", case)

    version = code_version(fallback=hasher.code)

    def on_result(case: Case, outcome: CaseResult) -> None:
        manifest.record(case, fingerprints[case.name], outcome, version)
        manifest.save()
        result.executed += 1
        if outcome.status == "failed":
            result.failed.append(case.name)
        emit(outcome.status, case, outcome.error or "")

    def on_start(case: Case) -> None:
        emit("start", case)

    options = {"jobs": jobs, "on_start": on_start, "on_result": on_result,
               "kernel_name": kernel_name, "timeout": timeout}
    refused = False  # an executor refused its options (e.g. no scheduler): one error line
    try:
        if executor == "dask":
            from analysis.run.dask_executor import execute_dask

            execute_dask(to_run, scheduler=scheduler, **options)
        else:
            from analysis.run.execute import execute_local

            execute_local(to_run, warmup=warmup, pool=pool, **options)
    except InputError:
        refused = True
        raise
    finally:
        result.summary = progress.summary()
        if not refused:
            progress.finish()
    return result
