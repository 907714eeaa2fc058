"""The vocabularies of the coded tables, read from the codebook (``data/codebook.yml``).

This is the one place the rest of the package learns which domains, instrument sides and
tools, issuing levels and sections exist, in which order, and how they are labelled: the
table schemas, the review file, the notebook parameters and their defaults, the plot and prose
labels, the methods page and the data dictionary all derive from :func:`vocabulary`. Adding a
domain to the codebook is enough for it to be coded, validated, analysed and labelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.coding.codebook import Codebook, load_codebook


@dataclass(frozen=True)
class Vocabulary:
    """Ids in codebook order with their labels. ``issuing_levels`` excludes the empty value
    ("not stated") that the items table also allows."""

    domains: tuple[str, ...]
    fallback_domain: str
    domain_labels: Mapping[str, str]
    domain_phrases: Mapping[str, str]
    domain_definitions: Mapping[str, str]
    sides: tuple[str, ...]
    side_labels: Mapping[str, str]
    tools: tuple[str, ...]
    tool_side: Mapping[str, str]
    tool_labels: Mapping[str, str]
    issuing_levels: tuple[str, ...]
    issuing_labels: Mapping[str, str]
    sections: tuple[str, ...]

    @classmethod
    def from_codebook(cls, cb: Codebook) -> Vocabulary:
        """Collect the vocabularies of a validated codebook."""
        doms = cb.domains
        tools = {t: (side, spec) for side, s in cb.instruments.items()
                 for t, spec in s.tools.items()}
        return cls(
            domains=tuple(doms),
            fallback_domain=next(d for d, spec in doms.items() if spec.fallback),
            domain_labels={d: s.label for d, s in doms.items()},
            domain_phrases={d: s.phrase or s.label.lower() for d, s in doms.items()},
            domain_definitions={d: s.definition for d, s in doms.items()},
            sides=tuple(cb.instruments),
            side_labels={s: spec.label for s, spec in cb.instruments.items()},
            tools=tuple(tools),
            tool_side={t: side for t, (side, _) in tools.items()},
            tool_labels={t: spec.label for t, (_, spec) in tools.items()},
            issuing_levels=tuple(cb.issuers.levels),
            issuing_labels={lv: spec.label for lv, spec in cb.issuers.levels.items()},
            sections=tuple(s.name for s in cb.sections),
        )

    @property
    def analysed_domains(self) -> tuple[str, ...]:
        """The domains analysed by default: every domain but the fallback."""
        return tuple(d for d in self.domains if d != self.fallback_domain)

    def phrase(self, domain: str) -> str:
        """How running text names a domain ("industrial policy"); unknown ids as they are."""
        return self.domain_phrases.get(domain, domain)

    def sides_of(self, tools: str) -> str:
        """The ``;``-joined sides (in codebook order) of ``;``-joined tools."""
        present = {self.tool_side[t] for t in tools.split(";") if t}
        return ";".join(s for s in self.sides if s in present)

    def ordered_domains(self, values: object) -> list[str]:
        """``values`` in codebook order, then any unknown ones sorted."""
        seen = set(values)  # type: ignore[call-overload]
        return [d for d in self.domains if d in seen] + sorted(seen - set(self.domains))


_CACHE: dict[int, tuple[Codebook, Vocabulary]] = {}


def vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabularies of the codebook at ``path`` (default ``paths.CODEBOOK``); cached with
    the codebook itself (reloaded when the file changes)."""
    cb = load_codebook(path)
    found = _CACHE.get(id(cb))
    if found is None or found[0] is not cb:
        found = _CACHE[id(cb)] = (cb, Vocabulary.from_codebook(cb))
    return found[1]
