"""The real report, built once by ``python -m analysis report`` in a temporary BULLETIN_ROOT copy
of the project (the repository's ``_build`` is untouched): structure, links, citations,
provenance, numbers audit, browser checks, PDF, and a second run that executes nothing."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.dataset.tables import load_items, split_field
from analysis.views.params import DataInfo, glue_slug

from support.report import Run, article, run_report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(report_run: Run) -> Run:
    """The session's report, built once (``conftest.report_run``)."""
    return report_run


@pytest.fixture(scope="module")
def items(report: Run) -> pd.DataFrame:
    return load_items(report.root / "data" / "processed" / "items.csv")


@pytest.fixture(scope="module")
def provinces(items: pd.DataFrame, report: Run) -> list[tuple[str, str]]:
    """``(slug, "Jiangsu 江苏")`` of every province in the data, GB/T 2260 order."""
    info = DataInfo.from_items(items)
    return [(glue_slug(info.names[p]), f"{info.names[p]} {p}") for p in info.provinces()]


def page(report: Run, path: str) -> BeautifulSoup:
    return article(report.html / path)


def test_report_prints_where_everything_is(report: Run) -> None:
    out = report.stdout
    assert "0 failed" in out and "HTML:      _build/html/index.html" in out
    match = re.search(r"PDF:\s+_build/pdf/book\.pdf \((\d+) pages, built in ([\d.]+) s\)", out)
    assert match and int(match[1]) > 10, out
    assert re.search(r"HTML:.*built in [\d.]+ s", out)
    assert "kappa" in out and "issuing_level" in out  # the agreement table
    times = json.loads((report.root / "_build" / "build-times.json").read_text())
    assert times["html_seconds"] > 0 and times["pdf_seconds"] > 0


def test_toc_has_a_chapter_per_province_in_data_order(report: Run, provinces) -> None:
    toc = (report.root / "book" / "_generated" / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"file: (book/_generated/regions/\S+)", toc)
    assert files == [f"book/_generated/regions/{slug}" for slug, _ in provinces]
    for slug, name in provinces:
        h1 = page(report, f"book/_generated/regions/{slug}.html").find("h1")
        assert h1.get_text().rstrip("#").strip() == name
    nav = BeautifulSoup((report.html / "book" / "intro.html").read_text(), "html.parser")
    links = [a.get_text(strip=True) for a in nav.select("nav.bd-links a")]
    assert [n for n in links if n in {name for _, name in provinces}] == \
        [name for _, name in provinces]
    for title in ("Methods", "Cross-province comparison", "Data dictionary", "Coded items",
                  "Build manifest", "Numbers audit", "Bibliography"):
        assert title in links, links


def _internal_links(html: Path) -> list[tuple[Path, str, str]]:
    out = []
    for file in html.rglob("*.html"):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for a in soup.select("article a[href]"):
            href = a["href"]
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            out.append((file, *urldefrag(href)))
    return out


def test_every_internal_link_resolves(report: Run) -> None:
    links = _internal_links(report.html)
    assert len(links) > 500
    ids: dict[Path, set[str]] = {}
    broken = []
    for file, url, fragment in links:
        target = (file.parent / unquote(url)).resolve() if url else file
        if not target.is_file():
            broken.append(f"{file.name} -> {url}")
            continue
        if fragment and target.suffix == ".html":
            if target not in ids:
                soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                ids[target] = {el["id"] for el in soup.select("[id]")}
            if fragment not in ids[target]:
                broken.append(f"{file.name} -> {url}#{fragment}")
    assert not broken, broken[:20]


def test_notebook_sentences_and_tables_cite_items_with_pages(report: Run, items) -> None:
    art = page(report, "book/_generated/regions/jiangsu.html")
    cites = art.select("span.bibtex-citation a[href]")
    assert cites and all("bibliography/bulletin-2020-09.html#cite-bulletin-2020-09-" in a["href"]
                         for a in cites)
    labels = {a.get_text() for a in cites}
    assert all(re.fullmatch(r"\d{4}-\d{2} #\d+ p\.\d+(–\d+)?", lab) for lab in labels), labels
    mine = items[items["provinces"].map(lambda v: "江苏" in split_field(v))]
    cited = {a["href"].split("#cite-")[1] for a in cites}
    assert set(mine["item_id"]) <= cited
    # The items table: one row per item, cited, titles as printed (Chinese).
    text = art.get_text()
    for title in mine["title"]:
        assert title in text
    appendix = page(report, "book/_generated/appendix/items/bulletin-2020-09.html")
    rows = appendix.select("table tbody tr")
    assert len(rows) == len(items)
    assert all(row.select("span.bibtex-citation a") for row in rows)


def test_parameters_never_show_and_code_is_collapsed(report: Run, provinces) -> None:
    for slug, _ in provinces:
        art = page(report, f"book/_generated/regions/{slug}.html")
        assert not art.select(".tag_injected-parameters, .tag_parameters")
        assert "\\u" not in art.get_text()
        inputs = art.select(".cell_input")
        assert inputs and all(i.find_parent("details") for i in inputs)
        note = art.select_one(".provenance")
        assert note is not None and "region = " in note.get_text()


def test_figures_have_captions_csv_links_and_provenance(report: Run) -> None:
    art = page(report, "book/_generated/comparison.html")
    figures = art.select("figure")
    assert len(figures) >= 4
    for fig in figures:
        img = fig.find("img")
        assert img is not None
        assert (report.html / "book/_generated" / img["src"]).resolve().is_file()
        caption = fig.find("figcaption").get_text(" ", strip=True)
        assert "Data (CSV)" in caption and "Provenance" in caption
        assert "book/comparison/comparison.ipynb" in caption and "items.csv" in caption
        csv = fig.select_one("figcaption a[href$='.csv']")
        target = (report.html / "book/_generated" / unquote(csv["href"])).resolve()
        assert target.is_file() and target.read_text(encoding="utf-8").count("\n") > 1


def test_methods_agreement_comes_from_the_measured_table(report: Run) -> None:
    agreement = pd.read_csv(report.root / "data" / "processed" / "agreement.csv")
    art = page(report, "book/methods.html")
    rows = {r.find("td").get_text(strip=True): [td.get_text(strip=True) for td in r.select("td")]
            for r in art.select("table tbody tr")}
    for row in agreement.itertuples():
        cells = rows[row.field]
        assert cells[2] == f"{100 * row.agreement:.0f}%"
        # kappa is undefined when both codings use one category (scope: every seed item is
        # about one province)
        assert cells[3] == ("undefined" if pd.isna(row.kappa) else f"{row.kappa:.2f}")


def test_findings_quote_the_comparison_notebook(report: Run) -> None:
    intro = page(report, "book/intro.html")
    pasted = [s.get_text() for s in intro.select("span.pasted-text")]
    assert any(text.startswith("The ") and " items of bulletin " in text for text in pasted)


def test_manifest_page_lists_every_case(report: Run, provinces) -> None:
    manifest = json.loads((report.root / "_build" / "manifest.json").read_text())["cases"]
    art = page(report, "book/_generated/appendix/manifest.html")
    text = art.get_text()
    for name in ["comparison", *(f"region/{slug}" for slug, _ in provinces)]:
        assert name in text
        assert manifest[name]["key"][:12] in text


def test_audit_lists_every_glued_value_with_sources(report: Run) -> None:
    import nbformat

    art = page(report, "book/_generated/appendix/audit.html")
    keys = {c.get_text() for c in art.select("td code")}
    nb = nbformat.read(report.root / "book" / "comparison" / "comparison.ipynb", as_version=4)
    glued = {o["metadata"]["scrapbook"]["name"] for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if o.get("metadata", {}).get("scrapbook")}
    values = {k for k in glued if not k.endswith(("__sources", "_fig"))}
    assert values and values <= keys
    assert all(f"{k}__sources" in glued for k in values if not k.startswith("comparison_scope"))
    text = art.get_text(" ")
    assert "Figures behind the values" in text and "亿元" in text  # figure text as printed
    assert "start-end" in text and "sentence" in text


def test_browser(report: Run, provinces) -> None:
    from support.browsercheck import check_site

    chapters = [f"book/_generated/regions/{slug}.html" for slug, _ in provinces]
    shot = report.root / "_build" / "screenshots" / "comparison.png"
    result = check_site(report.html, ["book/_generated/comparison.html", *chapters,
                                      "book/_generated/bibliography/bulletin-2020-09.html"],
                        shot)
    assert result.ok, result.problems()
    assert result.citations_checked > 100
    comparison = result.pages["book/_generated/comparison.html"]
    assert comparison.images >= 4 and not comparison.broken_images
    assert comparison.font_loaded and comparison.rendered_fonts == ["Noto Sans SC"]
    assert shot.is_file() and shot.stat().st_size > 50_000


def test_pdf(report: Run, tmp_path: Path) -> None:
    from analysis.book.pdf import pdf_fonts

    pdf = report.root / "_build" / "pdf" / "book.pdf"
    fonts = pdf_fonts(pdf)
    assert fonts and all("NotoSansSC" in f.name and f.embedded for f in fonts), fonts
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Jiangsu 江苏" in text and "上海实施全国首个专利知识产权储架资产证券化项目" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    from PIL import Image

    (png,) = tmp_path.glob("page*.png")
    histogram = Image.open(png).convert("L").histogram()
    assert sum(histogram[:200]) / sum(histogram) > 0.005


def _pages(pdf: Path) -> list[str]:
    """The text of every page (``pdftotext -layout``, split at form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def pdf_pages(report: Run) -> list[str]:
    return _pages(report.root / "_build" / "pdf" / "book.pdf")


def test_pdf_cover_contents_and_running_heads(report: Run, pdf_pages, items) -> None:
    n = len(pdf_pages)
    assert n <= 70
    cover = " ".join(pdf_pages[0].split())
    bulletins = pd.read_csv(report.root / "data" / "processed" / "bulletins.csv", dtype=str)
    assert "Regional policy bulletins" in cover and "Issues covered" in cover
    for b in bulletins.itertuples():
        assert f"{b.bulletin_id} ({b.issue_date}, {b.n_items} items)" in cover
    assert "Code version" in cover and "items.csv" in cover and "page 1 of" not in cover
    contents = "\n".join(p for p in pdf_pages[1:4] if "Contents" in p or "....." in p)
    entries = re.findall(r"^\s*(\d+ \S.*?|Appendix [A-Z] \S.*?)\s*\.{3,}\s*(\d+)\s*$",
                         contents, re.M)
    chapters = [(title.strip(), int(page)) for title, page in entries]
    assert any(t.startswith("1 Methods") for t, _ in chapters), contents[:2000]
    assert any(t.startswith("Appendix A") for t, _ in chapters)
    for title, page in chapters:  # the printed page number is where the chapter starts
        assert title[:20] in " ".join(pdf_pages[page - 1].split()), (title, page)
    for number, text in enumerate(pdf_pages[1:], start=2):
        assert f"page {number} of {n}" in text
    methods = next(page for title, page in chapters if title.startswith("1 Methods"))
    assert pdf_pages[methods].lstrip().startswith("1 Methods")  # header of the next page


def test_pdf_outline_has_every_chapter_and_section(report: Run, pdf_pages) -> None:
    from pypdf import PdfReader

    reader = PdfReader(report.root / "_build" / "pdf" / "book.pdf")

    def titles(outline, depth=0):
        for entry in outline:
            if isinstance(entry, list):
                yield from titles(entry, depth + 1)
            else:
                yield depth, entry.title

    flat = list(titles(reader.outline))
    top = [t for d, t in flat if d == 0]
    assert "Executive summary" in top and "Contents" in top
    assert any(re.match(r"1\s+Methods", t) for t in top), top
    assert any(t.startswith("Appendix A") for t in top)
    assert sum(1 for d, _ in flat if d == 1) > 20  # sections nest under their chapter


def test_pdf_figures_are_sharp_and_data_attached(report: Run) -> None:
    pdf = report.root / "_build" / "pdf" / "book.pdf"
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    images = [line.split() for line in listing if line.split()[2] == "image"]
    assert len(images) >= 10
    assert all(int(row[12]) >= 199 and int(row[13]) >= 199 for row in images), images
    html = (report.html / "book" / "_generated" / "comparison.html").read_text()
    assert re.search(r'<img[^>]+src="[^"]+\.svg"', html)
    attached = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True,
                              text=True, check=True).stdout
    assert "heatmap.csv" in attached and "coded-facts.csv" in attached


def test_pdf_summary_tests_indicators_and_unbroken_ids(report: Run, pdf_pages, items) -> None:
    summary = next(p for p in pdf_pages if "Executive summary" in p and "What the bulletin "
                   "cannot show" in p)
    findings = re.findall(r"^\s*(\d)\. ", summary, re.M)
    # each finding cites its items: inline, or as one source set when there are many
    source_set = r"\[\d+ items( in \d+ issues)?( \(p\. \d+\))?\]"  # "(p. 66)": a live link
    cites = summary.count("[2020-09 #") + len(re.findall(source_set, summary))
    assert 5 <= len(findings) <= 8 and cites >= len(findings) - 1, summary
    assert "ranking is uncertain" in summary or "under all" in summary
    text = "\n".join(pdf_pages)
    assert "Indicators behind the index" in text and "Statistical tests" in text
    comparison = page(report, "book/_generated/comparison.html").get_text()
    assert "not distinguishable from the other provinces'" not in comparison  # in the appendix
    tests = page(report, "book/_generated/appendix/tests.html").get_text()
    assert "Fisher exact test" in tests
    # identifiers and short Chinese terms (section names) are never broken across lines
    assert not re.search(r"bulletin-\d{0,3}\s*\n|bulletin-\d{4}-\d?\s*\n", text)
    for section in set(items["section"]):
        assert section in text, section


def test_pdf_has_no_table_header_or_heading_alone_at_a_page_foot(report: Run) -> None:
    from support.printcheck import orphaned_table_headers, stranded_headings

    reduced = report.root / "_build" / "pdf" / "_pdf-article.html"
    assert orphaned_table_headers(reduced) == []
    assert stranded_headings(reduced) == []


def test_scenario_is_a_chapter_under_scenarios(report: Run) -> None:
    toc = (report.root / "book" / "_generated" / "_toc.yml").read_text(encoding="utf-8")
    assert "caption: Scenarios\n  chapters:\n  - file: book/_generated/scenarios/" in toc
    art = page(report, "book/_generated/scenarios/national-firsts-double.html")
    assert art.find("h1").get_text().rstrip("#").strip() == "National firsts count double"
    text = art.get_text(" ", strip=True)
    assert "What if national firsts count double in the policy-activity index?" in text
    assert "Against the project's weights." in text and "→" in text
    assert "n_national_first 0.25" in text  # the merged weights, shares that add up
    assert art.select("span.bibtex-citation a[href]")  # citations resolve in the book
    manifest = json.loads((report.root / "_build" / "manifest.json").read_text())["cases"]
    assert manifest["scenario/national-firsts-double"]["status"] in ("ok", "cached")
    assert "Against the project's weights." not in page(
        report, "book/_generated/comparison.html").get_text()


def test_second_run_executes_no_notebook(report: Run) -> None:
    again = run_report(report.root, "--no-pdf")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("everything is up to date: no input changed")
    assert "0 executed" in again.stdout and "0 failed" in again.stdout
    assert "PDF:" not in again.stdout and "(up to date, not rebuilt)" in again.stdout


def test_one_changed_chapter_rebuilds_the_html_incrementally(report: Run) -> None:
    methods = report.root / "book" / "methods.md"
    original = methods.read_text(encoding="utf-8")
    try:
        methods.write_text(original + "\nOne more sentence for the incremental build.\n",
                           encoding="utf-8")
        again = run_report(report.root, "--no-pdf")
        assert again.returncode == 0, again.stderr
        assert "0 executed" in again.stdout and "HTML:" in again.stdout
        log = (report.root / "_build" / "logs" / "html.log").read_text(encoding="utf-8")
        assert re.search(r"updating environment: .*0 added, 1 changed, 0 removed", log), log
        assert "One more sentence" in page(report, "book/methods.html").get_text()
    finally:
        methods.write_text(original, encoding="utf-8")


def test_a_failed_pdf_build_marks_the_previous_pdf_stale(report: Run) -> None:
    """Last in this module (it changes the shared project): a character the PDF font lacks
    (the HTML does not care) fails the PDF step; the old ``book.pdf`` must not stay looking
    current. The error is one line and names where the previous PDF went."""
    intro = report.root / "book" / "intro.md"
    pdf = report.root / "_build" / "pdf" / "book.pdf"
    original = intro.read_text(encoding="utf-8")
    old = pdf.read_bytes()
    intro.write_text(original + "\n\nA glyph no font here has: \U00013000.\n", encoding="utf-8")
    try:
        again = run_report(report.root)
    finally:
        intro.write_text(original, encoding="utf-8")
    assert again.returncode == 1, again.stdout + again.stderr
    assert "0 executed" in again.stdout and "PDF:" not in again.stdout
    errors = [line for line in again.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "PDF text" in errors[0], again.stderr
    assert "the previous PDF is now _build/pdf/book.stale.pdf" in errors[0]
    assert not pdf.exists() and pdf.with_name("book.stale.pdf").read_bytes() == old
