"""``--executor dask``: each case is one ``dask.distributed`` task running plain papermill.

Without a scheduler address a ``LocalCluster`` of ``jobs`` worker *processes* with one thread
each is started (papermill changes the process cwd, so threads would not be safe). A task
executes one case with ``papermill.execute_notebook`` into a temporary file beside the output,
then renames it into place: the same notebook and manifest entry as the local executor. Kernels
use the IPC transport (:class:`~analysis.run.execute.IPCKernelManager`).

With a remote scheduler, the workers must be able to import ``analysis`` and see the same
paths (shared file system).
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

from analysis.common.errors import InputError
from analysis.run.execute import OnResult, OnStart
from analysis.run.manifest import CaseResult, now_iso, one_line
from analysis.run.plan import Case


def task_payload(
    case: Case, kernel_name: str = "python3", timeout: float | None = None
) -> dict[str, Any]:
    """A plain, picklable description of one case for a worker."""
    return {
        "name": case.name,
        "template": str(case.template),
        "output": str(case.output),
        "cwd": str(case.out_dir.resolve()),
        "parameters": case.parameters,
        "kernel_name": kernel_name,
        "timeout": timeout,
    }


def execute_case_task(payload: dict[str, Any]) -> dict[str, Any]:
    """Worker side: execute one case with papermill; never raises for a failing notebook."""
    from analysis.run.execute import run_papermill

    start, began = now_iso(), time.monotonic()
    error = run_papermill(payload["template"], payload["output"], payload["parameters"],
                          kernel_name=payload["kernel_name"], cwd=payload["cwd"],
                          timeout=payload["timeout"])
    return {
        "name": payload["name"],
        "status": "failed" if error else "ok",
        "start": start,
        "end": now_iso(),
        "duration": time.monotonic() - began,
        "error": error,
    }


def execute_dask(
    cases: Sequence[Case],
    *,
    jobs: int,
    scheduler: str | None,
    on_start: OnStart,
    on_result: OnResult,
    kernel_name: str = "python3",
    timeout: float | None = None,
) -> None:
    """Submit every case, report results as they complete; always close client and cluster.

    ``on_start`` fires when a case is submitted (dask does not report when a task begins).
    """
    if not cases:
        return
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("--executor dask", "dask is not installed; install the project with "
                         "its dask extra: pip install -e '.[dask]'") from None

    cluster = None
    if scheduler:
        client = _connect(Client, scheduler)
    else:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    futures: dict[Any, Case] = {}
    try:
        run_id = uuid.uuid4().hex[:8]
        for index, case in enumerate(cases):
            future = client.submit(
                execute_case_task, task_payload(case, kernel_name, timeout),
                key=f"notebook-case-{run_id}-{index}", pure=False,
            )
            futures[future] = case
            on_start(case)
        for future in as_completed(futures):
            case = futures[future]
            try:
                outcome = CaseResult.from_dict(future.result())
            except Exception as err:  # worker died, task lost ...
                stamp = now_iso()
                error = one_line(f"{type(err).__name__}: {err}")
                outcome = CaseResult(case.name, "failed", stamp, stamp, 0.0, error)
            on_result(case, outcome)
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(futures), force=True)
        client.close()
        if cluster is not None:
            cluster.close()


#: Seconds to wait for a scheduler given with ``--scheduler`` before giving up.
CONNECT_TIMEOUT = 5


def _connect(client_class: Any, scheduler: str) -> Any:
    """A client of ``scheduler``, or a one-line ``InputError`` after :data:`CONNECT_TIMEOUT`
    seconds when nothing answers there (no 30 s wait, no traceback)."""
    try:
        return client_class(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        reason = one_line(str(err)) or type(err).__name__
        raise InputError(f"--scheduler {scheduler}", f"no dask scheduler answers there within "
                         f"{CONNECT_TIMEOUT} s ({reason[:120]})") from None
