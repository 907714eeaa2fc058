"""Fast checks of the print layout (cover, contents, heading levels, omitted tables, unbroken
ids, CSV attachments), the executive summary, the indicator tables and the audit's CSV files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis import views
from analysis.book.audit import GluedValue, PageNumber, audit_page
from analysis.book.front import Heading, cover_facts, front_html
from analysis.book.pdf import appendix_docnames, part_starts
from analysis.book.printlayout import layout
from analysis.compare.index import INDICATORS
from analysis.dataset.tables import load_figures, load_items
from analysis.views.params import DataInfo, validate_params

ARTICLE = """<html><body><article>
<section id="root"><h1>Book</h1><p>intro</p>
<div class="admonition pdf-front"><p class="admonition-title">Executive summary</p>
<ol><li>one</li></ol></div>
<section id="q"><h2>Question</h2></section>
<div class="toctree-wrapper compound">
<span id="document-book/methods"></span>
<section id="methods"><h3>Methods</h3><section id="coding"><h4>Coding</h4>
<section id="deep"><h5>Deep</h5></section></section>
<table><tr><td>jiangsu_rank_digital_government 科创聚焦 上海实施全国首个专利知识产权</td></tr>
</table>
<a class="reference download internal" download="" href="_downloads/x/data.csv">CSV</a>
</section>
<span id="document-book/_generated/appendix/audit"></span>
<section id="audit"><h3>Numbers audit</h3><div class="pdf-omit"><table><tr><td>long</td></tr>
</table></div>
<div class="toctree-wrapper compound"><span id="document-book/_generated/appendix/audit/2020-09">
</span><section id="issue-2020-09"><h3>2020-09</h3><section id="n"><h4>Numbers</h4></section>
</section></div></section>
</div></section></article></body></html>"""


@pytest.fixture
def laid_out(tmp_path: Path):
    (tmp_path / "_downloads" / "x").mkdir(parents=True)
    (tmp_path / "_downloads" / "x" / "data.csv").write_text("a,b\n1,2\n")
    soup = BeautifulSoup(ARTICLE, "html.parser")
    article = soup.find("article")

    def resolve(href: str) -> Path | None:
        path = tmp_path / href
        return path if path.is_file() else None

    headings = layout(soup, article, {"book/_generated/appendix/audit"}, resolve,
                      {"book/methods": "Report", "book/_generated/appendix/audit": "Appendices"})
    return soup, article, headings


def test_layout_relevels_headings_and_marks_chapters(laid_out) -> None:
    _, article, headings = laid_out
    assert [(h.level, h.anchor, h.title) for h in headings] == [
        (1, "executive-summary", "Executive summary"),  # the front element, by its title
        (1, "root", "Book"), (2, "q", "Question"),
        (0, "methods", "Report"), (1, "methods", "1 Methods"), (2, "coding", "1.1 Coding"),
        (0, "audit", "Appendices"), (1, "audit", "Appendix A Numbers audit"),
        (2, "issue-2020-09", "A.1 2020-09")]  # a page listed under a chapter: its section
    assert article.select_one("#executive-summary .admonition-title")
    assert article.select_one("#n > h3").get_text() == "Numbers"
    assert article.select_one("#deep > h3").get_text() == "Deep"
    assert "pdf-appendix" in article.select_one("#audit")["class"]
    assert "pdf-appendix" not in article.select_one("#methods")["class"]
    assert "pdf-front-matter" in article.select_one("#root")["class"]


def test_layout_moves_the_summary_first_and_drops_omitted_tables(laid_out) -> None:
    _, article, _ = laid_out
    first = article.find(True)
    assert "pdf-front" in first["class"]
    assert not article.select(".pdf-omit") and "long" not in article.get_text()


def test_layout_keeps_ids_and_short_chinese_terms_whole(laid_out) -> None:
    _, article, _ = laid_out
    whole = [s.get_text() for s in article.select("td span.nobr")]
    assert "jiangsu_rank_digital_government" in whole and "科创聚焦" in whole
    # a long Chinese title may break between characters: not wrapped
    assert not any("专利" in w for w in whole)


def test_layout_attaches_csv_downloads(laid_out) -> None:
    _, article, _ = laid_out
    link = article.select_one("a.download")
    assert link["rel"] == "attachment" and link["href"].startswith("file://")
    assert link["href"].endswith("/_downloads/x/data.csv")


def test_a_long_listing_prints_its_last_rows_and_says_so() -> None:
    """A province's listing (items, figures, issues) prints its last LISTING_PRINT_ROWS rows;
    a short one and any other table print whole."""
    from analysis.views.markdown import LISTING_PRINT_ROWS, table_output

    n = LISTING_PRINT_ROWS + 7
    long_md = table_output(pd.DataFrame({"issue": range(1, n + 1)}), listing=True)
    assert long_md["text/markdown"].startswith("````{container} listing\n|")
    assert "container" not in long_md["text/html"]  # Jupyter and --html pages: the table
    assert "container" not in table_output(pd.DataFrame({"x": [1]}))["text/markdown"]

    def table(rows: int) -> str:
        body = "".join(f"<tr><td>row {i}</td></tr>" for i in range(1, rows + 1))
        return f"<table><thead><tr><th>issue</th></tr></thead><tbody>{body}</tbody></table>"

    soup = BeautifulSoup(
        f'<article><section id="r"><h1>Jiangsu</h1>'
        f'<div class="listing docutils container" id="long">{table(n)}</div>'
        f'<div class="listing docutils container" id="short">{table(3)}</div>'
        f'<div id="other">{table(n)}</div></section></article>', "html.parser")
    article = soup.find("article")
    layout(soup, article, set(), lambda href: None)
    kept = [td.get_text() for td in article.select("#long td")]
    assert kept == [f"row {i}" for i in range(8, n + 1)]
    assert article.select_one("#long p.listing-note").get_text() == (
        f"Printed here: the last {LISTING_PRINT_ROWS} of {n} rows "
        f"(the HTML book lists all {n}).")
    assert len(article.select("#short td")) == 3 and not article.select("#short p")
    assert len(article.select("#other td")) == n


def test_cover_and_contents() -> None:
    bulletins = pd.DataFrame({"bulletin_id": ["bulletin-2020-09"], "issue_date": ["2020-09"],
                              "n_items": [24]})
    manifest = {"comparison": {"code_version": "abc123", "inputs": {
        "data": {"data/processed/items.csv": "0123456789abcdef" * 4}}}}
    facts = cover_facts(bulletins, manifest)
    assert facts == {"issues": [{"bulletin": "bulletin-2020-09", "date": "2020-09",
                                 "items": 24}],
                     "code_versions": ["abc123"],
                     "data": {"items.csv": "0123456789abcdef" * 4}}
    html = front_html("Title <x>", facts, [Heading(0, "methods", "Report"),
                                           Heading(1, "methods", "Methods"),
                                           Heading(2, "coding", "Coding")],
                      built=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    soup = BeautifulSoup(html, "html.parser")
    cover = soup.select_one(".pdf-cover").get_text(" ")
    assert "Title <x>" in cover and "bulletin-2020-09 (2020-09, 24 items)" in cover
    assert "2026-01-02 03:04 UTC" in cover and "abc123" in cover and "0123456789ab" in cover
    assert "0123456789abc" not in cover  # hashes in short
    links = [(a["href"], a.parent["class"]) for a in soup.select(".pdf-toc a")]
    assert links == [("#methods", ["pdf-toc-1"]), ("#coding", ["pdf-toc-2"])]
    part = soup.select_one(".pdf-toc li.pdf-toc-0")  # a part: a caption, no link, no page
    assert part.get_text() == "Report" and part.find("a") is None


def test_appendix_docnames_come_from_the_appendices_part(tmp_path: Path) -> None:
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: Report\n"
                   "    chapters:\n      - file: book/methods\n  - caption: Appendices\n"
                   "    chapters:\n      - file: book/a\n      - file: book/b\n")
    assert appendix_docnames(toc) == ["book/a", "book/b"]
    assert appendix_docnames(tmp_path / "missing.yml") == []
    assert part_starts(toc) == {"book/methods": "Report", "book/a": "Appendices"}


def test_audit_tables_become_csv_files_left_out_of_the_pdf() -> None:
    items = pd.DataFrame({"item_id": ["it-01"], "title": ["t"], "body": ["b"], "start": [0],
                          "end": [3]})
    values = [GluedValue("comparison_n_items", "1", ("it-01",))]
    text, csv = audit_page([("Comparison", None, values)], items,
                           pd.DataFrame(columns=["figure_id"]), pd.DataFrame(
                               columns=["item_id", "field", "value"]),
                           [PageNumber("Methods", "items", "1", "all rows")])
    assert set(csv) == {"audit/values-01.csv", "audit/generated-pages.csv"}
    values_csv = pd.read_csv(pd.io.common.StringIO(csv["audit/values-01.csv"]))
    assert values_csv.to_dict("records") == [{"key": "comparison_n_items", "value": 1,
                                              "computed from": "1 item (it-01)"}]
    assert "```{container} pdf-omit" in text
    assert "{download}`values-01.csv <audit/values-01.csv>`" in text


@pytest.fixture(scope="module")
def comparison(built_project):
    processed = built_project / "data" / "processed"
    items, figures = load_items(processed / "items.csv"), load_figures(
        processed / "figures.csv")
    info = DataInfo.from_items(items)
    p = validate_params("comparison", {"output_dir": str(built_project / "out")}, info)
    return p, views.load_data(p, items, figures)


def test_executive_summary_findings_cite_and_lead_with_uncertainty(comparison) -> None:
    p, d = comparison
    index = views.comparison_index(d, p)
    stats = views.comparison_stats(d, p)
    commitments = views.comparison_commitments(d, p)
    summary = views.comparison_summary(d, p, index, stats, commitments)
    findings = summary.text.splitlines()
    assert 5 <= len(findings) <= 8
    assert all(re.match(r"\d+\. ", f) for f in findings)
    assert all("{cite:p}`" in f for f in findings[:-1])
    assert findings[-1].startswith(f"{len(findings)}. What the bulletin cannot show")
    sens = index.data
    for domain in p.domains:
        first = sens[(sens["domain"] == domain) & (sens["rank"] == 1)]
        if int(first["max_rank"].max()) > 1:
            phrase = views.domain_label(domain)
            line = next(f for f in findings if f"The {phrase} ranking" in f)
            assert "is uncertain:" in line and f"ranges from {int(first['min_rank'].min())} " \
                f"to {int(first['max_rank'].max())}" in line
    assert set(summary.values) == set(summary.sources) == {
        f"comparison_summary_{n}" for n in range(1, len(findings) + 1)}


def test_indicator_tables_show_every_indicator_with_weights(comparison) -> None:
    p, d = comparison
    section = views.comparison_indicators(d, p)
    tables = [b for b in section.text.split("\n\n") if b.startswith("|")]
    assert len(tables) == len(p.domains)
    head = views.plain_text(tables[0].splitlines()[0])
    for ind in INDICATORS:
        assert f"{ind.label} (w " in head
    rows = tables[0].splitlines()[2:]
    assert len(rows) == len(d.provinces)
    for row in rows:  # a province with items on the domain cites them; one without, none
        n_items = row.split(" | ")[1].split(" ")[0]
        assert ("{cite:p}`" in row) == (n_items != "0"), row
    ranks = [int(r.split(" | ")[-2]) for r in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1


def _page(tmp_path: Path, body: str) -> Path:
    css = (Path(__file__).resolve().parents[1] / "book" / "_static" / "print.css").as_uri()
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><link rel="stylesheet" href="{css}"></head><body>{body}'
                    "</body></html>", encoding="utf-8")
    return page


def test_print_checks_find_a_stranded_heading_and_keep_table_headers(tmp_path: Path) -> None:
    from support.printcheck import orphaned_table_headers, stranded_headings

    forced = _page(tmp_path, '<p>x</p><h2>Lonely</h2><p style="break-before:page">y</p>')
    assert stranded_headings(forced) == [(1, "Lonely")]
    rows = "".join(f'<tr><td><div style="height:30mm">row {i}</div></td></tr>'
                   for i in range(3))
    table = _page(tmp_path, '<div style="height:235mm"></div><h2>Table</h2><table><thead>'
                  f"<tr><th>head</th></tr></thead><tbody>{rows}</tbody></table>")
    assert orphaned_table_headers(table) == [] and stranded_headings(table) == []


def test_a_count_column_beside_cited_ids_gets_its_own_header() -> None:
    from analysis.views.markdown import markdown_table

    both = pd.DataFrame({"scope": ["province"], "items": [2], "item_ids": ["b-01;b-02"]})
    assert markdown_table(both).splitlines()[0] == "| scope | items | cited items |"
    alone = pd.DataFrame({"scope": ["province"], "item_ids": ["b-01;b-02"]})
    assert markdown_table(alone).splitlines()[0] == "| scope | items |"
