"""Figures and the project font: Chinese renders, a missing glyph raises, files are atomic."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only; library code never selects a backend

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.common.fonts import (
    MissingGlyphError,
    check_glyphs,
    font_path,
    setup_matplotlib,
    strict_glyphs,
)
from analysis.views.plots import (
    commitments_bars,
    heatmap,
    instrument_mix_bars,
    province_label,
    province_profile,
    rank_ranges,
)

NAMES = {"江苏": "Jiangsu", "上海": "Shanghai"}


def counts() -> pd.DataFrame:
    return pd.DataFrame({
        "province": ["上海", "上海", "江苏", "江苏", "浙江", "浙江"],
        "domain": ["ftz", "industrial"] * 3,
        "n_items": [2, 1, 1, 2, 0, 1],
        "share_of_province": [1.0, 0.5, 1 / 3, 2 / 3, 0.0, 0.5],
        "item_ids": ["b-01;b-02", "b-02", "b-02", "b-02;b-03", "", "b-06"],
    })


def test_font_path_is_the_bundled_ttf() -> None:
    path = font_path()
    assert path.name == "NotoSansSC-Regular.ttf" and path.is_file()
    assert path.parent.parent.name == "zhplot"
    assert setup_matplotlib() == "Noto Sans SC"
    assert matplotlib.rcParams["font.family"] == ["Noto Sans SC"]


def _text_figure(text: str) -> Figure:
    setup_matplotlib()
    fig = Figure(figsize=(3, 1))
    fig.text(0.1, 0.5, text)
    return fig


def test_missing_glyph_is_an_error() -> None:
    with pytest.raises(MissingGlyphError, match="missing from font"):
        check_glyphs(_text_figure("江苏 \U0001F600"))  # emoji: not in Noto Sans SC
    with pytest.raises(MissingGlyphError):
        check_glyphs(_text_figure("\U0002A6A5"))  # rare CJK Extension B ideograph
    check_glyphs(_text_figure("江苏 Jiangsu 上海 −5%"))  # no error


def test_strict_glyphs_context_manager(tmp_path) -> None:
    fig = _text_figure("\U0001F600")
    with pytest.raises(MissingGlyphError), strict_glyphs():
        fig.savefig(tmp_path / "x.png")
    with strict_glyphs():
        _text_figure("江苏").savefig(tmp_path / "ok.png")


def test_plot_with_missing_glyph_raises() -> None:
    bad = counts().replace({"浙江": "浙江\U0001F600"})
    with pytest.raises(MissingGlyphError):
        heatmap(bad)


def test_province_label() -> None:
    assert province_label("江苏", NAMES) == "Jiangsu 江苏"
    assert province_label("浙江", NAMES) == "浙江"
    assert province_label("江苏") == "江苏"


def test_heatmap_writes_png_and_csv_atomically(tmp_path) -> None:
    path = tmp_path / "fig" / "heatmap.png"
    fig = heatmap(counts(), names=NAMES, path=path)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Shanghai 上海", "Jiangsu 江苏", "浙江"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["FTZ", "industrial policy"]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = pd.read_csv(path.with_suffix(".csv"), keep_default_na=False)
    assert data.loc[0, "label"] == "Shanghai 上海" and data.loc[3, "item_ids"] == "b-02;b-03"
    assert sorted(p.name for p in path.parent.iterdir()) == ["heatmap.csv", "heatmap.png"]


def test_instrument_mix_bars() -> None:
    mix = pd.DataFrame({"province": ["上海", "江苏"], "domain": "ftz",
                        "share_supply": [0.5, 0.0], "share_environment": [0.25, 0.0],
                        "share_demand": [0.25, 1.0], "item_ids": ["b-01", "b-02"]})
    fig = instrument_mix_bars(mix, names=NAMES)
    widths = [round(p.get_width(), 2) for p in fig.axes[0].patches]
    assert widths == [0.5, 0.0, 0.25, 0.0, 0.25, 1.0]  # supply, environment, demand stacks
    with pytest.raises(ValueError, match="pass domain="):
        instrument_mix_bars(pd.concat([mix, mix.assign(domain="industrial")]))


def test_commitments_log_scale_only_when_spread(tmp_path) -> None:
    wide = pd.DataFrame({"province": ["上海", "江苏", "浙江"], "domain": "ftz",
                         "money_yuan": [5e8, 1e6, 0.0], "figure_ids": ["f1", "f2", ""],
                         "item_ids": ["b-01", "b-02", ""]})
    assert commitments_bars(wide, names=NAMES).axes[0].get_xscale() == "log"
    narrow = wide.assign(money_yuan=[3e6, 1e6, 0.0])
    path = tmp_path / "money.png"
    assert commitments_bars(narrow, path=path).axes[0].get_xscale() == "linear"
    assert pd.read_csv(path.with_suffix(".csv"))["money_yuan"].tolist() == [3e6, 1e6, 0.0]


def test_rank_ranges() -> None:
    sens = pd.DataFrame({"domain": "ftz", "province": ["江苏", "上海"], "rank": [2, 1],
                         "median_rank": [2.0, 1.0], "min_rank": [1, 1], "max_rank": [2, 2],
                         "p05_rank": [1, 1], "p95_rank": [2, 1], "rank_range": ["1-2", "1-2"],
                         "n_draws": 100, "item_ids": ["b-02", "b-01"]})
    fig = rank_ranges(sens, names=NAMES)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Shanghai 上海", "Jiangsu 江苏"]  # sorted by rank


def test_province_profile_peer_median(tmp_path) -> None:
    path = tmp_path / "profile.png"
    province_profile(counts(), "江苏", names=NAMES, path=path)
    data = pd.read_csv(path.with_suffix(".csv"), keep_default_na=False)
    assert data["peer_median"].tolist() == [0.5, 0.5]  # medians of (1.0, 0.0), (0.5, 0.5)
    assert data["item_ids"].tolist() == ["b-02", "b-02;b-03"]
    with pytest.raises(ValueError, match="no rows for province"):
        province_profile(counts(), "安徽")


def test_chart_png_is_one_render_at_print_resolution_and_the_svg_matches_it(tmp_path) -> None:
    """The file a chart writes is the notebook's PNG (one render at PRINT_DPI, the figure's
    size, no date); the SVG is drawn with the PNG's layout, at the same size, and the figure
    keeps its layout engine."""
    import io
    import re

    from IPython.core.formatters import format_display_data
    from PIL import Image

    from analysis.views.images import PRINT_DPI, FigureImages

    path = tmp_path / "heatmap.png"
    fig = heatmap(counts(), names=NAMES, path=path)
    width, height = fig.get_size_inches()
    png = path.read_bytes()
    assert Image.open(io.BytesIO(png)).size == (round(width * PRINT_DPI),
                                                round(height * PRINT_DPI))
    again = tmp_path / "again.png"  # no date: the same figure drawn again, the same bytes
    heatmap(counts(), names=NAMES, path=again)
    assert again.read_bytes() == png
    engine = fig.get_layout_engine()
    bundle, _ = format_display_data(FigureImages(fig, png))
    assert bundle["image/png"] == png
    assert bundle["text/plain"] == repr(fig)
    svg = bundle["image/svg+xml"]
    size = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert size is not None
    assert (float(size[1]), float(size[2])) == pytest.approx((width * 72, height * 72))
    assert "<text" not in svg and "Date" not in svg  # glyphs as paths; no creation date
    assert fig.get_layout_engine() is engine


def test_a_bare_figure_is_rendered_for_display() -> None:
    from analysis.views.images import FigureImages

    fig = Figure(figsize=(2, 1), layout="constrained")
    fig.subplots().plot([0, 1])
    images = FigureImages(fig)
    assert images._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert images._repr_svg_() is images._repr_svg_()  # rendered once
