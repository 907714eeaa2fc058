"""Local executor: a warm pool of IPC kernels, each executing several cases in sequence.

Kernel start-up and imports are paid once per kernel, not once per case. Each case keeps
papermill's notebook contract: the notebook is loaded and parameterised with papermill's own
functions (``injected-parameters`` cell, ``metadata.papermill``), executed cell by cell through
papermill's ``PapermillNotebookClient`` / ``NotebookExecutionManager`` on the pre-started kernel,
and error cells are marked with papermill's ``raise_for_execution_errors``.

Between cases the kernel is reset in place (IPython ``reset(new_session=True)`` -- fresh
namespace, execution count back to 1 so tracebacks read ``In [n]`` as with papermill --
plus cwd, ``sys.path``, ``os.environ``, warnings filters, open matplotlib figures, rcParams and
pandas options restored). State hidden inside imported modules survives a reset; after a
failed case (or a dead or timed-out kernel) the kernel is restarted instead.

After the warm-up the kernel's objects (about 200,000: the imported modules) are moved out of
the garbage collector's reach (``gc.freeze``): they live as long as the kernel, and a full
collection -- one in every IPython reset, others during a case -- then visits only what the
cases created. An IPython reset between cases took 80-120 ms in a kernel, most of it that
collection; now about 15 ms.

Kernels use the IPC transport with connection files in a private 0700 directory, so no other
local user can reach them, and all are shut down at the end, also after an error or Ctrl-C.

:class:`PrestartedPool` starts the kernels (and their warm-up imports) on an event loop in a
background thread, so that they come up while the caller codes the data and plans the cases;
:func:`execute_local` then runs the cases on those kernels.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

from analysis.common import atomic, paths
from analysis.run.conndir import connection_dir
from analysis.run.manifest import CaseResult, now_iso, one_line
from analysis.run.plan import Case

if TYPE_CHECKING:
    import nbformat
    from papermill.exceptions import PapermillExecutionError

OnStart = Callable[[Case], None]
OnResult = Callable[[Case, CaseResult], None]

STARTUP_TIMEOUT = 120.0
HELPER_MODULE = "_fanout_kernel"

# Installed once per kernel; ``prepare(cwd)`` runs silently before every case.
KERNEL_HELPER = r'''
def _fanout_install():
    import gc, os, sys, types, warnings
    from IPython import get_ipython
    base = {"path": list(sys.path), "env": dict(os.environ),
            "warnings": list(warnings.filters), "rc": None}

    def snapshot():
        mpl = sys.modules.get("matplotlib")
        if mpl is not None:
            skip = ("backend", "interactive")  # set when the inline backend activates
            base["rc"] = {k: v for k, v in mpl.rcParams.items() if k not in skip}
        gc.collect()
        gc.freeze()  # what the warm-up imported lives as long as the kernel (see module doc)

    def prepare(cwd):
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        mpl = sys.modules.get("matplotlib")
        if mpl is not None:
            if base["rc"] is None:
                mpl.rc_file_defaults()
            else:
                mpl.rcParams.update(base["rc"])
        pd = sys.modules.get("pandas")
        if pd is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pd.reset_option("all")
        get_ipython().reset(new_session=True)
        sys.path[:] = base["path"]
        os.environ.clear()
        os.environ.update(base["env"])
        warnings.filters[:] = base["warnings"]
        os.chdir(cwd)

    module = types.ModuleType("HELPER_MODULE")
    module.prepare, module.snapshot = prepare, snapshot
    sys.modules[module.__name__] = module

_fanout_install()
del _fanout_install
'''.replace("HELPER_MODULE", HELPER_MODULE)


# --------------------------------------------------------------------------- kernels


def kernel_env() -> dict[str, str]:
    """The kernel's environment: ours, with the project on ``PYTHONPATH`` (``import analysis``)."""
    env = dict(os.environ)
    parts = [str(paths.PACKAGE_DIR.parent), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in parts if p)
    return env


_private_dir: str | None = None
def private_runtime_dir() -> str:
    """A per-process 0700 directory for connection files (removed at exit)."""
    global _private_dir
    if _private_dir is None:
        _private_dir = str(connection_dir())
        atexit.register(shutil.rmtree, _private_dir, True)
    return _private_dir


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` defaulting to IPC transport, connection files in a private dir.

    Also usable as papermill's ``kernel_manager_class`` (the dask executor does).
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("connection_file")
    def _default_connection_file(self) -> str:
        return os.path.join(private_runtime_dir(), f"kernel-{os.urandom(6).hex()}.json")

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        """Start the kernel with :func:`kernel_env` unless an ``env`` is given."""
        kw.setdefault("env", kernel_env())
        await super().start_kernel(**kw)


class KernelSetupError(RuntimeError):
    """A kernel did not start, or its helper / warm-up code failed."""


class WarmKernel:
    """One pre-started kernel that executes cases one after another."""

    def __init__(
        self,
        index: int,
        conn_dir: Path,
        kernel_name: str = "python3",
        warmup: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.index = index
        self.kernel_name = kernel_name
        self.warmup = warmup
        self.timeout = timeout
        self.km = IPCKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            connection_file=str(conn_dir / f"kernel-{index}.json"),
        )
        self.kc: Any = None
        self.dirty = False  # restart before the next case
        self.cases_run = 0
        self._starting: asyncio.Task | None = None

    def ensure_started(self) -> asyncio.Task:
        """The task starting this kernel (created on the first call): a pool can start its
        kernels early and its workers await the same start."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self.start())
        return self._starting

    async def start(self) -> None:
        """Start the kernel, connect, install the reset helper, run the warm-up code."""
        await self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        await self._connect()

    async def _connect(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.kc.allow_stdin = False
        await self.silent(KERNEL_HELPER, "reset helper")
        if self.warmup:
            await self.silent(self.warmup, "warm-up code")
        await self.silent(f"__import__('sys').modules[{HELPER_MODULE!r}].snapshot()", "snapshot")

    async def restart(self) -> None:
        """Restart the kernel process (after a failed case) and warm it up again."""
        self._stop_channels()
        await self.km.restart_kernel(now=True)
        await self._connect()
        self.dirty = False

    async def silent(self, code: str, what: str = "code", timeout: float = STARTUP_TIMEOUT) -> None:
        """Run ``code`` silently (no history, no outputs); raise on error."""
        reply = await self.kc.execute_interactive(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
        )
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelSetupError(
                f"kernel {self.index}: {what} failed: "
                f"{content.get('ename')}: {content.get('evalue')}"
            )

    async def execute(self, nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
        """Execute a prepared notebook like papermill's nbclient engine does, in ``cwd``."""
        from nbclient.exceptions import CellExecutionError
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager
        from papermill.log import logger

        await self.silent(f"__import__('sys').modules[{HELPER_MODULE!r}].prepare({str(cwd)!r})",
                          "reset", timeout=60)
        self.cases_run += 1
        nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False,
                                          autosave_cell_every=0)
        client = PapermillNotebookClient(
            nb_man, km=self.km, kernel_name=self.kernel_name, log=logger,
            timeout=self.timeout, startup_timeout=STARTUP_TIMEOUT,
        )
        client.kc = self.kc
        nb_man.notebook_start()
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    await client.async_execute_cell(cell, index)
                except CellExecutionError as ex:
                    nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=ex)
                    break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
            info = await client.async_wait_for_reply(self.kc.kernel_info())
            nb_man.nb.metadata["language_info"] = info["content"]["language_info"]
            client.set_widgets_metadata()
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    def _stop_channels(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None

    async def shutdown(self, now: bool = False) -> None:
        """Stop the kernel and remove its connection and socket files. ``now``: killed, and
        reaped here before jupyter_client's shutdown, whose wait for the process polls every
        0.1 s (a tenth of a second added to every run)."""
        self._stop_channels()
        if now:
            self.kill()
        with contextlib.suppress(Exception):
            if self.km.has_kernel:
                await asyncio.wait_for(self.km.shutdown_kernel(now=now), timeout=15)
        with contextlib.suppress(Exception):
            await self.km.cleanup_resources()

    def kill(self) -> None:
        """Last resort (synchronous): kill the kernel process if it is still alive."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(Exception):
                process.kill()
                process.wait(timeout=5)


# --------------------------------------------------------------------------- notebooks


def import_papermill() -> None:
    """Import papermill (and nbclient, nbformat) and install the readable translator of
    injected parameters (江苏, not \\u6c5f\\u82cf).

    Not done when this module is imported: :class:`PrestartedPool` starts its kernels first
    and calls this while they come up, so the import (about 0.1 s) is not waited for."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    from analysis.run import nbtranslate

    nbtranslate.install()


def prepare_notebook(case: Case, kernel_name: str | None = None) -> nbformat.NotebookNode:
    """Load and parameterise the template exactly as ``papermill.execute_notebook`` does."""
    import_papermill()
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    input_path, output_path = str(case.template), str(case.output)
    nb = load_notebook_node(input_path)
    if case.parameters:
        nb = parameterize_notebook(nb, case.parameters, kernel_name=kernel_name)
    nb = prepare_notebook_metadata(nb, input_path, output_path)
    return remove_error_markers(nb)


def error_line(err: PapermillExecutionError) -> str:
    """``In [3]: ValueError: bad region`` -- one line."""
    return one_line(f"In [{err.exec_count}]: {err.ename}: {err.evalue}")


def finalize_notebook(nb: nbformat.NotebookNode, output: Path) -> str | None:
    """Mark a failed notebook like papermill does, write it atomically; return the error line."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    error = None
    try:
        # On error papermill inserts its marker cells into ``nb`` (in place for a v4 notebook)
        # and "writes" to the path None, i.e. nowhere; we write atomically below.
        raise_for_execution_errors(nb, None)
    except PapermillExecutionError as err:
        error = error_line(err)
    atomic.write_text(output, nbformat.writes(nb))
    return error


def run_papermill(template: Path | str, output: Path | str, parameters: dict[str, Any], *,
                  kernel_name: str, cwd: Path | str, timeout: float | None = None) -> str | None:
    """Execute ``template`` with papermill (IPC kernel, readable injected parameters) into a
    temporary file beside ``output``, then publish it under ``output``.

    Returns None, or the one-line error of a failed run: a cell that raised, a cell past
    ``timeout``, a dead kernel. The executed notebook (with the traceback of a failed cell)
    is kept whenever papermill wrote one. An interrupt removes the temporary file and
    propagates."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from papermill.log import logger as papermill_logger

    import_papermill()
    papermill_logger.addFilter(_declared_parameters)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".tmp.ipynb", dir=output.parent)
    os.close(fd)
    error = None
    try:
        try:
            papermill.execute_notebook(
                str(template), tmp, parameters=parameters, kernel_name=kernel_name,
                cwd=str(cwd), progress_bar=False, execution_timeout=timeout,
                kernel_manager_class=IPCKernelManager)  # IPC, not TCP
        except PapermillExecutionError as err:
            error = error_line(err)
        except Exception as err:  # cell timeout, dead kernel, ...
            first = (str(err).strip().splitlines() or [""])[0]
            error = one_line(f"{type(err).__name__}: {first}")
        if os.path.getsize(tmp) > 0:  # papermill saved the (possibly failed) notebook
            nb = nbformat.read(tmp, as_version=4)
            nb.metadata.setdefault("papermill", {})["output_path"] = str(output)
            atomic.write_text(output, nbformat.writes(nb))
        elif error is None:
            error = "papermill wrote no notebook"
    finally:
        papermill_logger.removeFilter(_declared_parameters)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return error


def _declared_parameters(record: logging.LogRecord) -> bool:
    """A logging filter dropping papermill's "Passed unknown parameter" warning: a template
    declares its parameters in :mod:`analysis.views.params` (its parameters cell reads them
    from there, which papermill cannot see), and every name is checked against those models
    before papermill runs, so the warning would only mislead."""
    return not record.getMessage().startswith("Passed unknown parameter")


# --------------------------------------------------------------------------- pool


class KernelPool:
    """``size`` warm kernels draining one queue of cases."""

    def __init__(
        self,
        size: int,
        kernel_name: str = "python3",
        warmup: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.conn_dir = connection_dir()  # mode 0700
        self.kernels = [
            WarmKernel(i, self.conn_dir, kernel_name, warmup, timeout) for i in range(size)
        ]
        self.aborting = False
        self.start_errors: list[str] = []

    async def run(self, cases: Sequence[Case], on_start: OnStart, on_result: OnResult) -> None:
        """Execute all cases; results are reported through ``on_result`` as they complete."""
        queue = deque(cases)
        await asyncio.gather(*(self._worker(k, queue, on_start, on_result) for k in self.kernels))
        reason = "; ".join(dict.fromkeys(self.start_errors)) or "no kernel available"
        while queue and not self.aborting:  # every kernel failed to start
            case = queue.popleft()
            on_start(case)
            stamp = now_iso()
            on_result(case, CaseResult(case.name, "failed", stamp, stamp, 0.0, one_line(reason)))

    async def _worker(
        self, kernel: WarmKernel, queue: deque[Case], on_start: OnStart, on_result: OnResult
    ) -> None:
        try:
            await kernel.ensure_started()
        except Exception as err:
            self.start_errors.append(f"kernel did not start: {err}")
            return
        while queue and not self.aborting:
            if kernel.dirty:
                try:
                    await kernel.restart()
                except Exception as err:
                    self.start_errors.append(f"kernel did not restart: {err}")
                    return
                if not queue or self.aborting:  # another kernel took the last case meanwhile
                    return
            case = queue.popleft()
            on_start(case)
            result = await self._run_case(kernel, case)
            if result is None:  # aborted: write nothing
                return
            on_result(case, result)

    async def _run_case(self, kernel: WarmKernel, case: Case) -> CaseResult | None:
        start, began = now_iso(), time.monotonic()
        nb, error = None, None
        try:
            nb = prepare_notebook(case, kernel.kernel_name)
            case.out_dir.mkdir(parents=True, exist_ok=True)
            nb = await kernel.execute(nb, case.out_dir.resolve())
        except Exception as exc:  # dead kernel, cell timeout, unreadable template ...
            error = one_line(f"{type(exc).__name__}: {exc}")
        if self.aborting:
            return None
        if nb is not None:
            error = finalize_notebook(nb, case.output) or error
        kernel.dirty = kernel.dirty or error is not None
        status = "failed" if error else "ok"
        return CaseResult(case.name, status, start, now_iso(), time.monotonic() - began, error)

    async def shutdown(self, now: bool = True) -> None:
        """Shut every kernel down concurrently. Killed (``now``) by default: every case's
        notebook is written before its result is reported and a kernel keeps nothing else, so
        the polite shutdown request would only add about a second of waiting to every run."""
        await asyncio.gather(*(k.shutdown(now=now) for k in self.kernels))

    def close(self) -> None:
        """Kill whatever survived ``shutdown`` and remove the connection directory."""
        for kernel in self.kernels:
            kernel.kill()
        shutil.rmtree(self.conn_dir, ignore_errors=True)


def _settle(loop: asyncio.AbstractEventLoop, awaitable: Any) -> None:
    """Run ``awaitable`` to the end even if tasks raise KeyboardInterrupt meanwhile (cleanup)."""
    task = asyncio.ensure_future(awaitable, loop=loop)
    for _ in range(5):
        try:
            loop.run_until_complete(task)
            return
        except (KeyboardInterrupt, SystemExit):
            if task.done():
                return


class PrestartedPool:
    """A :class:`KernelPool` whose kernels start now, on an event loop in a background thread.

    Use it as a context manager around the work that decides the cases (coding the data,
    planning) and pass it to :func:`execute_local`; leaving the context shuts every kernel down
    (also when no case was run, or on an error or Ctrl-C).
    """

    def __init__(self, size: int, kernel_name: str = "python3", warmup: str | None = None,
                 timeout: float | None = None) -> None:
        self.pool = KernelPool(max(1, size), kernel_name, warmup, timeout)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kernel-pool",
                                       daemon=True)
        self.thread.start()
        self.closed = False

        async def start_all() -> None:
            for kernel in self.pool.kernels:
                kernel.ensure_started()

        asyncio.run_coroutine_threadsafe(start_all(), self.loop).result()
        import_papermill()  # while the kernels come up

    def __enter__(self) -> PrestartedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, cases: Sequence[Case], on_start: OnStart, on_result: OnResult) -> None:
        """Execute ``cases`` on the pool's kernels; Ctrl-C abandons running cases."""
        future = asyncio.run_coroutine_threadsafe(
            self.pool.run(cases, on_start, on_result), self.loop)
        try:
            future.result()
        except BaseException:
            self.pool.aborting = True
            future.cancel()
            raise

    def close(self, now: bool = True) -> None:
        """Cancel what runs, shut every kernel down (killed by default: see
        :meth:`KernelPool.shutdown`), stop the loop and its thread."""
        if self.closed:
            return
        self.closed = True

        async def stop() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=15)
            await self.pool.shutdown(now=now)

        try:
            for _ in range(5):  # a second Ctrl-C must not leave kernels behind
                try:
                    asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=60)
                    break
                except (KeyboardInterrupt, SystemExit):
                    continue
                except Exception:
                    break
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
            self.pool.close()
            if not self.thread.is_alive():
                self.loop.close()


def execute_local(
    cases: Sequence[Case],
    *,
    jobs: int,
    on_start: OnStart,
    on_result: OnResult,
    warmup: str | None = None,
    kernel_name: str = "python3",
    timeout: float | None = None,
    pool: PrestartedPool | None = None,
) -> None:
    """Execute ``cases`` on ``min(jobs, len(cases))`` warm kernels (or on ``pool``'s kernels,
    already starting; the caller closes it).

    ``on_result`` is called after each case's notebook is in place. Kernels are always shut
    down; on an exception or KeyboardInterrupt running cases are abandoned (nothing written
    for them) and the exception propagates.
    """
    if pool is not None:
        pool.run(cases, on_start, on_result)
        return
    if not cases:
        return
    pool = KernelPool(max(1, min(jobs, len(cases))), kernel_name, warmup, timeout)
    loop = asyncio.new_event_loop()
    main = loop.create_task(pool.run(cases, on_start, on_result))
    pending: list[asyncio.Task] = []
    finished = False
    try:
        loop.run_until_complete(main)
        finished = True
    finally:
        pool.aborting = not finished
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                _settle(loop, asyncio.wait(pending, timeout=15))
            _settle(loop, pool.shutdown())
        finally:
            for task in (main, *pending):  # retrieved, so asyncio does not log them at exit
                if task.done() and not task.cancelled():
                    task.exception()
            pool.close()
            loop.close()
