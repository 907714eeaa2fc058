"""BibTeX writing, the bulletin citation style and the small Sphinx extension helpers."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pandas as pd
import pybtex.plugin
import pytest
from pybtex.database import parse_file
from pybtex.richtext import Text

from analysis.book import hide_code_inputs
from analysis.book.bibtex import bib_escape, write_bibtex
from analysis.book.build import ensure_references, record_time
from analysis.book.citestyle import STYLE_NAME, register
from analysis.common.errors import InputError


def _items(**overrides: list) -> pd.DataFrame:
    """Three synthetic items (labelled 【合成】)."""
    data = {
        "item_id": ["bulletin-2099-02-01", "bulletin-2099-02-02", "bulletin-2099-01-07"],
        "bulletin_id": ["bulletin-2099-02", "bulletin-2099-02", "bulletin-2099-01"],
        "issue_date": ["2099-02", "2099-02", "2099-01"],
        "seq": [1, 2, 7],
        "section": ["合成测试", "合成测试", "经济热点"],
        "title": [
            "【合成】江苏 ABS--试点 100% & #1",
            "【合成】上海 {临港}",
            "【合成】安徽首个平台",
        ],
        "page_start": pd.array([1, 2, None], dtype="Int64"),
        "page_end": pd.array([1, 4, None], dtype="Int64"),
    }
    data.update(overrides)
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    "text",
    [
        "a--b---c ``q'' ?` !` << ,,",
        "100% & $5 #1 a_b ^ ~ \\ end\\",
        string.punctuation.replace("{", "").replace("}", ""),
        "上海“首个”—ABS（资产证券化）",
    ],
)
def test_bib_escape_round_trips_through_pybtex(text: str) -> None:
    assert str(Text.from_latex(bib_escape(text))) == text


def test_bib_escape_turns_braces_full_width() -> None:
    assert str(Text.from_latex(bib_escape("a{b}c"))) == "a｛b｝c"


def test_write_bibtex_one_entry_per_item(tmp_path: Path) -> None:
    path = tmp_path / "refs" / "references.bib"
    assert write_bibtex(_items(), path) == 3
    entries = parse_file(str(path)).entries
    assert list(entries) == ["bulletin-2099-02-01", "bulletin-2099-02-02", "bulletin-2099-01-07"]
    first = entries["bulletin-2099-02-01"]
    assert str(Text.from_latex(first.fields["title"])) == "【合成】江苏 ABS--试点 100% & #1"
    assert first.fields["year"] == "2099" and first.fields["month"] == "2"
    assert first.fields["pages"] == "1"
    assert entries["bulletin-2099-02-02"].fields["pages"] == "2--4"
    assert "pages" not in entries["bulletin-2099-01-07"].fields
    assert str(Text.from_latex(first.fields["section"])) == "合成测试"
    assert first.fields["issuedate"] == "2099-02" and first.fields["seq"] == "1"
    assert not list(tmp_path.glob("refs/.*.tmp"))


def test_write_bibtex_empty_frame_gives_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    assert write_bibtex(_items().iloc[0:0], path) == 0
    assert len(parse_file(str(path)).entries) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"item_id": ["a b", "x", "y"]}, "BibTeX key"),
        ({"item_id": ["x", "x", "y"]}, "duplicate item_id"),
        ({"issue_date": ["2099-2", "2099-02", "2099-01"]}, "YYYY-MM"),
        ({"title": ["", "t", "t"]}, "title is empty"),
    ],
)
def test_write_bibtex_rejects_bad_items(tmp_path: Path, overrides: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        write_bibtex(_items(**overrides), tmp_path / "references.bib")


def test_write_bibtex_requires_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing column"):
        write_bibtex(_items().drop(columns=["section"]), tmp_path / "references.bib")


def _formatted(path: Path) -> list:
    register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", STYLE_NAME)()
    return list(style.format_entries(parse_file(str(path)).entries.values()))


def test_labels_are_readable_and_sorted(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    write_bibtex(_items(), path)
    formatted = _formatted(path)
    assert [entry.label for entry in formatted] == [
        "2099-01 #7",
        "2099-02 #1 p.1",
        "2099-02 #2 p.2–4",
    ]
    text = formatted[1].text.render_as("text")
    assert text.startswith("【合成】江苏 ABS--试点 100% & #1.")  # case kept, no ligature
    assert "Bulletin bulletin-2099-02, item 1" in text and "合成测试" in text and "p. 1" in text


def test_colliding_labels_fall_back_to_keys(tmp_path: Path) -> None:
    path = tmp_path / "references.bib"
    items = _items(
        item_id=["bulletin-2099-02-01", "bulletin-2099-02b-01", "bulletin-2099-01-07"],
        bulletin_id=["bulletin-2099-02", "bulletin-2099-02b", "bulletin-2099-01"],
        seq=[1, 1, 7],
        page_start=pd.array([1, 1, None], dtype="Int64"),
        page_end=pd.array([1, 1, None], dtype="Int64"),
    )
    write_bibtex(items, path)
    labels = [entry.label for entry in _formatted(path)]
    assert labels == ["2099-01 #7", "bulletin-2099-02-01 p.1", "bulletin-2099-02b-01 p.1"]


def test_ensure_references_placeholder_then_items(tmp_path: Path) -> None:
    path = ensure_references(tmp_path)
    assert path == tmp_path / "book" / "_generated" / "references.bib"
    assert len(parse_file(str(path)).entries) == 0
    ensure_references(tmp_path, _items())
    assert len(parse_file(str(path)).entries) == 3
    ensure_references(tmp_path)  # an existing file is kept
    assert len(parse_file(str(path)).entries) == 3


def test_record_time_merges(tmp_path: Path) -> None:
    record_time(tmp_path, "html_seconds", 1.234)
    record_time(tmp_path, "pdf_seconds", 2.0)
    times = json.loads((tmp_path / "_build" / "build-times.json").read_text())
    assert times == {"html_seconds": 1.23, "pdf_seconds": 2.0}


def test_hide_code_inputs_tags_code_cells_only() -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "x"},
            {"cell_type": "code", "metadata": {}, "source": "1"},
            {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": "2"},
            {"cell_type": "code", "metadata": {"tags": ["show-input"]}, "source": "3"},
        ]
    }
    updated = json.loads(hide_code_inputs(json.dumps(notebook)))
    assert [cell["metadata"].get("tags") for cell in updated["cells"]] == [
        None,
        ["hide-input"],
        ["remove-cell"],
        ["show-input"],
    ]
    assert hide_code_inputs(json.dumps(updated)) is None


def test_indexed_bibliography_filter_equals_the_original() -> None:
    """The extension's filtered entries are the original method's, on a small domain."""
    from types import SimpleNamespace

    from pybtex.database import Entry
    from sphinxcontrib.bibtex.citation_target import CitationTarget
    from sphinxcontrib.bibtex.directives import BibliographyKey

    from analysis.book import bibindex

    entries = {k: Entry("misc", fields={"bulletin": b})
               for k, b in [("a", "x"), ("b", "x"), ("c", "y")]}
    for key, entry in entries.items():
        entry.key = key

    def bibliography(filter_: str, keys: set[str]) -> SimpleNamespace:
        import ast
        return SimpleNamespace(bibfiles=["f.bib"], keyprefix="", filter_=ast.parse(filter_),
                               keys=keys, line=1)

    refs = [SimpleNamespace(docname="p1", targets=[CitationTarget("a", "", "")]),
            SimpleNamespace(docname="p2", targets=[CitationTarget("a", "", ""),
                                                   CitationTarget("c", "", "")])]
    bibs = {BibliographyKey("bib/x", "b1"): bibliography('bulletin == "x"', set()),
            BibliographyKey("bib/y", "b2"): bibliography("cited", set()),
            BibliographyKey("bib/z", "b3"): bibliography("False", {"b"})}
    domain = SimpleNamespace(bibliographies=bibs, citation_refs=refs,
                             get_entries=lambda files: list(entries.values()))
    for key in bibs:
        assert list(bibindex.filtered_entries(domain, key)) == \
            list(bibindex._ORIGINAL(domain, key))
    assert [k for k, _ in bibindex.filtered_entries(domain, BibliographyKey("bib/y", "b2"))] \
        == ["a", "c"]
    assert bibindex.cited_docnames(domain) == {"a": {"p1", "p2"}, "c": {"p2"}}
    for docnames in (["p1", "p2"], ["p2", "p1"]):
        assert list(bibindex.all_cited_keys(domain, docnames)) == \
            list(bibindex._ORIGINAL_CITED_KEYS(domain, docnames))
    assert list(bibindex.all_cited_keys(domain, ["p2", "p1"])) == ["a", "c", "a"]


def _bibliography_document(domain: object) -> object:
    """A document holding one bibliography directive's node (docname ``bib/x``)."""
    from types import SimpleNamespace

    from docutils.utils import new_document
    from sphinxcontrib.bibtex.nodes import bibliography

    document = new_document("bib/x")
    document.settings.env = SimpleNamespace(get_domain=lambda name: domain)
    node = bibliography("", docname="bib/x", ids=["b1"])
    document += node
    return document


def test_indexed_bibliography_transform_equals_the_original() -> None:
    """Filling a bibliography from this document's citations and references only gives the
    original's nodes (entries in order, same-document back-references), on a small domain."""
    from types import SimpleNamespace

    import docutils.nodes
    from pybtex.style import FormattedEntry
    from sphinxcontrib.bibtex.citation_target import CitationTarget
    from sphinxcontrib.bibtex.directives import BibliographyKey
    from sphinxcontrib.bibtex.domain import Citation
    from sphinxcontrib.bibtex.roles import CitationRef
    from sphinxcontrib.bibtex.transforms import BibliographyTransform

    from analysis.book import bibindex

    here, there = BibliographyKey("bib/x", "b1"), BibliographyKey("bib/y", "b2")

    def citation(key: str, bib: BibliographyKey) -> Citation:
        return Citation(f"cite-{key}", bib, key, None, FormattedEntry(key, Text(key.upper()),
                                                                      label=key), None)

    def domain() -> SimpleNamespace:
        keys = ["b", "a", "c"]
        bib = SimpleNamespace(list_="citation", citation_nodes={
            k: docutils.nodes.citation(ids=[f"cite-{k}"]) for k in keys})
        data = {"citations": [citation("b", here), citation("z", there), citation("a", here),
                              citation("c", here)],
                "citation_refs": [CitationRef("r1", "bib/x", 1, [CitationTarget("a", "", "")]),
                                  CitationRef("r2", "page", 1, [CitationTarget("b", "", "")])]}
        return SimpleNamespace(data=data, citations=data["citations"],
                               citation_refs=data["citation_refs"],
                               bibliographies={here: bib, there: bib})

    results = []
    for run in (bibindex._ORIGINAL_RUN, bibindex.bibliography_run):
        document = _bibliography_document(domain())
        run(BibliographyTransform(document))
        results.append(document.pformat())
    assert results[0] == results[1]
    assert results[1].index('ids="cite-b"') < results[1].index('ids="cite-a"')
    assert 'backrefs="r1"' in results[1] and "r2" not in results[1]
