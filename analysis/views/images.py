"""A chart's images: one PNG and one SVG per figure, each rendered once.

The HTML book shows the SVG (sharp at any zoom; text as glyph paths, ``svg.fonttype =
"path"``, so Chinese renders without an installed font). The PDF build
(:mod:`analysis.book.compose`) prints the PNG at :data:`PRINT_DPI`: WeasyPrint draws
matplotlib's glyph-path SVGs slowly (about 0.4 s of CPU per figure here), a 200 dpi PNG is
sharp in print and costs almost nothing. The PNG written beside a chart's CSV is the same
bytes as the notebook's.

Decisions, each measured on the comparison notebook's six figures:

- No ``bbox_inches="tight"`` (IPython's default for inline figures): every figure here uses
  constrained layout, which already fits titles, labels and legends inside the figure, and a
  tight box costs an extra layout and draw pass per image. The image is the figure's size.
- The SVG is drawn with the layout the PNG computed (the engine is paused for that one draw):
  positions are fractions of the figure, the same at any resolution. Together with the first
  point, displaying a figure takes 0.85 s instead of 1.15 s for those six figures.
- Neither image carries a creation date: the same figure gives the same bytes, so a
  re-executed notebook equals the cached one and the book's pages do not change.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import matplotlib
from matplotlib.figure import Figure

#: Resolution of every figure's PNG: the file beside its CSV, the notebook's copy, the PDF's.
PRINT_DPI = 200

#: rcParams of the SVG: glyphs as paths, stable element ids (same figure, same SVG).
SVG_RC = {"svg.fonttype": "path", "svg.hashsalt": "bulletin"}


def render(fig: Figure, fmt: str) -> bytes:
    """``fig`` as ``png`` (at :data:`PRINT_DPI`) or ``svg`` bytes, without a date."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(SVG_RC if fmt == "svg" else {}):
        fig.savefig(buffer, format=fmt, dpi=PRINT_DPI, metadata={"Date": None},
                    facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    return buffer.getvalue()


@contextlib.contextmanager
def laid_out(fig: Figure) -> Iterator[None]:
    """Draw ``fig`` with the positions its last draw computed: its layout engine is paused
    within the block and restored after."""
    engine = fig.get_layout_engine()
    if engine is None:
        yield
        return
    fig.set_layout_engine("none")
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


class FigureImages:
    """A figure for ``IPython.display`` / ``myst_nb.glue``: its PNG (given, e.g. the file a
    chart wrote, or rendered now) and its SVG (rendered at first use, with the PNG's layout).
    The text form is the figure's own (``<Figure size 700x450 with 1 Axes>``)."""

    def __init__(self, figure: Figure, png: bytes | None = None) -> None:
        self.figure = figure
        self.png = render(figure, "png") if png is None else png
        self._svg: str | None = None

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_svg_(self) -> str:
        if self._svg is None:
            with laid_out(self.figure):
                self._svg = render(self.figure, "svg").decode("utf-8")
        return self._svg

    def __repr__(self) -> str:
        return repr(self.figure)
