"""Execute one notebook template with papermill: ``python -m analysis notebook TEMPLATE ...``.

Order of work, so that a bad parameter costs nothing: resolve the template, parse the values
(YAML, like papermill's ``-y``), validate them against the data with
:func:`analysis.views.params.validate_params`, check the kernel spec, and only then start a kernel.
papermill writes the executed notebook to a temporary file beside ``output`` that is renamed
into place at the end, so ``output`` is never half-written (a failed notebook is renamed too,
with papermill's error marker, and :class:`NotebookFailed` is raised).

The kernel is ``python3`` by default; :func:`check_kernel` makes sure it runs this
environment's Python (jupyter_client replaces a spec's bare ``python`` by
``sys.executable``), and the project folder is put on the kernel's ``PYTHONPATH`` so the
notebook imports this ``analysis`` package whatever its working directory.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.common.outputs import check_output, check_output_dir
from analysis.views.params import MODELS, NotebookParams, validate_params

DEFAULT_KERNEL = "python3"


class NotebookFailed(RuntimeError):
    """A cell raised while executing; ``str()`` is one line (output path, cell, error)."""


@dataclass(frozen=True)
class NotebookRun:
    """The result of :func:`execute_template`."""

    output: Path
    params: NotebookParams
    seconds: float


def resolve_template(template: str | Path) -> Path:
    """``region`` / ``comparison`` -> ``notebooks/<name>.ipynb``; else an existing ``.ipynb``."""
    text = str(template)
    path = paths.TEMPLATES / f"{text}.ipynb" if text in MODELS else Path(text)
    if not path.is_file():
        raise InputError("template", f"{text!r} is not a template name or notebook file; "
                         f"valid names: {', '.join(MODELS)}")
    if path.stem not in MODELS:
        raise InputError("template", f"{path}: unknown template {path.stem!r} (the file name "
                         f"picks the parameters); valid: {', '.join(MODELS)}")
    return path


def parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value as YAML: ``'["ftz"]'`` -> list, ``1000`` -> int, ``江苏`` -> str.

    ``''`` and ``null`` are None (the parameter's default).
    """
    try:
        return yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError("parameter value", f"{text!r} is not valid YAML ({mark})") from None


def parse_parameters(pairs: list[tuple[str, str]] | list[list[str]]) -> dict[str, Any]:
    """``[(name, value), ...]`` -> ``{name: parsed value}``; a name given twice is an error."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise InputError(f"parameter {name}", "given twice")
        try:
            out[name] = parse_value(value)
        except InputError as err:
            raise InputError(f"parameter {name}", err.problem) from None
    return out


def check_kernel(kernel_name: str = DEFAULT_KERNEL) -> None:
    """Raise InputError unless ``kernel_name`` is installed and runs this environment's Python."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise InputError("kernel", f"no kernel spec named {kernel_name!r}; install one with "
                         f"`{sys.executable} -m ipykernel install --sys-prefix`") from None
    exe = spec.argv[0] if spec.argv else ""
    major, minor = sys.version_info[:2]
    bare = {"python", f"python{major}", f"python{major}.{minor}"}
    if exe not in bare and Path(exe).resolve() != Path(sys.executable).resolve():
        raise InputError("kernel", f"kernel spec {kernel_name!r} runs {exe}, not this "
                         f"environment's {sys.executable}")


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """The project folder on PYTHONPATH (kernels inherit this process's environment)."""
    code = str(paths.PACKAGE_DIR.parent)
    old = os.environ.get("PYTHONPATH")
    parts = [p for p in (old or "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([code, *[p for p in parts if p != code]])
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def default_output_dir(output: Path) -> Path:
    """Figures of a CLI run go next to the notebook: ``OUT.ipynb`` -> ``OUT_figures/``."""
    return output.parent / f"{output.stem}_figures"


def execute_template(
    template: str | Path,
    parameters: Mapping[str, Any],
    output: Path | str,
    *,
    kernel_name: str = DEFAULT_KERNEL,
    timeout: float | None = None,
    cwd: Path | str | None = None,
) -> NotebookRun:
    """Validate ``parameters``, then execute ``template`` into ``output`` with papermill.

    ``output_dir`` defaults to :func:`default_output_dir`; a relative one is taken from the
    current directory; it must lie inside the project or the folder of ``output``
    (:mod:`analysis.common.outputs`). The kernel runs in ``cwd`` (default: the folder of
    ``output``).
    Raises InputError before any kernel starts (nothing written), NotebookFailed when a cell
    raises (``output`` holds the failed notebook).
    """
    output = Path(output).expanduser().absolute()
    if output.suffix != ".ipynb":
        raise InputError(output, "the output notebook name must end in .ipynb")
    if output.is_dir():
        raise InputError(output, "is a directory, expected a notebook file name")
    path = resolve_template(template)
    given = dict(parameters)
    if not given.get("output_dir"):
        given["output_dir"] = str(default_output_dir(output))
    params = validate_params(path.stem, given)
    check_output(output, "-o")
    check_output_dir(params.output_dir, "parameter output_dir", [output.parent])
    given["output_dir"] = str(params.output_dir)
    check_kernel(kernel_name)

    from analysis.run.execute import run_papermill

    start = time.perf_counter()
    with _kernel_env():
        error = run_papermill(path, output, given, kernel_name=kernel_name,
                              cwd=cwd or output.parent, timeout=timeout)
    if error is not None:
        kept = " (the executed notebook is kept there)" if output.is_file() else ""
        raise NotebookFailed(f"{output}: {error}{kept}")
    return NotebookRun(output, params, time.perf_counter() - start)


__all__ = [
    "NotebookFailed", "NotebookRun", "check_kernel", "default_output_dir", "execute_template",
    "parse_parameters", "parse_value", "resolve_template",
]
