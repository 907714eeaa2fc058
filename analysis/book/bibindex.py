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
is computed once, not once per bibliography directive; and the post-transform that fills each
bibliography (which, for every entry, scanned every citation reference of the book for
back-references: 24,000 entries x 50,000 references at 1,000 issues) sees only the citations
and references of the document it transforms.

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
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node
from sphinxcontrib.bibtex.transforms import BibliographyTransform

__all__ = ["all_cited_keys", "bibliography_run", "by_docname", "citations_by_key",
           "cited_docnames", "filtered_entries", "resolve_xref", "setup"]

logger = logging.getLogger(__name__)
_ORIGINAL = BibtexDomain.get_filtered_entries
_ORIGINAL_RESOLVE = BibtexDomain.resolve_xref
_ORIGINAL_CITED_KEYS = BibtexDomain.get_all_cited_keys
_ORIGINAL_RUN = BibliographyTransform.run


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


def by_docname(domain: BibtexDomain, field: str) -> dict[str, list[Any]]:
    """``{docname: [entries]}`` of ``domain.data[field]`` (``citations``: by their
    bibliography's document; ``citation_refs``: by the citing document), in their order,
    cached on the domain until the list changes."""
    values = domain.data[field]
    stamp = (id(values), len(values))
    cache = domain.__dict__.setdefault("_bulletin_by_docname", {})
    if field not in cache or cache[field][0] != stamp:
        index: dict[str, list[Any]] = {}
        for value in values:
            name = value.bibliography_key.docname if field == "citations" else value.docname
            index.setdefault(name, []).append(value)
        cache[field] = (stamp, index)
    return cache[field][1]


def bibliography_run(self: BibliographyTransform, **kwargs: Any) -> None:
    """``BibliographyTransform.run`` on the citations of this document's bibliographies and
    the citation references made in this document only: the original keeps a bibliography's
    citations and same-document back-references and nothing else, so the result is the same."""
    names = {node["docname"] for node in self.document.findall(bibliography_node)}
    if not names:
        return
    domain = self.document.settings.env.get_domain("cite")
    citations, refs = by_docname(domain, "citations"), by_docname(domain, "citation_refs")
    everything = domain.data["citations"], domain.data["citation_refs"]
    domain.data["citations"] = [c for name in sorted(names) for c in citations.get(name, ())]
    domain.data["citation_refs"] = [r for name in sorted(names) for r in refs.get(name, ())]
    try:
        _ORIGINAL_RUN(self, **kwargs)
    finally:
        domain.data["citations"], domain.data["citation_refs"] = everything


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point: install :func:`filtered_entries` and :func:`resolve_xref`, and
    make pybtex's plaintext backend a runtime plugin (sphinxcontrib-bibtex looks it up for
    every citation role, and an entry-point lookup scans every installed package's metadata)."""
    BibtexDomain.get_filtered_entries = filtered_entries
    BibtexDomain.resolve_xref = resolve_xref
    BibtexDomain.get_all_cited_keys = all_cited_keys
    BibliographyTransform.run = bibliography_run
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
