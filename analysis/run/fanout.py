"""``python -m analysis run``: code the bulletins, then execute every notebook case.

The data step is cheap (about a second) and always runs, so a changed bulletin, codebook or
review row reaches the notebooks; the notebook step re-executes only cases whose inputs
changed (``analysis.run.runner``'s content-addressed cache).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from analysis.common import paths
from analysis.compare.index import project_weights
from analysis.dataset.state import raw_bulletins, up_to_date
from analysis.run import cases
from analysis.run.conndir import sweep_connection_dirs
from analysis.run.runner import RunResult, format_explain, run, status_table


def run_notebooks(*, regions: Sequence[str] | None = None,
                  params: Mapping[str, Any] | None = None, jobs: int | None = None,
                  force: bool = False, executor: str = "local", scheduler: str | None = None,
                  explain_only: bool = False, build_data: bool = True,
                  quiet: bool = False) -> RunResult:
    """Check the project's weights file, code the data (unless ``build_data`` is false),
    plan and validate every case (an ``InputError`` before any kernel starts), then execute.
    Prints the explanation (``explain_only``) or the status table of failures."""
    sweep_connection_dirs()  # folders a killed run left behind
    project_weights()  # a broken weights file or parameter name stops the run before the
    cases.check_names(params or {})  # data are rewritten
    if build_data and not up_to_date(raw_bulletins()):
        from analysis.dataset.build import build  # imported only when there is something to code

        build()
    planned = cases.plan(regions, params)
    result = run(planned, jobs=jobs, force=force, executor=executor, scheduler=scheduler,
                 data_files=cases.DATA_FILES, manifest_path=paths.MANIFEST,
                 explain_only=explain_only, warmup=cases.WARMUP, quiet=quiet,
                 code_of=cases.code_of)
    if explain_only:
        print(format_explain(result.explanations))
    elif result.failed:
        print(status_table(paths.MANIFEST), file=sys.stderr)
        print(f"error: {len(result.failed)} notebook case(s) failed: "
              f"{', '.join(result.failed)}", file=sys.stderr)
    return result
