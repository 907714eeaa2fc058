"""End-to-end: a small synthetic book built with the project's config -> HTML, browser, PDF.

The book is generated in a temporary folder: the repo's ``_config.yml`` and CSS, a bibliography
page and an intro page of its own, three synthetic bulletin items (labelled 【合成】) as BibTeX, a
page citing two of them, a page of escaped hostile text and a notebook page whose output is a
matplotlib PNG with Chinese text.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.book.bibtex import write_bibtex
from analysis.book.build import build_html
from analysis.common.escape import escape_markdown

REPO = Path(__file__).resolve().parents[1]

ITEMS = pd.DataFrame(
    {
        "item_id": ["bulletin-2099-01-01", "bulletin-2099-01-02", "bulletin-2099-01-03"],
        "bulletin_id": ["bulletin-2099-01"] * 3,
        "issue_date": ["2099-01"] * 3,
        "seq": [1, 2, 3],
        "section": ["合成测试", "合成测试", "合成 {测试} 100%"],
        "title": [
            "【合成】江苏省发布示例政策 ABS--试点",
            "【合成】上海临港新片区示例项目",
            "【合成】安徽首个示例平台 $5 & #1_a",
        ],
        "page_start": pd.array([1, 2, None], dtype="Int64"),
        "page_end": pd.array([1, 3, None], dtype="Int64"),
    }
)
LABELS = ["2099-01 #1 p.1", "2099-01 #2 p.2–3", "2099-01 #3"]

HOSTILE_INLINE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> '
    "{cite:p}`bulletin-2099-01-01` {eval}`1+1` $x^2$ $$y$$ {{ title }} "
    "[点我](javascript:alert(1)) ![图](x.png) <https://example.com> https://example.com "
    "**粗体** _斜体_ &amp; &lt;b&gt; a--b \"quotes\" 'single' ~~del~~ | a | b | \\ end"
)
HOSTILE_BLOCK = "\n".join(
    [
        "# 标题",
        "> 引用",
        "- 列表",
        "1. 编号",
        "```{raw} html",
        "<script>bad()</script>",
        "```",
        ":::{note}",
        "注意",
        ":::",
        "% comment",
        "(target)=",
        "+++",
        "    indented code",
        "---",
        "{{ title }}",
        "$$",
        "x^2",
        "$$",
    ]
)


def _figure_png() -> bytes:
    """A small matplotlib PNG with Chinese text (zhplot registers the bundled font)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import zhplot  # noqa: F401

    fig, ax = plt.subplots(figsize=(3, 2), dpi=80)
    ax.bar(["江苏", "上海", "安徽"], [3, 2, 1])
    ax.set_title("合成数据示例")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _notebook() -> nbformat.NotebookNode:
    """An already executed notebook page: markdown with a citation, a code cell with a PNG."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    code = nbformat.v4.new_code_cell(
        "fig, ax = plt.subplots()\nax.bar(['江苏', '上海', '安徽'], [3, 2, 1])", execution_count=1
    )
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="江苏 3\n上海 2\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "image/png": base64.b64encode(_figure_png()).decode(),
                "text/plain": "<Figure>",
            },
        ),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# 图表页\n\n安徽首个示例平台见{cite:p}`bulletin-2099-01-03`。"
        ),
        code,
    ]
    return nb


def make_book(root: Path) -> None:
    """Write the synthetic test book into ``root`` (config and pages from the repo)."""
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    shutil.copytree(
        REPO / "book" / "_static", root / "book" / "_static", ignore=shutil.ignore_patterns("fonts")
    )
    (root / "book" / "bibliography.md").write_text(
        "# Bibliography\n\n```{bibliography}\n:all:\n```\n", encoding="utf-8")
    # The report's intro includes data-generated fragments; this book has its own.
    (root / "book" / "intro.md").write_text(
        "# 合成测试书 Synthetic test book\n\n"
        + "本书由合成数据构成，只用于测试。This book is made of synthetic data for tests. " * 12
        + "\n\n```{tableofcontents}\n```\n",
        encoding="utf-8",
    )
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: Report\n    chapters:\n"
        "      - file: book/cited\n      - file: book/hostile\n      - file: book/figure\n"
        "  - caption: Appendices\n    chapters:\n      - file: book/bibliography\n",
        encoding="utf-8",
    )
    (root / "book" / "cited.md").write_text(
        "# 引用测试\n\n"
        "江苏省与上海发布了示例政策{cite:p}`bulletin-2099-01-01,bulletin-2099-01-02`。\n"
        "{cite:t}`bulletin-2099-01-03` 是合成条目。\n",
        encoding="utf-8",
    )
    (root / "book" / "hostile.md").write_text(
        "# 敌意文本测试\n\n"
        f"行内：{escape_markdown(HOSTILE_INLINE)}\n\n"
        f"| 标题 | 说明 |\n|---|---|\n| {escape_markdown(HOSTILE_INLINE)} | 表格 |\n\n"
        f"{escape_markdown(HOSTILE_BLOCK, block=True)}\n",
        encoding="utf-8",
    )
    nbformat.write(_notebook(), root / "book" / "figure.ipynb")
    write_bibtex(ITEMS, root / "book" / "_generated" / "references.bib")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic book, built to HTML; returns its root."""
    root = tmp_path_factory.mktemp("book")
    make_book(root)
    build_html(root)
    return root


def _article(html_file: Path) -> BeautifulSoup:
    """The ``<article>`` of a built page, scripts (theme config) removed."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    assert article is not None, html_file
    return article


@pytest.mark.slow
def test_html_built_with_readable_citation_labels(book: Path) -> None:
    html = book / "_build" / "html"
    assert (html / "index.html").is_file()
    cited = _article(html / "book" / "cited.html")
    citations = [span.get_text() for span in cited.select("span.bibtex-citation")]
    assert citations[0] == f"[{LABELS[0]}; {LABELS[1]}]"
    assert citations[1].endswith(f"[{LABELS[2]}]")
    assert not any(re.search(r"\[\d+\]", text) for text in citations), citations
    links = [a["href"] for a in cited.select("span.bibtex-citation a")]
    assert links[0] == "bibliography.html#cite-bulletin-2099-01-01"
    bibliography = _article(html / "book" / "bibliography.html")
    labels = [el.get_text() for el in bibliography.select(".citation .label")]
    assert labels == [f"[{label}]" for label in LABELS]
    entries = bibliography.select(".citation")
    assert ITEMS.loc[0, "title"] in entries[0].get_text()
    assert "$5 & #1_a" in entries[2].get_text()  # LaTeX specials shown as printed
    assert "合成 ｛测试｝ 100%" in entries[2].get_text()


@pytest.mark.slow
def test_escaped_hostile_text_is_inert(book: Path) -> None:
    article = _article(book / "_build" / "html" / "book" / "hostile.html")
    for script in article.find_all("script"):
        assert "alert" not in script.get_text() and "bad()" not in script.get_text()
    assert not article.find_all("script", src=True)
    assert not article.select("img, iframe, math, .math, span.bibtex-citation, a[href^=javascript]")
    assert not article.select("blockquote, ul, ol, pre, h2, h3, .admonition, div.highlight")
    assert not any("example.com" in a.get("href", "") for a in article.find_all("a"))
    assert len(article.find_all("h1")) == 1
    text = " ".join(article.get_text().split())
    assert " ".join(HOSTILE_INLINE.split()) in text
    cell = article.select("table td")[0].get_text()
    assert " ".join(cell.split()) == " ".join(HOSTILE_INLINE.split())
    paragraphs = [p.get_text() for p in article.find_all("p")]
    for line in HOSTILE_BLOCK.splitlines():
        assert line.strip() in paragraphs, line


@pytest.mark.slow
def test_notebook_code_is_collapsed_but_available(book: Path) -> None:
    article = _article(book / "_build" / "html" / "book" / "figure.html")
    hidden = article.select("div.tag_hide-input details.hide .cell_input")
    assert hidden and "ax.bar" in hidden[0].get_text()
    assert article.select("div.cell_output img")


@pytest.mark.slow
def test_browser_check(book: Path, tmp_path: Path) -> None:
    from support.browsercheck import check_site

    pages = [
        f"book/{name}.html" for name in ("intro", "cited", "hostile", "figure", "bibliography")
    ]
    shot = tmp_path / "figure.png"
    report = check_site(book / "_build" / "html", pages, shot, screenshot_page="book/figure.html")
    assert report.ok, report.problems()
    assert not report.unreached_pages and not report.console_errors
    assert report.citations_checked == 4  # 3 on cited.html, 1 on figure.html
    assert report.pages["book/figure.html"].images == 1
    assert all(report.pages[p].font_loaded for p in pages)
    assert report.pages["book/figure.html"].rendered_fonts == ["Noto Sans SC"]
    assert shot.is_file() and shot.stat().st_size > 10_000


def _ink_fraction(png: Path) -> float:
    """Share of pixels of a rendered page that are not near-white."""
    from PIL import Image

    image = Image.open(png).convert("L")
    histogram = image.histogram()
    return sum(histogram[:200]) / (image.width * image.height)


@pytest.mark.slow
def test_pdf(book: Path, tmp_path: Path) -> None:
    from analysis.book.pdf import build_pdf, pdf_fonts

    pdf = build_pdf(book)
    assert pdf == book / "_build" / "pdf" / "book.pdf" and pdf.stat().st_size > 10_000
    fonts = pdf_fonts(pdf)
    assert fonts and all("NotoSansSC" in f.name and f.embedded for f in fonts), fonts
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ITEMS.loc[0, "title"] in text
    assert f"[{LABELS[0]}; {LABELS[1]}]" in text
    assert "_images/" not in text  # an image that fails to load prints its alt text
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.splitlines()) > 2, images
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (page,) = tmp_path.glob("page*.png")
    assert _ink_fraction(page) > 0.005
    times = (book / "_build" / "build-times.json").read_text(encoding="utf-8")
    assert "html_seconds" in times and "pdf_seconds" in times


def test_pdf_refuses_missing_glyphs(tmp_path: Path) -> None:
    from analysis.book.build import bundled_font
    from analysis.common.fonts import MissingGlyphError
    from analysis.common.fonts import check_text as check_glyphs

    check_glyphs("江苏省 ABS 100%「」，。\u200b\n", bundled_font())
    with pytest.raises(MissingGlyphError, match="U\\+1F600"):
        check_glyphs("江苏😀", bundled_font())
