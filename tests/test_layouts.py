"""Every synthetic layout bulletin (tests/fixtures/layouts, labelled synthetic) gives exactly its
expected sections, items (title, subtitle, paragraphs, source, pages) and front/back matter, and
no unassigned character."""

from __future__ import annotations

import pytest

from support.layouts import LAYOUTS, expected, got_structure, parse_file

DEV = sorted(LAYOUTS.glob("syn-*.txt"))
#: Kept aside during development and measured once at the end (26 of 30 items, 188 characters
#: unassigned in syn-F2); the two rules that measurement showed missing (a question title with
#: a comma, a question title followed by a subtitle) were then fixed, so these are tests now.
HOLDOUT = sorted((LAYOUTS / "holdout").glob("syn-*.txt"))


def test_development_set_is_present():
    assert len(DEV) == 12
    assert {p.stem.split("-")[1][0] for p in DEV} == set("ABCDEF")


def test_holdout_set_is_present():
    assert [p.stem for p in HOLDOUT] == ["syn-A1", "syn-D1", "syn-D2", "syn-F2"]


@pytest.mark.parametrize("path", DEV + HOLDOUT, ids=lambda p: p.stem)
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
