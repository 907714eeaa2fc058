"""PDF and Word bulletins: real files built from the seed's 24 items (WeasyPrint, python-docx)
give the same items back; scanned, encrypted and broken files fail with one line."""

from __future__ import annotations

import itertools
import re

import pytest
from test_cli import run

from analysis.common.errors import InputError
from analysis.ingest.document import read_document
from analysis.ingest.parse import parse_items

from support.pdfs import bulletin_html, write_docx, write_encrypted_pdf, write_pdf

MASTHEAD = ["区域政策简报", "2020年第9期"]


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.fixture(scope="module")
def seed_items(seed_text):
    return parse_items(seed_text, "seed")


@pytest.fixture(scope="module")
def seed_sections(seed_items):
    sections: list[tuple[str, list[tuple[str, list[str]]]]] = []
    for item in seed_items:
        if not sections or sections[-1][0] != item.section:
            sections.append((item.section, []))
        sections[-1][1].append((item.title, [p.text for p in item.paragraphs]))
    return sections


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory, seed_sections):
    out = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    return write_pdf(bulletin_html(MASTHEAD, seed_sections, running_head="区域政策简报"), out)


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory, seed_sections):
    return write_docx(MASTHEAD, seed_sections, tmp_path_factory.mktemp("docx") / "seed.docx")


def _same_items(parsed, seed_items, exact_bodies: bool) -> None:
    got = parsed.items
    assert [(i.section, i.title) for i in got] == [(i.section, i.title) for i in seed_items]
    for mine, theirs in zip(got, seed_items, strict=True):
        if exact_bodies:
            assert [p.text for p in mine.paragraphs] == [p.text for p in theirs.paragraphs]
        else:  # a PDF line may break where the seed has a space
            assert [_plain(p.text) for p in mine.paragraphs] == [
                _plain(p.text) for p in theirs.paragraphs]
    assert parsed.unassigned_chars == 0


def test_pdf_gives_the_items_it_was_made_from(seed_pdf, seed_items):
    document = read_document(seed_pdf)
    parsed = document.parse()
    _same_items(parsed, seed_items, exact_bodies=False)
    import pypdfium2

    n_pages = len(pypdfium2.PdfDocument(str(seed_pdf)))
    assert parsed.n_pages == n_pages > 5
    pages = [(i.page_start, i.page_end) for i in parsed.items]
    assert pages[0][0] == 1 and all(a <= b for a, b in pages)
    assert all(p <= q for (_, p), (q, _) in itertools.pairwise(pages))
    assert [parsed.matter[n] for n in sorted(parsed.matter)].count("page number") == n_pages
    for item in parsed.items:  # offsets index the rendering
        assert document.text[item.start:item.start + len(item.title)] == item.title


def test_docx_gives_the_items_it_was_made_from(seed_docx, seed_items):
    parsed = read_document(seed_docx).parse()
    _same_items(parsed, seed_items, exact_bodies=True)
    assert parsed.n_pages == 7  # masthead page + one page per section (explicit breaks)
    assert {(i.section, i.page_start) for i in parsed.items} == {
        (s, k + 2) for k, s in enumerate(dict.fromkeys(i.section for i in seed_items))}


def test_question_title_needs_emphasis_in_word(tmp_path):
    sections = [("动态", [("深远海养殖装备订单为何持续增长？", ["今年以来订单明显增加。"]),
                          ("江苏出台产业政策", ["为什么？", "因为需求上升。"])])]
    parsed = read_document(write_docx([], sections, tmp_path / "q.docx")).parse()
    titles = [i.title for i in parsed.items]
    assert titles == ["深远海养殖装备订单为何持续增长？", "江苏出台产业政策"]
    assert [p.text for p in parsed.items[1].paragraphs] == ["为什么？", "因为需求上升。"]


def test_scanned_pdf_has_no_text_layer(tmp_path):
    from PIL import Image

    picture = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(picture)
    pdf = write_pdf(f"<html><body><img src='{picture.as_uri()}'></body></html>",
                    tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="no text layer"):
        read_document(pdf)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("locked.pdf", lambda p: write_encrypted_pdf(p), "encrypted PDF"),
    ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\nnot really"), "broken or not a PDF"),
    ("word.docx", lambda p: p.write_text("plain text", encoding="utf-8"),
     "not a Word .docx file (not a zip package)"),
])
def test_bad_files_fail_in_one_line(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    out = tmp_path / "items.csv"
    res = run("items", path, "--out", out)
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {path}: " + res.stderr.split(": ", 2)[2].strip()
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_pdf_through_add_and_build(tmp_path, seed_pdf):
    from conftest import make_project

    project = make_project(tmp_path / "proj")
    added = run("add", seed_pdf, "--issue-date", "2020-09", "--id", "seed-pdf", root=project)
    assert added.returncode == 0, added.stderr
    assert "24 items" in added.stdout and "0 characters unassigned" in added.stdout
    built = run("build", root=project)
    assert built.returncode == 0, built.stderr
    import pandas as pd

    processed = project / "data" / "processed"
    bulletins = pd.read_csv(processed / "bulletins.csv").set_index("bulletin_id")
    assert bulletins.loc["seed-pdf", "text_file"] == "data/processed/texts/seed-pdf.txt"
    text = (processed / "texts" / "seed-pdf.txt").read_text(encoding="utf-8")
    items = pd.read_csv(processed / "items.csv")
    mine = items[items.bulletin_id == "seed-pdf"]
    assert len(mine) == 24
    for row in mine.itertuples():
        assert text[row.start:row.start + len(row.title)] == row.title
    figures = pd.read_csv(processed / "figures.csv")
    ours = figures[figures.bulletin_id == "seed-pdf"]
    seed = figures[figures.bulletin_id == "bulletin-2020-09"]
    assert len(ours) == len(seed) > 0
    assert sorted(ours.value.fillna(-1).round(6)) == sorted(seed.value.fillna(-1).round(6))
    for row in ours.itertuples():
        assert _plain(text[row.start:row.end]) == _plain(row.text)
