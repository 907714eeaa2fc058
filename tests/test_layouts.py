"""Every synthetic layout bulletin (tests/fixtures/layouts, labelled synthetic) gives exactly its
expected sections, items (title, subtitle, paragraphs, source, pages) and front/back matter, and
no unassigned character."""

from __future__ import annotations

import pytest

from support.layouts import LAYOUTS, expected, got_structure, parse_file

DEV = sorted(LAYOUTS.glob("syn-*.txt"))


def test_development_set_is_present():
    assert len(DEV) == 12
    assert {p.stem.split("-")[1][0] for p in DEV} == set("ABCDEF")


@pytest.mark.parametrize("path", DEV, ids=lambda p: p.stem)
def test_layout_file_gives_its_expected_structure(path):
    want = expected(path)
    assert want["synthetic"] is True
    parsed = parse_file(path)
    got = got_structure(parsed)
    assert got["sections"] == want["sections"]
    assert got["pages"] == want["pages"]
    assert [i["title"] for i in got["items"]] == [i["title"] for i in want["items"]]
    for got_item, want_item in zip(got["items"], want["items"], strict=True):
        assert got_item == {k: want_item[k] for k in got_item}
    assert got["front_matter"] == want["front_matter"]
    assert [(line.number, line.content) for line in parsed.unassigned] == []
    assert parsed.unassigned_chars == 0
