"""``python -m analysis.book.jbcli build ...``: the ``jupyter-book`` command with parallel Sphinx.

Jupyter Book 1's command line has no ``-j``: its ``build_sphinx`` takes ``jobs`` but the CLI
always passes none (one process). This runs the same CLI with ``jobs`` set from the
environment variable ``BOOK_SPHINX_JOBS`` (default: the number of CPUs), so Sphinx reads and
writes the pages in that many processes. The book's extensions declare themselves
parallel-safe, except :data:`UNDECLARED` ones, declared here.
"""

from __future__ import annotations

import os
import sys
from typing import Any

JOBS_VARIABLE = "BOOK_SPHINX_JOBS"


def jobs() -> int:
    """Sphinx processes: ``BOOK_SPHINX_JOBS`` if set (at least 1), else the CPU count."""
    value = os.environ.get(JOBS_VARIABLE, "")
    return max(1, int(value)) if value.isdigit() else (os.cpu_count() or 1)


#: Extensions Jupyter Book loads that do not declare parallel safety (Sphinx would then warn,
#: an error under -W, and build serially). Each only replaces a collector method or connects
#: a handler run in the main process, or only acts for the LaTeX builder (read here, pinned
#: versions), so they are safe.
UNDECLARED = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _declare_parallel_safe() -> None:
    import importlib

    for name in UNDECLARED:
        module = importlib.import_module(name)
        original = module.setup

        def setup(app: Any, _original: Any = original) -> dict[str, Any]:
            return {**(_original(app) or {}), "parallel_read_safe": True,
                    "parallel_write_safe": True}

        module.setup = setup


def main(argv: list[str] | None = None) -> None:
    """Run ``jupyter-book`` with ``argv`` and :func:`jobs` Sphinx processes."""
    import jupyter_book.sphinx
    from jupyter_book.cli import main as cli

    original = jupyter_book.sphinx.build_sphinx

    def build_sphinx(*args: Any, **kwargs: Any) -> Any:
        kwargs["jobs"] = jobs()
        return original(*args, **kwargs)

    jupyter_book.sphinx.build_sphinx = build_sphinx  # imported from here inside ``build``
    _declare_parallel_safe()
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="jupyter-book")


if __name__ == "__main__":
    main()
