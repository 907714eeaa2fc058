"""The project's own Chinese font for figures (and for the book's CSS and the PDF).

The font is the NotoSansSC-Regular.ttf bundled with the ``zhplot`` package (OFL), located
through the installed package, never through system fonts. A missing glyph is an error:
draw or save inside ``strict_glyphs()`` (the plot functions do) and matplotlib's
"Glyph ... missing from font(s)" warning becomes a ``MissingGlyphError``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

FONT_FILE = "NotoSansSC-Regular.ttf"
_GLYPH_WARNING = r"Glyph .* missing from font"


class MissingGlyphError(RuntimeError):
    """A character of a figure's text has no glyph in the project font."""


def font_path() -> Path:
    """Absolute path of the bundled NotoSansSC-Regular.ttf (from the installed zhplot package).

    The package is located without importing it (zhplot changes matplotlib's rc on import).
    """
    spec = importlib.util.find_spec("zhplot")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package zhplot is not installed; it provides " + FONT_FILE)
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: font file missing from the zhplot package")
    return path.resolve()


@cache
def font_name() -> str:
    """The family name matplotlib knows the bundled font by ("Noto Sans SC")."""
    return font_manager.FontProperties(fname=str(font_path())).get_name()


def setup_matplotlib() -> str:
    """Register the bundled font with matplotlib and make it the default family.

    Idempotent; changes the global rcParams (``font.family``, ``font.sans-serif``). Does not
    select a backend (notebooks keep the inline one). Returns the family name.
    """
    path = str(font_path())
    if all(Path(f.fname).resolve() != Path(path) for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    name = font_name()
    matplotlib.rcParams["font.family"] = [name]
    rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["font.sans-serif"] = [name, *rest]
    return name


@contextlib.contextmanager
def strict_glyphs() -> Iterator[None]:
    """Within the block, a "Glyph ... missing from font(s)" warning raises MissingGlyphError."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=_GLYPH_WARNING)
        try:
            yield
        except UserWarning as warning:
            if "missing from font" in str(warning):
                raise MissingGlyphError(str(warning)) from None
            raise


#: Characters that draw nothing (controls, format marks, spaces): no glyph needed.
_NO_GLYPH_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


def check_text(text: str, font: Path | None = None) -> None:
    """Raise :class:`MissingGlyphError` naming every visible character of ``text`` that is not
    in the font (default: the bundled one); such a character would be drawn with a fallback
    font or as a box."""
    import unicodedata

    font = font or font_path()
    cmap = _cmap(Path(font))
    missing = sorted({char for char in text if ord(char) not in cmap
                      and unicodedata.category(char) not in _NO_GLYPH_CATEGORIES})
    if missing:
        listed = ", ".join(f"{char!r} U+{ord(char):04X}" for char in missing[:30])
        raise MissingGlyphError(f"{len(missing)} character(s) not in {Path(font).name}: "
                                f"{listed}" + (" ..." if len(missing) > 30 else ""))


def check_glyphs(fig: Figure) -> None:
    """Render ``fig`` off-screen (PNG to memory) and raise MissingGlyphError on a missing glyph."""
    with strict_glyphs():
        fig.savefig(io.BytesIO(), format="png")
