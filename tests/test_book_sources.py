"""Citations that scale: long citations become source sets (analysis.book.sources)."""

import re

import pandas as pd

from analysis.book.sources import MAX_INLINE, SourceSets
from analysis.views.markdown import cite


def items(n_issues: int = 3, per_issue: int = 6) -> pd.DataFrame:
    rows = [{"item_id": f"b{i}-{s:02d}", "bulletin_id": f"b{i}", "issue_date": f"2021-0{i}",
             "seq": s, "page_start": s, "page_end": s + 1}
            for i in range(1, n_issues + 1) for s in range(1, per_issue + 1)]
    return pd.DataFrame(rows)


def test_short_citations_stay_inline() -> None:
    sets = SourceSets(items())
    text = "Two items " + cite(["b1-01", "b1-02"]) + "."
    assert sets.collapse(text) == text and not sets.sets


def test_a_long_citation_becomes_one_named_set_listed_by_issue() -> None:
    frame = items()
    sets = SourceSets(frame)
    keys = list(frame["item_id"])[::-1]  # any order
    text = sets.collapse(f"All of them {cite(keys)}; again {cite(sorted(keys))}.")
    labels = re.findall(r"\{ref\}`18 items in 3 issues <(set-[0-9a-f]{10})>`", text)
    assert len(labels) == 2 and labels[0] == labels[1]  # same items, same set
    assert "{cite:p}" not in text
    page = sets.page()
    assert f"({labels[0]})=" in page
    lines = [line for line in page.splitlines() if line.startswith("- ")]
    assert lines == [f"- {{ref}}`2021-0{i} (b{i}) <bib-b{i}>` (6): "
                     "every item of the issue" for i in (1, 2, 3)]
    sets.collapse(cite(keys[:9]))  # b3's six items and three of b2's
    part = [line for line in sets.page().splitlines() if "(b2)" in line and "(3)" in line]
    assert part and part[0].endswith("(3): #4 p.4-5; #5 p.5-6; #6 p.6-7")


def test_no_role_receives_more_than_the_limit() -> None:
    frame = items(n_issues=9, per_issue=24)
    sets = SourceSets(frame)
    text = sets.collapse(" ".join(cite(frame["item_id"][:n]) for n in (1, MAX_INLINE,
                                                                       MAX_INLINE + 1, 216)))
    roles = re.findall(r"\{cite:p\}`([^`]*)`", text + sets.page())
    assert roles and max(len(r.split(",")) for r in roles) <= MAX_INLINE
    assert len(sets.sets) == 2


def test_a_notebook_stays_valid_json_after_collapsing() -> None:
    import json

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("x " + cite(items()["item_id"])))
    text = SourceSets(items()).collapse(nbformat.writes(nb))
    assert "{ref}`18 items in 3 issues" in "".join(json.loads(text)["cells"][0]["source"])


def test_every_set_in_one_csv_and_the_page_says_what_the_pdf_prints() -> None:
    import io

    frame = items()
    sets = SourceSets(frame)
    text = sets.collapse(cite(list(frame["item_id"])) + cite(list(frame["item_id"])[:9]))
    table = pd.read_csv(io.StringIO(sets.csv()), dtype=str)
    assert list(table.columns) == ["set", "set_items", "item_id", "bulletin_id", "issue_date",
                                   "item", "page"]
    assert len(table) == 18 + 9 and set(table["set_items"]) == {"18", "9"}
    label = re.findall(r"<set-([0-9a-f]{10})>", text)[1]  # the 9-item set
    first = table[table["set"] == label].iloc[0]
    assert (first["item_id"], first["bulletin_id"], first["item"], first["page"]) == \
        ("b1-01", "b1", "1", "1-2")
    printed = sets.page("source-sets.csv", printed=True)
    assert "{download}`source-sets.csv <source-sets.csv>`" in printed
    assert "carries the file too" in printed
    assert "leaves this page out" in sets.page("source-sets.csv", printed=False)
