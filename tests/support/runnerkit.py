"""Tiny notebook templates and inputs for the runner tests (made up; nothing about bulletins)."""

from __future__ import annotations

from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
DEFAULT_BODY = "y = x * 2\nprint(y)"


def make_template(path: Path, params: str = "x = 1", *bodies: str) -> Path:
    """A notebook template: markdown, a ``parameters`` cell, then one code cell per body
    (``y = x * 2; print(y)`` when none is given)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), cell]
    nb.cells += [nbformat.v4.new_code_cell(body) for body in (bodies or (DEFAULT_BODY,))]
    nbformat.write(nb, path)
    return path


def tiny_inputs(tmp_path: Path) -> dict[str, Path]:
    """A code folder, a constraints file and two data files to hash, that nobody else edits."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "mod.py").write_text("A = 1\n")
    deps = tmp_path / "constraints.txt"
    deps.write_text("papermill==2.7.0\n")
    d1, d2 = tmp_path / "d1.csv", tmp_path / "d2.csv"
    d1.write_text("a\n1\n")
    d2.write_text("b\n2\n")
    return {"tmp": tmp_path, "code": code, "deps": deps, "d1": d1, "d2": d2}
