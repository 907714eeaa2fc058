"""Book chapters from the executed notebooks: a reader's copy of each, or a failure placeholder.

The runner's executed notebook (``book/regions/<slug>/region.ipynb``) stays as papermill wrote
it. The book reads a copy under ``book/_generated/`` in which

* the title cell's heading names the chapter (``# Jiangsu 江苏`` instead of the template's
  ``# Province profile``) and a provenance note follows it (executed notebook, template,
  parameters, input hashes and status, from the run manifest);
* the ``parameters`` and ``injected-parameters`` cells are tagged ``remove-cell``: the reader
  sees the parameters in the provenance note, not as code;
* every displayed figure becomes a numbered ``{glue:figure}`` with the caption its chart
  declares (:mod:`analysis.views.charts`), a link to the CSV of its data (written beside the
  image) and a provenance line; a figure no chart declares, or one without its CSV, is an
  error.

A case whose manifest status is ``failed`` (or that has no executed notebook) gets a Markdown
placeholder chapter instead: case name, one-line error, where the executed notebook with the
traceback is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from analysis.coding.vocab import vocabulary
from analysis.common.escape import escape_markdown
from analysis.views.charts import parse_key

__all__ = ["GLUE_MIME", "Chapter", "placeholder", "provenance", "reader_copy"]

GLUE_MIME = "application/papermill.record/"
REMOVE_TAGS = ("parameters", "injected-parameters")
OK_STATUSES = ("ok", "cached")

@dataclass(frozen=True)
class Chapter:
    """One notebook chapter of the book: its case, title, page and whether it was built."""

    case: str
    title: str
    docname: str  # relative to the project root, no suffix: book/_generated/regions/jiangsu
    ok: bool
    error: str | None = None
    output: str | None = None  # executed notebook, relative to the root
    question: str | None = None  # a scenario's one-line question, shown under the title
    glue_prefix: str | None = None  # prefix of the notebook's glue keys (default from case)

    @property
    def slug(self) -> str:
        """Last part of the case name (``jiangsu``; ``comparison``)."""
        return self.case.rsplit("/", 1)[-1]


def _params_text(parameters: Mapping[str, Any]) -> str:
    return ", ".join(f"{escape_markdown(str(k))} = {escape_markdown(str(v))}"
                     for k, v in sorted(parameters.items())) or "none"


def provenance(entry: Mapping[str, Any], *, short: bool = False) -> str:
    """One Markdown sentence: executed notebook, template, parameters, data hashes, status."""
    inputs = entry.get("inputs") or {}
    data = ", ".join(f"{escape_markdown(Path(path).name)} `{digest[:12]}`"
                     for path, digest in (inputs.get("data") or {}).items())
    head = (f"Notebook `{entry.get('output', '?')}` (template `{entry.get('template', '?')}`, "
            f"case `{entry.get('name', '?')}`), parameters "
            f"{_params_text(entry.get('parameters') or {})}")
    if short:
        return f"{head}; data {data or 'none'}."
    finished = str(entry.get("end") or "")[:16].replace("T", " ")
    return (f"{head}; input data {data or 'none'}; executed {finished} UTC in "
            f"{entry.get('duration', 0):.1f} s, status {entry.get('status', '?')}, code "
            f"version `{entry.get('code_version', '?')}`.")


def _retitle(nb: nbformat.NotebookNode, title: str) -> int:
    """Put ``# title`` as the heading of the first Markdown cell; return that cell's index."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        rest = lines[1:] if lines and lines[0].startswith("# ") else lines
        cell.source = "\n".join([f"# {escape_markdown(title)}", *rest])
        return index
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {escape_markdown(title)}"))
    return 0


def _figure_cell(key: str, caption: str, csv: str, entry: Mapping[str, Any],
                 scope: str = "") -> nbformat.NotebookNode:
    """``scope`` makes the figure's label unique in the book when two chapters show the same
    glue key (a scenario beside the chapter it varies)."""
    link = f" {{download}}`Data (CSV) <{csv}>`."
    name = "fig-" + re.sub(r"[^a-z0-9]+", "-", f"{scope} {key}".lower()).strip("-")
    source = (f"```{{glue:figure}} {key}\n:name: {name}\n:alt: {escape_markdown(caption)}\n\n"
              f"{escape_markdown(caption)}{link} Provenance: {provenance(entry, short=True)}\n"
              "```")
    return nbformat.v4.new_markdown_cell(source)


def _figure_outputs(cell: nbformat.NotebookNode) -> list[str]:
    """Turn the cell's displayed glued figures into glue-only outputs; return their keys."""
    keys = []
    for output in cell.get("outputs", []):
        meta = output.get("metadata", {}).get("scrapbook", {})
        data = output.get("data", {})
        if not meta.get("name") or meta.get("mime_prefix") or \
                not any(m.startswith("image/") for m in data):
            continue
        output["data"] = {GLUE_MIME + mime: value for mime, value in data.items()}
        meta["mime_prefix"] = GLUE_MIME
        keys.append(meta["name"])
    return keys


def reader_copy(executed: Path, target: Path, chapter: Chapter, entry: Mapping[str, Any],
                case_dir: Path) -> nbformat.NotebookNode:
    """The reader's copy of ``executed`` for ``target`` (not written): see the module doc."""
    nb = nbformat.read(executed, as_version=4)
    domains = vocabulary().domains
    title_at = _retitle(nb, chapter.title)
    if chapter.question:  # right under the heading, before the template's introduction
        heading, _, rest = nb.cells[title_at].source.partition("\n")
        nb.cells[title_at].source = (
            f"{heading}\n\n**{escape_markdown(chapter.question)}** This chapter is the "
            f"scenario `{chapter.slug}` of `data/scenarios.yml`: the analysis below with the "
            f"parameters in its provenance note.\n{rest}")
    note = (":::{admonition} Provenance\n:class: provenance\n"
            f"{provenance(entry)} Numbers below are computed from the coded items; each "
            "sentence cites the items it rests on, and the numbers audit lists the sources of "
            "every value.\n:::")
    nb.cells.insert(title_at + 1, nbformat.v4.new_markdown_cell(note))
    prefix = chapter.glue_prefix or ("comparison_" if chapter.case == "comparison"
                                     else f"{chapter.slug}_")
    scope = chapter.slug if chapter.question else ""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if any(tag in tags for tag in REMOVE_TAGS) and "remove-cell" not in tags:
            tags.append("remove-cell")
        for key in _figure_outputs(cell):
            chart, domain = parse_key(key, prefix, domains)
            csv_file = case_dir / f"{chart.stem(domain)}.csv"
            if not csv_file.is_file():
                raise FileNotFoundError(f"{executed}: figure {key!r} has no data file "
                                        f"{csv_file.name} beside the notebook")
            csv = Path(os.path.relpath(csv_file, target.parent)).as_posix()
            cells.append(_figure_cell(key, chart.caption_for(domain, chapter.title), csv,
                                      entry, scope))
    nb.cells = cells
    return nb


def placeholder(chapter: Chapter, entry: Mapping[str, Any] | None) -> str:
    """Markdown of the placeholder chapter of a failed (or never executed) case."""
    entry = entry or {}
    status = entry.get("status", "not run")
    error = escape_markdown(chapter.error or entry.get("error") or "no error was recorded")
    where = chapter.output or entry.get("output")
    lines = [
        f"# {escape_markdown(chapter.title)}",
        "",
        ":::{error}",
        f"This chapter could not be built: the notebook case `{chapter.case}` "
        f"{'failed' if status == 'failed' else 'was not executed'} (status {status}).",
        "",
        f"- Error: {error}",
        (f"- The executed notebook with the traceback: `{where}`" if where else
         "- No executed notebook was written."),
        f"- Template `{entry.get('template', '?')}`, parameters "
        f"{_params_text(entry.get('parameters') or {})}.",
        "- Fix the cause and run `python -m analysis report` again: failed cases are "
        "executed again, the others come from the cache.",
        ":::",
        "",
    ]
    return "\n".join(lines)
