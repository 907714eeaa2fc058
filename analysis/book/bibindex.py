"""Bibliographies that scale: an index of cited keys for sphinxcontrib-bibtex (Sphinx extension).

sphinxcontrib-bibtex 2.7 (pinned) decides, for every entry of every ``{bibliography}``
directive, which documents cite it by scanning every citation of the book
(``BibtexDomain.get_filtered_entries``). With one bibliography page per issue that is
pages x entries x citations: at 120 issues (120 pages, 2,880 entries, some 10,000 citations)
the HTML build spent over ten minutes there. This extension replaces that method with the same
logic reading a key -> citing documents index, built once per set of citations. Likewise,
resolving each citation role scanned every citation of the book twice and looked the plaintext
backend up among the installed packages' entry points: the role now sees only its keys'
citations, and the backend is a runtime plugin; the citation order a bibliography sorts by
is computed once, not once per bibliography directive.

The replacement keeps the original's behaviour (filter expression, ``keyprefix``, explicit
``keys``, the warning on a bad filter); ``tests/test_book_bibtex.py`` checks it against the
original on a small domain.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlaintextBackend
from sphinx.util import logging
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor

__all__ = ["all_cited_keys", "citations_by_key", "cited_docnames", "filtered_entries",
           "resolve_xref", "setup"]

logger = logging.getLogger(__name__)
_ORIGINAL = BibtexDomain.get_filtered_entries
_ORIGINAL_RESOLVE = BibtexDomain.resolve_xref
_ORIGINAL_CITED_KEYS = BibtexDomain.get_all_cited_keys


def cited_docnames(domain: BibtexDomain) -> dict[str, set[str]]:
    """``{key: documents citing it}`` over the domain's citations, cached on the domain until
    the list of citations changes."""
    refs = domain.citation_refs
    stamp = (id(refs), len(refs))
    cached = getattr(domain, "_bulletin_cited_index", None)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[str, set[str]] = {}
    for ref in refs:
        for target in ref.targets:
            index.setdefault(target.key, set()).add(ref.docname)
    domain._bulletin_cited_index = (stamp, index)
    return index


def filtered_entries(self: BibtexDomain, bibliography_key: Any) -> Iterable[tuple[str, Any]]:
    """``BibtexDomain.get_filtered_entries`` reading :func:`cited_docnames`."""
    bibliography = self.bibliographies[bibliography_key]
    index = cited_docnames(self)
    for entry in self.get_entries(bibliography.bibfiles):
        key = bibliography.keyprefix + entry.key
        cited = index.get(key, set())
        visitor = _FilterVisitor(entry=entry, docname=bibliography_key.docname,
                                 cited_docnames=cited)
        try:
            success = visitor.visit(bibliography.filter_)
        except ValueError as err:
            logger.warning(f"syntax error in :filter: expression; {err}",
                           location=(bibliography_key.docname, bibliography.line),
                           type="bibtex", subtype="filter_syntax_error")
            success = bool(cited)
        if success or entry.key in bibliography.keys:
            yield key, entry


def citations_by_key(domain: BibtexDomain) -> dict[str, list[tuple[int, Any]]]:
    """``{key: [(position, citation), ...]}`` over the domain's citations, cached on the
    domain until the list of citations changes."""
    citations = domain.citations
    stamp = (id(citations), len(citations))
    cached = getattr(domain, "_bulletin_citation_index", None)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[str, list[tuple[int, Any]]] = {}
    for position, citation in enumerate(citations):
        index.setdefault(citation.key, []).append((position, citation))
    domain._bulletin_citation_index = (stamp, index)
    return index


def resolve_xref(self: BibtexDomain, env: Any, fromdocname: str, builder: Any, typ: str,
                 target: str, node: Any, contnode: Any) -> Any:
    """``BibtexDomain.resolve_xref`` on the citations of the role's keys only: the original
    scans every citation of the book twice for every citation role. Same result: the
    original runs on the cited keys' citations, in their original order."""
    keys = {t.key for t in parse_citation_targets(target)}
    index = citations_by_key(self)
    subset = [c for _, c in sorted((pc for k in keys for pc in index.get(k, ())),
                                   key=lambda pc: pc[0])]
    everything = self.data["citations"]
    self.data["citations"] = subset
    try:
        return _ORIGINAL_RESOLVE(self, env, fromdocname, builder, typ, target, node, contnode)
    finally:
        self.data["citations"] = everything


def all_cited_keys(self: BibtexDomain, docnames: list[str]) -> Iterable[str]:
    """``BibtexDomain.get_all_cited_keys``: the keys of every citation, citations ordered by
    their document's place in ``docnames``. The original sorts every citation, looking each
    document up in the list, once per bibliography directive; the order is computed once per
    set of citations and documents here."""
    refs = self.citation_refs
    stamp = (id(refs), len(refs), tuple(docnames))
    cached = getattr(self, "_bulletin_cited_order", None)
    if cached is None or cached[0] != stamp:
        place = {name: i for i, name in enumerate(docnames)}
        ordered = sorted(refs, key=lambda ref: place[ref.docname])
        cached = (stamp, [target.key for ref in ordered for target in ref.targets])
        self._bulletin_cited_order = cached
    return iter(cached[1])


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: install :func:`filtered_entries` and :func:`resolve_xref`, and
    make pybtex's plaintext backend a runtime plugin (sphinxcontrib-bibtex looks it up for
    every citation role, and an entry-point lookup scans every installed package's metadata)."""
    BibtexDomain.get_filtered_entries = filtered_entries
    BibtexDomain.resolve_xref = resolve_xref
    BibtexDomain.get_all_cited_keys = all_cited_keys
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
