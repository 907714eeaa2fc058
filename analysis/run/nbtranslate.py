"""Readable injected parameters: papermill writes ``region = "\\u6c5f\\u82cf"`` for Chinese text;
this translator writes ``region = '江苏'`` (a Python literal, so the notebook contract holds).

``install()`` registers it for Python kernels; the runner and ``analysis.run.notebook`` call it
before parameterising a notebook.
"""

from __future__ import annotations

from papermill.translators import PythonTranslator, papermill_translators


class ReadablePythonTranslator(PythonTranslator):
    """``PythonTranslator`` whose strings are ``repr`` literals (non-ASCII kept as is)."""

    @classmethod
    def translate_str(cls, val: object) -> str:
        return repr(str(val))

    @classmethod
    def translate_escaped_str(cls, str_val: object) -> str:
        return repr(str_val) if isinstance(str_val, str) else f'"{str_val}"'


def install() -> None:
    """Use the readable translator for every Python kernel papermill parameterises."""
    papermill_translators.register("python", ReadablePythonTranslator)
