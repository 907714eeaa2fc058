"""Citations that scale: a claim backed by many items cites one named *source set*.

The views cite every item behind a sentence or table cell (``{cite:p}`a,b,...```). Read inline,
a list of hundreds of keys is useless, and sphinxcontrib-bibtex's citation parser recurses once
per key (``RecursionError`` at a few hundred). So, when the book's pages are generated, every
citation with more than :data:`MAX_INLINE` keys becomes a link to a source set on the
*Source sets* appendix page (``[24 items in 2 issues]``), where the set's items are listed
grouped by issue (issue, position, page, or "every item of the issue"; each issue links to its
references page). A set's
label is a hash of its sorted keys, so the same items always make the same set, wherever they
are cited. No Sphinx role ever receives more than :data:`MAX_INLINE` keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import pandas as pd

from analysis.common.escape import escape_markdown
from analysis.views.common import page_text

__all__ = ["MAX_INLINE", "SourceSets", "issue_label"]

#: Most item keys one citation shows inline.
MAX_INLINE = 8
_CITE = re.compile(r"\{cite:p\}`([^`]*)`")


def issue_label(bulletin_id: str) -> str:
    """The label of an issue's references (a page of its own, or its section of a year's
    page: :func:`analysis.book.pages.issue_pages`)."""
    return f"bib-{bulletin_id}"


class SourceSets:
    """The source sets of one book: :meth:`collapse` rewrites text, :meth:`page` lists them."""

    def __init__(self, items: pd.DataFrame, limit: int = MAX_INLINE) -> None:
        self.limit = limit
        self.sets: dict[str, list[str]] = {}
        self._items = items.set_index("item_id")[
            ["bulletin_id", "issue_date", "seq", "page_start", "page_end"]]
        self._sizes = items["bulletin_id"].value_counts().to_dict()
        # per-key and per-issue facts as dicts: looked up for every member of every set
        self._dates = dict(zip(items["bulletin_id"], items["issue_date"], strict=True))
        self._keys = {k: (str(d), str(b), int(s), k) for k, d, b, s in zip(
            items["item_id"], items["issue_date"], items["bulletin_id"], items["seq"],
            strict=True)}

    def label(self, keys: Iterable[str]) -> str:
        """The set's label: ``set-`` and 10 hex digits of the hash of its sorted keys."""
        text = ",".join(sorted(keys))
        return "set-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]

    def _replace(self, match: re.Match[str]) -> str:
        keys = list(dict.fromkeys(k.strip() for k in match.group(1).split(",") if k.strip()))
        if len(keys) <= self.limit:
            return match.group(0)
        label = self.label(keys)
        self.sets.setdefault(label, sorted(keys, key=self._order))
        n_issues = len({self._bulletin(k) for k in keys})
        issues = f" in {n_issues} issues" if n_issues > 1 else ""
        return f"[{{ref}}`{len(keys)} items{issues} <{label}>`]"

    def _bulletin(self, key: str) -> str:
        return self._keys[key][1] if key in self._keys else ""

    def _order(self, key: str) -> tuple[str, str, int, str]:
        return self._keys.get(key, ("", "", 0, key))

    def collapse(self, text: str) -> str:
        """``text`` with every citation of more than :attr:`limit` keys replaced by a link to
        its source set (works on Markdown and on a notebook's JSON alike: the replacement has
        no quote or backslash)."""
        return _CITE.sub(self._replace, text)

    def page(self, csv_name: str = "", printed: bool = True) -> str:
        """Markdown of the *Source sets* appendix page; ``csv_name``: the file of every set's
        items beside the page (:meth:`csv`), ``printed``: whether the PDF prints this page
        (else it carries the file instead)."""
        parts = ["# Source sets", "",
                 f"A sentence or table cell that rests on more than {self.limit} items cites "
                 "them as one source set, listed here by issue: the issue (linked to its "
                 "references, which give each item's title), then each item's position in the "
                 "issue and its pages.", ""]
        if csv_name:
            printed_text = ("The PDF carries the file too, attached." if printed else
                            "The PDF leaves this page out and carries the file instead, "
                            "attached: a link to a set prints the set's name.")
            parts += [f"Every set's items are also in one file, "
                      f"{{download}}`{csv_name} <{csv_name}>`. {printed_text}", ""]
        if not self.sets:
            parts.append(f"No sentence or table of this book cites more than {self.limit} "
                         "items, so there is no source set.")
        for label, keys in sorted(self.sets.items()):
            groups: dict[str, list[str]] = {}
            for key in keys:
                groups.setdefault(self._bulletin(key), []).append(key)
            parts += [f"({label})=", f"## {label.removeprefix('set-')}: {len(keys)} items", ""]
            for bulletin, members in groups.items():
                whole = len(members) == self._sizes.get(bulletin, -1)
                parts.append(f"- {self._issue_link(bulletin)} ({len(members)}): "
                             + ("every item of the issue" if whole else
                                "; ".join(self._position(k) for k in members)))
            parts.append("")
        return "\n".join(parts) + "\n"

    def csv(self) -> str:
        """Every source set's items in one CSV file: the set's name (as its heading shows it)
        and size, then each item with its issue, position in the issue and pages."""
        rows = []
        for label, keys in sorted(self.sets.items()):
            for key in keys:
                bulletin = self._bulletin(key)
                item, pages = self._member(key) or ("", "")
                rows.append((label.removeprefix("set-"), len(keys), key, bulletin,
                             self._dates.get(bulletin, ""), item, pages))
        columns = ["set", "set_items", "item_id", "bulletin_id", "issue_date", "item", "page"]
        return pd.DataFrame(rows, columns=columns).to_csv(index=False)

    def _issue_link(self, bulletin: str) -> str:
        if not bulletin:
            return "items not in the data"
        date = self._dates[bulletin]
        # bulletin ids are plain ids (letters, digits, - and _): nothing to escape in a role
        return f"{{ref}}`{date or 'undated'} ({bulletin}) <{issue_label(bulletin)}>`"

    def _member(self, key: str) -> tuple[int, str] | None:
        """An item's position in its issue and its pages, or None for a key not in the data."""
        if key not in self._items.index:
            return None
        row = self._items.loc[key]
        return int(row["seq"]), page_text(row["page_start"], row["page_end"])

    def _position(self, key: str) -> str:
        member = self._member(key)
        if member is None:
            return escape_markdown(key)
        seq, pages = member
        return f"#{seq}" + (f" p.{pages}" if pages else "")
