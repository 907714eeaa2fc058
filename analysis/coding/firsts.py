"""Claims of a first as a grammar: a scope word and a first word within one clause.

A clause is the text between clause punctuation (，。；！？：\\n and their ASCII forms). A claim
is a scope word (全国, 国内 ... for national; 全省, 省内 ... or a province/place name for
provincial) and a first word (首个, 首家, 率先, 第一个 ...) in the same clause, in either order:
scope, then nothing or a linker (尚属, 属, 也是 ...), then the first word (全国首个,
在全国尚属首次);
or the first word, a reverse linker (在, 于), then the scope (首个在全国, 率先在全国). A place
name is a scope only directly before a first word that does not name the actor's own act
(浙江首单; not 浙江率先, listed in ``actor_first_words``). Before
matching, exclusions (categories such as 首台套, time expressions such as 第一季度, rankings
such as 位居全国第一) are masked. A first word up to :data:`AIM_WINDOW` characters after an
aim word (力争, 计划 ...) states an aim, not an achieved fact. Extra whole patterns
(填补…国内…空白) are claims too.

Every claim keeps its evidence span (scope word through first word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.coding.codebook import Firsts
from analysis.coding.gazetteer import trie_regex

CLAUSE_END = "，,。；;！!？?：:\n"


#: An aim word makes a plan of a first word at most this many characters after it
#: (力争在全国率先, 争取年底前在全国率先); farther away, 将 is the object marker of a fact
#: (将A与B联动的做法属国内首创).
AIM_WINDOW = 14


@dataclass(frozen=True)
class Claim:
    """One claim of a first: ``kind`` national or provincial, its span; ``gap`` is unused (0)."""

    kind: str
    text: str
    start: int
    end: int
    gap: int


@dataclass(frozen=True)
class FirstsResult:
    """Claims found, and the near misses that lower confidence (aims, first words without a
    scope word)."""

    claims: list[Claim]
    aims: int
    bare_first_words: int


class FirstsGrammar:
    """Compiled from the codebook's ``firsts`` section and the gazetteer's place names."""

    def __init__(self, spec: Firsts, place_names: list[str], places_pattern: str = "",
                 foreign_pattern: str = "(?!)") -> None:
        self._linkers = set(spec.linkers) | {""}
        self._reverse = set(spec.reverse_linkers)
        self._actor_firsts = set(spec.actor_first_words)
        self._first = trie_regex(spec.first_words)
        self._national = trie_regex(spec.national.scope_words)
        self._provincial = trie_regex(spec.provincial.scope_words)
        self._places = trie_regex(place_names)
        self._place_suffix = re.compile(r"(?:省|市|自治区)?(?:内)?")
        self._aims = trie_regex(spec.aim_words)
        self._exclusions = [re.compile(p) for p in spec.exclusions]
        self._patterns = [re.compile(p.replace("{places}", places_pattern)
                                     .replace("{foreign}", foreign_pattern))
                          for p in spec.national.patterns]
        self._provincial_patterns = [re.compile(p.replace("{places}", places_pattern))
                                     for p in spec.provincial.patterns]

    def mask(self, text: str) -> str:
        """``text`` with every exclusion replaced by NUL characters (offsets kept)."""
        for rule in self._exclusions:
            text = rule.sub(lambda m: "\0" * len(m.group()), text)
        return text

    def find(self, text: str) -> FirstsResult:
        """Every claim in ``text`` (national before provincial where both cover a span)."""
        masked = self.mask(text)
        claims: list[Claim] = []
        aims = bare = 0
        for start, end in _clauses(masked):
            clause = masked[start:end]
            firsts = [(m.start(), m.end()) for m in self._first.finditer(clause)]
            if not firsts:
                continue
            aims_at = [m.start() for m in self._aims.finditer(clause)]
            kept = [f for f in firsts
                    if not any(f[0] - AIM_WINDOW <= a < f[0] for a in aims_at)]
            aims += len(firsts) - len(kept)
            found_here = False
            for kind, regex in (("national", self._national), ("provincial", self._provincial)):
                scopes = [(m.start(), m.end()) for m in regex.finditer(clause)]
                for claim in self._pair(kind, clause, start, scopes, kept):
                    claims.append(claim)
                    found_here = True
            places = []
            for m in self._places.finditer(clause):
                suffix = self._place_suffix.match(clause, m.end())
                places.append((m.start(), suffix.end() if suffix else m.end()))
            nominal = [f for f in kept if clause[f[0]:f[1]] not in self._actor_firsts]
            for claim in self._pair("provincial", clause, start, places, nominal, names=True):
                claims.append(claim)
                found_here = True
            bare += 0 if found_here else len(kept)
        for kind, rules in (("national", self._patterns),
                            ("provincial", self._provincial_patterns)):
            for rule in rules:
                for m in rule.finditer(masked):
                    claims.append(Claim(kind, text[m.start():m.end()], m.start(), m.end(), 0))
        return FirstsResult(_dedupe(claims, text), aims, bare)

    def _pair(self, kind: str, clause: str, offset: int, scopes: list[tuple[int, int]],
              firsts: list[tuple[int, int]], names: bool = False) -> list[Claim]:
        """Claims of one clause: scope, a linker (or nothing), first word; or first word, a
        reverse linker, scope. Place names (``names``) only directly before the first word."""
        out = []
        for fs, fe in firsts:
            for ss, se in scopes:
                if se <= fs and (clause[se:fs] == "" or (not names and clause[se:fs] in
                                                          self._linkers)):
                    s, e = ss, fe
                elif not names and fe <= ss and clause[fe:ss] in self._reverse:
                    s, e = fs, se
                else:
                    continue
                out.append(Claim(kind, clause[s:e], offset + s, offset + e, 0))
                break
        return out


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch in CLAUSE_END:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _dedupe(claims: list[Claim], text: str) -> list[Claim]:
    """Claims in text order; a provincial claim overlapping a national one is dropped (a
    national claim alone does not make a provincial one), as is an exact repeat."""
    national = [c for c in claims if c.kind == "national"]
    kept: list[Claim] = []
    for c in sorted(claims, key=lambda c: (c.start, c.kind != "national", c.end)):
        if c.kind == "provincial" and any(n.start < c.end and c.start < n.end for n in national):
            continue
        if any(k.kind == c.kind and k.start < c.end and c.start < k.end for k in kept):
            continue
        kept.append(Claim(c.kind, text[c.start:c.end], c.start, c.end, c.gap))
    return kept
