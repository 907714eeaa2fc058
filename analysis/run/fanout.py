"""``python -m analysis run``: code the bulletins, then execute every notebook case.

The data step is cheap (about a second) and always runs, so a changed bulletin, codebook or
review row reaches the notebooks; the notebook step re-executes only cases whose inputs
changed (``analysis.run.runner``'s content-addressed cache).

When cases are bound to run (``--force``, or data to code), the kernels start first, in the
background (:class:`analysis.run.execute.PrestartedPool`), and come up while the data is coded
and the cases are planned and hashed. The cases are validated before that against the data as
it is (every parameter and scenario), and again once the data is coded; when they are invalid
for the old data only, the kernels wait for the new data's verdict; on a fresh checkout (no
coded data yet) they wait too: no kernel starts for a plan invalid on the data at hand.

What comes before the kernels start is kept light: the parameter checks import neither numpy
nor pandas (:mod:`analysis.compare.weights`, :mod:`analysis.dataset.fields`), and with
``--force`` whether the data are stale is decided after the kernels start.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.compare.weights import project_weights
from analysis.dataset.state import raw_bulletins, up_to_date
from analysis.run import cases
from analysis.run.conndir import sweep_connection_dirs
from analysis.run.runner import RunResult, format_explain, run, status_table


def run_notebooks(*, regions: Sequence[str] | None = None,
                  params: Mapping[str, Any] | None = None, jobs: int | None = None,
                  force: bool = False, executor: str = "local", scheduler: str | None = None,
                  explain_only: bool = False, build_data: bool = True,
                  quiet: bool = False) -> RunResult:
    """Check the project's weights file and parameter names, code the data (unless
    ``build_data`` is false), plan and validate every case (an ``InputError`` before any kernel
    starts), then execute; kernels start while the data is coded when the plan is valid on the
    data at hand. Prints the explanation (``explain_only``) or the status table of failures."""
    sweep_connection_dirs()  # folders a killed run left behind
    project_weights()  # a broken weights file or parameter name stops the run before the
    cases.check_names(params or {})  # data are rewritten
    local = executor == "local" and not explain_only and paths.ITEMS_CSV.is_file()
    # --force runs every case: whether the data are stale is decided after the kernels start
    stale = None if force else build_data and not up_to_date(raw_bulletins())
    early = False
    if local and (force or stale):
        try:
            cases.plan(regions, params)  # an InputError before any kernel starts
            early = True
        except InputError:
            pass  # invalid on the data at hand: decided again below, after any coding
    pool = _prestart(jobs) if early else contextlib.nullcontext()
    with pool:
        if stale is None:
            stale = build_data and not up_to_date(raw_bulletins())
        if stale:
            from analysis.dataset.build import build  # imported only when there is work

            build()
        planned = cases.plan(regions, params)
        if "weights" in (params or {}) and not quiet:
            print(_weights_line((params or {})["weights"]), file=sys.stderr)
        result = run(planned, jobs=jobs, force=force, executor=executor, scheduler=scheduler,
                     data_files=cases.DATA_FILES, manifest_path=paths.MANIFEST,
                     explain_only=explain_only, warmup=cases.WARMUP, quiet=quiet,
                     code_of=cases.code_of, pool=pool if early else None)
    if explain_only:
        print(format_explain(result.explanations))
    elif result.failed:
        print(status_table(paths.MANIFEST), file=sys.stderr)
        print(f"error: {len(result.failed)} notebook case(s) failed: "
              f"{', '.join(result.failed)}", file=sys.stderr)
    return result


def _weights_line(weights: Any) -> str:
    """The index weights a ``-p weights`` value gives, merged and renormalised as the notebooks
    use them (the template's own validation: :func:`analysis.views.params.validate_params`)."""
    from analysis.compare.weights import weights_text
    from analysis.views.params import validate_params

    merged = validate_params("comparison", {"output_dir": ".", "weights": weights}).weights
    return (f"the index uses {weights_text(merged or {})} (-p weights; the indicators it "
            f"leaves out keep their weights from {paths.INDEX_WEIGHTS.name})")


def _prestart(jobs: int | None) -> Any:
    """A pool of ``jobs`` kernels (default: CPU count) starting in the background."""
    from analysis.run.execute import PrestartedPool

    return PrestartedPool(jobs or os.cpu_count() or 1, warmup=cases.WARMUP)
