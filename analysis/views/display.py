"""Showing a view in a notebook cell: its Markdown, its table, its figures, and the glue
values (with their sources) that the book quotes and the numbers audit lists."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from analysis.views.common import Section
from analysis.views.markdown import SOURCES_SUFFIX, ids_list, markdown_output, table_output


def glue_sources(values: Iterable[str], sources: Mapping[str, Iterable[str]]) -> None:
    """Glue ``<key>__sources`` (JSON list of ids) for every value key that has sources.

    A key without sources comes from the parameters alone; an empty list means the value
    counts nothing (a zero)."""
    from myst_nb import glue

    for key in values:
        if key in sources:
            glue(key + SOURCES_SUFFIX, json.dumps(ids_list(sources[key])), display=False)


def glue_values(values: Mapping[str, Any] | Section) -> None:
    """Glue every value (``myst_nb.glue(key, value, display=False)``) for the book; for a
    :class:`Section` also ``<key>__sources`` (its ``sources``, JSON) for the numbers audit."""
    from myst_nb import glue

    mapping = values.values if isinstance(values, Section) else values
    for key, value in mapping.items():
        glue(key, value, display=False)
    if isinstance(values, Section):
        glue_sources(mapping, values.sources)


def show_figures(figures: Mapping[str, Any]) -> None:
    """Display and glue figures as SVG and PNG: ``{glue key: FigureImages or Figure}``
    (:mod:`analysis.views.images`; a bare Figure is rendered here). ``myst_nb.glue``
    displays them."""
    from matplotlib.figure import Figure
    from myst_nb import glue

    from analysis.views.images import FigureImages

    for key, fig in figures.items():
        glue(key, FigureImages(fig) if isinstance(fig, Figure) else fig)


def show(section: Section, figures: Mapping[str, Any] | None = None, *,
         table: bool = True) -> None:
    """Display a :class:`~analysis.views.common.Section` in a notebook cell: its text
    (Markdown, unless empty), its table (if ``table`` and it has rows), then ``figures``
    (``{glue key: Figure}``, glued and displayed); then glue its values and their sources."""
    from IPython.display import display

    if section.text:
        display(markdown_output(section.text), raw=True)
    if table and section.table is not None and len(section.table):
        display(table_output(section.table, listing=section.listing), raw=True)
    if figures:
        show_figures(figures)
    glue_values(section)


#: Parts of the book written by a notebook into its output folder (``<output_dir>/<file>``) and
#: placed by :mod:`analysis.book.pages` outside the notebook's chapter.
PARTS = {"summary": "summary.md", "tests": "tests.md"}


def export(section: Section, output_dir: Any, part: str, *, text: bool = True,
           table: bool = False, glue: bool = True) -> None:
    """Write ``section``'s Markdown (``text``) and its table (``table``) to the output folder
    as ``part`` (a key of :data:`PARTS`: the executive summary, the appendix of statistical
    tests); glue its values with their sources unless ``glue`` is false (already shown).
    Nothing is displayed."""
    from pathlib import Path

    from analysis.common.atomic import write_text
    from analysis.views.markdown import markdown_table

    parts = [section.text] if text else []
    if table and section.table is not None and len(section.table):
        parts.append(markdown_table(section.table))
    write_text(Path(output_dir) / PARTS[part], "\n\n".join(parts) + "\n")
    if glue:
        glue_values(section)
