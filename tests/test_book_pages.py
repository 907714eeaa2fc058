"""Fast checks of the report's page generation: citations and tables in the views' Markdown,
the generated table of contents, the reader's copy of an executed notebook, the placeholder
chapter, the audit's glue reading and sentences, the agreement schema, and the rule that the
hand-written pages type no number."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import views
from analysis.book.audit import glued_values, sentence_around
from analysis.book.build import BookBuildError
from analysis.book.chapters import GLUE_MIME, Chapter, placeholder, reader_copy
from analysis.book.toc import expand
from analysis.common.errors import InputError
from analysis.common.escape import escape_markdown
from analysis.dataset.schema import data_dictionary, validate

REPO = Path(__file__).resolve().parents[1]
ENTRY = {"name": "region/jiangsu", "template": "notebooks/region.ipynb",
         "output": "book/regions/jiangsu/region.ipynb", "status": "ok", "duration": 1.5,
         "parameters": {"region": "江苏", "output_dir": "."}, "end": "2026-01-02T03:04:05",
         "code_version": "abc123", "inputs": {"data": {"data/processed/items.csv": "f" * 64}}}


def test_cite_and_plain_text() -> None:
    assert views.cite("a-01;b-02") == "{cite:p}`a-01,b-02`"
    assert views.cite([]) == ""
    text = f"X appears in 2 items {views.cite(['a-01', 'b-02'])}; title {views.md_escape('$x$')}."
    assert views.plain_text(text) == "X appears in 2 items (a-01, b-02); title $x$."


def test_markdown_table_cites_items_and_escapes_text() -> None:
    frame = pd.DataFrame({"figure_id": ["it-01-f03"], "item_id": ["it-01"],
                          "title": ["<b>x</b> | {eval}`1`"], "value": [2022.0],
                          "money": [1.5e9], "item_ids": ["it-01;it-02"]}).set_index("figure_id")
    table = views.markdown_table(frame)
    head, _, row = table.splitlines()
    assert head == "| figure | item | title | value | money | items |"
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert cells[0] == "f03" and cells[1] == "{cite:p}`it-01`"
    assert cells[2] == escape_markdown("<b>x</b> | {eval}`1`")
    assert cells[3] == "2022" and cells[4] == escape_markdown("1,500,000,000")
    assert cells[5] == "{cite:p}`it-01,it-02`"
    bundle = views.table_output(frame)
    assert set(bundle) == {"text/markdown", "text/html", "text/plain"}
    # Jupyter and nbviewer get readable citations (ids without a label stay ids), no roles.
    assert "[it-01; it-02]" in bundle["text/html"] and "{cite:p}" not in bundle["text/html"]
    assert "<table>" in bundle["text/html"] and "&lt;b&gt;" in bundle["text/html"]


def test_toc_expands_generated_globs_in_order(tmp_path: Path) -> None:
    for doc in ("book/intro.md", "book/_generated/regions/b.md",
                "book/_generated/regions/a.ipynb"):
        (tmp_path / doc).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / doc).write_text("# x\n")
    skeleton = {"root": "book/intro", "parts": [{"caption": "P", "chapters": [
        {"file": "book/intro"}, {"glob": "book/_generated/regions/*"}]}]}
    out = expand(skeleton, ["book/_generated/regions/b", "book/_generated/regions/a",
                            "book/_generated/other"], tmp_path)
    assert out["parts"][0]["chapters"] == [
        {"file": "book/intro"}, {"file": "book/_generated/regions/b"},
        {"file": "book/_generated/regions/a"}]
    with pytest.raises(BookBuildError, match="book/missing does not exist"):
        expand([{"file": "book/missing"}], [], tmp_path)


def test_print_toc_leaves_out_the_pages_the_pdf_attaches(tmp_path: Path) -> None:
    import yaml

    from analysis.book.toc import PRINT_TOC_NAME, write_print_toc

    toc = tmp_path / "_toc.yml"
    toc.write_text(yaml.safe_dump({"root": "book/intro", "parts": [{"caption": "A", "chapters": [
        {"file": "book/items", "sections": [{"file": "book/items/2020"},
                                            {"file": "book/items/2021"}]},
        {"file": "book/bib", "sections": [{"file": "book/bib/2020",
                                           "sections": [{"file": "book/bib/2020/x"}]},
                                          {"file": "book/bib/keep"}]}]}]}))
    out = write_print_toc(toc, ["book/items/2020", "book/items/2021", "book/bib/2020"])
    assert out == tmp_path / PRINT_TOC_NAME
    chapters = yaml.safe_load(out.read_text())["parts"][0]["chapters"]
    assert chapters == [{"file": "book/items"},
                        {"file": "book/bib", "sections": [{"file": "book/bib/keep"}]}]
    assert toc.read_text() != out.read_text()  # the book's own toc is unchanged


def _executed(path: Path) -> Path:
    """A small executed region notebook: title, parameters, a glued figure and glued values."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("region = '江苏'", metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell("region = '江苏'",
                                         metadata={"tags": ["injected-parameters"]})
    code = nbformat.v4.new_code_cell("views.show(...)")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": "Text"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                     "text/plain": "<Figure>"},
                               metadata={"scrapbook": {"name": "jiangsu_profile_fig",
                                                       "mime_prefix": ""}}),
        *[nbformat.v4.new_output("display_data", data={GLUE_MIME + "text/plain": text},
                                 metadata={"scrapbook": {"name": name,
                                                         "mime_prefix": GLUE_MIME}})
          for name, text in (("jiangsu_n_items", "5"), ("jiangsu_label", "'Jiangsu 江苏'"),
                             ("jiangsu_n_items__sources", repr(json.dumps(["x-01", "x-02"]))))],
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Province profile\n\nAbout."), params,
                injected, code]
    nbformat.write(nb, path)
    return path


def test_reader_copy_titles_hides_parameters_and_captions_figures(tmp_path: Path) -> None:
    case_dir = tmp_path / "book" / "regions" / "jiangsu"
    case_dir.mkdir(parents=True)
    (case_dir / "profile.csv").write_text("a,b\n1,2\n")
    executed = _executed(case_dir / "region.ipynb")
    target = tmp_path / "book" / "_generated" / "regions" / "jiangsu.ipynb"
    chapter = Chapter("region/jiangsu", "Jiangsu 江苏", "book/_generated/regions/jiangsu", True)
    nb = reader_copy(executed, target, chapter, ENTRY, case_dir)
    assert nb.cells[0].source.splitlines()[0] == "# Jiangsu 江苏"
    assert "Provenance" in nb.cells[1].source and "region = 江苏" in nb.cells[1].source
    assert "f" * 12 in nb.cells[1].source
    tagged = [c for c in nb.cells if c.cell_type == "code" and
              "remove-cell" in c.metadata.get("tags", [])]
    assert len(tagged) == 2
    figure = nb.cells[-1].source
    assert figure.startswith("```{glue:figure} jiangsu_profile_fig\n:name: fig-jiangsu-profile-fig")
    assert "{download}`Data (CSV) <../../regions/jiangsu/profile.csv>`" in figure
    assert escape_markdown("Jiangsu 江苏's items per domain") in figure
    assert "Provenance" in figure
    glued = nb.cells[-2].outputs[1]
    assert set(glued["data"]) == {GLUE_MIME + "image/png", GLUE_MIME + "text/plain"}
    assert glued_values(executed)[0].sources == ("x-01", "x-02")
    assert [(v.key, v.value) for v in glued_values(executed)] == [
        ("jiangsu_n_items", "5"), ("jiangsu_label", "Jiangsu 江苏")]
    assert glued_values(executed)[1].sources is None  # from the parameters


def test_placeholder_names_case_error_and_notebook() -> None:
    chapter = Chapter("region/jiangsu", "Jiangsu 江苏", "book/_generated/regions/jiangsu",
                      False, "In [3]: ValueError: bad <b>value</b>",
                      "book/regions/jiangsu/region.ipynb")
    text = placeholder(chapter, {**ENTRY, "status": "failed"})
    assert text.startswith("# Jiangsu 江苏\n\n:::{error}")
    assert "`region/jiangsu` failed" in text
    assert escape_markdown("In [3]: ValueError: bad <b>value</b>") in text
    assert "`book/regions/jiangsu/region.ipynb`" in text


def test_sentence_around_picks_the_occurrence_nearest_the_offset() -> None:
    item = {"title": "标题", "body": "第一句有 5 个。第二句也有 5 个；第三句。", "start": 0,
            "end": 30}
    assert sentence_around(item, "5 个", 2) == "第一句有 5 个。"
    assert sentence_around(item, "5 个", 20) == "第二句也有 5 个；"
    assert sentence_around(item, "没有", 0) == ""


def test_agreement_schema_validates() -> None:
    good = pd.DataFrame({"field": ["domains"], "n_items": [24], "agreement": [0.9],
                         "kappa": [None], "kappa_basis": ["96 decisions"]})
    validate("agreement", good)
    with pytest.raises(InputError, match="table agreement"):
        validate("agreement", good.assign(agreement=[1.5]))
    assert "agreement" in set(data_dictionary(derived=True)["table"])
    assert "agreement" not in set(data_dictionary()["table"])


@pytest.mark.parametrize("page", ["intro.md", "methods.md", "bibliography.md"])
def test_hand_written_pages_type_no_number(page: str) -> None:
    text = (REPO / "book" / page).read_text(encoding="utf-8")
    prose = re.sub(r"```\{include\}[^`]*```|`[^`]*`", "", text)
    assert not re.findall(r"\d", prose), page


def test_data_section_counts_items_by_scope():
    import pandas as pd

    from analysis.book.fragments import data

    items = pd.DataFrame({
        "item_id": ["b-01", "b-02", "b-03", "b-04"], "bulletin_id": ["b"] * 4,
        "section": ["经济热点"] * 4, "provinces": ["上海", "上海;江苏", "", ""],
        "scope": ["provincial", "multi_provincial", "national", "foreign"]})
    bulletins = pd.DataFrame({"bulletin_id": ["b"], "issue_date": ["2020-09"], "n_items": [4],
                              "n_pages": [pd.NA], "file": ["b.txt"], "sha256": ["0" * 64],
                              "reviewed": [0], "synthetic": [0], "source": ["a test"]})
    text, nums = data(bulletins, items, {"上海": "Shanghai", "江苏": "Jiangsu"})
    assert "2 items name none" in text
    assert "Not yet reviewed by an analyst: b." in text
    assert "| national | 1 | {cite:p}`b-03` |" in text
    assert "| multi\\-provincial | 1 | {cite:p}`b-02` |" in text
    counted = {n.what: n.value for n in nums}
    assert counted["national items"] == "1" and counted["foreign items"] == "1"


def test_items_appendix_shows_scope():
    import pandas as pd

    from analysis.book.appendix import items_csv, items_intro, items_page

    items = pd.DataFrame({
        "item_id": ["b-01", "b-02"], "page_start": [1, 2], "page_end": [1, 2],
        "section": ["经济热点"] * 2, "title": ["甲", "乙"], "provinces": ["上海;江苏", ""],
        "scope": ["multi_provincial", "foreign"], "domains": ["ftz", "other"],
        "instrument_sides": ["", ""], "is_national_first": [0, 1],
        "is_provincial_first": [0, 0], "issuing_level": ["", ""], "overridden": ["", ""]})
    text, _ = items_page(items, {"上海": "Shanghai", "江苏": "Jiangsu"})
    assert "| provinces | scope | domains |" in text
    assert "| multi\\-provincial |" in text and "| foreign |" in text
    # the same rows in the one CSV file of every item, with issue and position
    frame = pd.read_csv(io.StringIO(items_csv(items.assign(
        bulletin_id="b", issue_date="2020-09", seq=[1, 2]), {"上海": "Shanghai"})))
    assert list(frame.columns[:5]) == ["item_id", "bulletin_id", "issue_date", "item", "page"]
    assert frame["provinces"].tolist()[0] == "Shanghai 上海, 江苏" and len(frame) == 2
    intro = items_intro(pd.DataFrame({"bulletin_id": ["b"]}), 2, "coded-items.csv", by_year=True)
    assert "All 2 items of 1 issue" in intro and "{download}`coded-items.csv <coded-items.csv>`" \
        in intro and "leaves these pages" in intro


def test_displayed_sentences_carry_readable_citations_in_html() -> None:
    from analysis.common.text import citation_label
    from analysis.views.markdown import markdown_output, readable_citations, to_html

    labels = {"b-01": citation_label("2020-09", 6, 5, 6), "b-02": citation_label("2020-09", 7,
                                                                                   "6", "6")}
    assert labels == {"b-01": "2020-09 #6 p.5–6", "b-02": "2020-09 #7 p.6"}
    text = "Two items {cite:p}`b-01,b-02`; one {cite:p}`b-03`."
    assert readable_citations(text, labels) == (
        "Two items \\[2020\\-09 \\#6 p\\.5–6; 2020\\-09 \\#7 p\\.6\\]; one \\[b\\-03\\].")
    assert to_html(text, labels) == ("<p>Two items [2020-09 #6 p.5–6; 2020-09 #7 p.6]; one "
                                     "[b-03].</p>\n")
    bundle = markdown_output("**Lead.** x {cite:p}`b-01`")
    assert bundle["text/markdown"] == "**Lead.** x {cite:p}`b-01`"  # the book keeps its roles
    assert bundle["text/html"].startswith("<p><strong>Lead.</strong> x [")
    assert bundle["text/plain"] == "Lead. x (b-01)"


def test_issue_pages_group_by_year_beyond_the_limit() -> None:
    from analysis.book.pages import ISSUE_PAGES_UP_TO, issue_pages

    def bulletins(n: int) -> pd.DataFrame:
        dates = [f"{2001 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
        return pd.DataFrame({"bulletin_id": [f"b{i:03d}" for i in range(n)][::-1],
                             "issue_date": dates[::-1]})

    few = issue_pages(bulletins(3))
    assert list(few) == ["b000", "b001", "b002"]  # one page per issue, in date order
    many = issue_pages(bulletins(ISSUE_PAGES_UP_TO + 6))
    assert list(many) == ["2001", "2002", "2003"]
    assert list(many["2002"]["bulletin_id"]) == [f"b{i:03d}" for i in range(12, 24)]
    assert sum(len(v) for v in many.values()) == ISSUE_PAGES_UP_TO + 6
