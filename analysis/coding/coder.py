"""Automatic coding of one item: regions, domains, instruments, claims of a first, issuing level.

Every code comes with ``Evidence``: the exact matched text and its offsets in the item's coding
text (``title + "\\n" + body``); ``analysis.dataset.build`` maps those offsets to the raw file.

Rules (their vocabularies live in ``data/codebook.yml``):

- **Regions**: the places named in the title are the actors. When the title names none, the
  places in the body's first sentence; then provincial service platforms (随申办 ...); then
  a province named at least twice in the body. Places named elsewhere (partners, companies,
  comparisons) are not coded. Region groups (长三角 ...) expand to their provinces only when no
  single province is found.
- **Domains**: keyword scores (see the codebook); ``other`` when none reaches its threshold.
- **Instruments**: every tool whose keyword occurs; sides follow from the tools.
- **Firsts**: a grammar (scope word + first word in one clause), see ``coding.firsts``.
- **Issuing level**: the first issuing agency in the lead paragraph, else the title's subject
  place before an issuing verb; empty when not stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.coding.codebook import Codebook
from analysis.coding.firsts import FirstsGrammar, FirstsResult
from analysis.coding.gazetteer import Gazetteer, GroupMatch, PlaceMatch, trie_regex
from analysis.common.text import SENTENCE_END

_SENTENCE = re.compile(f"[^{SENTENCE_END}\\n]*[{SENTENCE_END}\\n]?")
_ISSUING_VERB = r"(?:[\u4e00-\u9fff]{0,2}?)(?:出台|发布|印发|推出|公布|实施|明确|启动|上线)"
CITY_LEVELS = {"prefecture", "sub_provincial"}
#: Scope codes: what an item makes statements about (see ``Coder._scope``).
SCOPES = ("provincial", "multi_provincial", "national", "foreign")
#: Coded fields that carry a confidence (``Codes.confidence``), in table order.
CONFIDENCE_FIELDS = ("provinces", "cities", "domains", "instruments", "is_national_first",
                     "is_provincial_first", "issuing_level", "scope")


@dataclass(frozen=True)
class Evidence:
    """One coded fact: ``field`` = ``value`` because of ``text`` at ``start:end``."""

    field: str
    value: str
    text: str
    start: int
    end: int


@dataclass
class Codes:
    """All automatic codes of one item."""

    provinces: list[str] = field(default_factory=list)
    province_codes: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    instrument_sides: list[str] = field(default_factory=list)
    is_national_first: bool = False
    is_provincial_first: bool = False
    issuing_level: str = ""
    scope: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)
    scores: dict[str, int] = field(default_factory=dict)


class Coder:
    """Applies the codebook's rules; build once, call ``code`` per item."""

    def __init__(self, codebook: Codebook, gazetteer: Gazetteer) -> None:
        self.codebook = codebook
        self.gazetteer = gazetteer
        names = trie_regex(surface_names(codebook)).pattern
        self._foreign = trie_regex(codebook.foreign_names)
        self._first_word = re.compile(rf"(?:{trie_regex(codebook.firsts.first_words).pattern})")
        self._keyword_masks = [re.compile(x) for d in codebook.domains.values()
                               for x in d.keywords.exclusions]
        self.firsts = FirstsGrammar(codebook.firsts, surface_names(codebook), names,
                                    self._foreign.pattern)
        self._mainland = {p.code for p in codebook.provinces if p.mainland}
        self._whole_province = {p.name for p in codebook.places if p.whole_province}
        self._issuers = [
            (level, re.compile(p)) for level, spec in codebook.issuers.levels.items()
            for p in spec.patterns
        ]
        self._subject = re.compile(rf"^(?:{names})(?:省|市|自治区)?{_ISSUING_VERB}")
        keywords = sorted({w for d in codebook.domains.values()
                           for w in (*d.keywords.strong, *d.keywords.weak)}
                          | {w for side in codebook.instruments.values()
                             for tool in side.tools.values() for w in tool.keywords})
        self._keywords = trie_regex(keywords)
        self._prefixes = {k: [p for p in keywords if k.startswith(p)] for k in keywords}
        self._inner = {k: _inner_starts(k, keywords) for k in keywords}
        # Tools in codebook order; keyword -> [(tool index, index in its keyword list)].
        self._tool_list = [(side, tool_id, tool) for side, spec in codebook.instruments.items()
                           for tool_id, tool in spec.tools.items()]
        self._tool_words: dict[str, list[tuple[int, int]]] = {}
        for ti, (_, _, tool) in enumerate(self._tool_list):
            for ki, word in enumerate(tool.keywords):
                self._tool_words.setdefault(word, []).append((ti, ki))

    def keyword_hits(self, text: str) -> dict[str, int]:
        """Every codebook keyword found in ``text`` with its first position.

        At each position the longest keyword starting there counts, plus its keyword prefixes.
        One scan for non-overlapping matches finds every position where a keyword starts
        outside another match; inside a match only the offsets where another keyword can start
        (precomputed per keyword) are tried again.
        """
        hits: dict[str, int] = {}
        prefixes, inner, match = self._prefixes, self._inner, self._keywords.match
        for m in self._keywords.finditer(text):
            word, start = m.group(), m.start()
            for prefix in prefixes[word]:
                hits.setdefault(prefix, start)
            for offset in inner[word]:
                found = match(text, start + offset)
                if found is not None:
                    for prefix in prefixes[found.group()]:
                        hits.setdefault(prefix, start + offset)
        return hits

    def code(self, title: str, body: str) -> Codes:
        """Code one item from its title and body (coding text = title + newline + body)."""
        text = f"{title}\n{body}"
        codes = Codes()
        masked = text
        for rule in self._keyword_masks:  # look-alike phrases (中国—东盟自由贸易区)
            masked = rule.sub(lambda m: "\0" * len(m.group()), masked)
        hits = self.keyword_hits(masked)
        self._regions(text, len(title), codes)
        self._domains(hits, len(title), text, codes)
        self._instruments(hits, codes)
        _firsts_confidence(self._firsts(text, codes), len(title), codes)
        self._issuer(text, len(title), codes)
        return codes

    # -- regions ---------------------------------------------------------------------------
    def _find(self, text: str, start: int = 0, end: int | None = None) -> list[PlaceMatch]:
        """Places in ``text[start:end]`` with offsets into ``text``."""
        chunk = text[start:end]
        return [m._replace(start=m.start + start, end=m.end + start)
                for m in self.gazetteer.find(chunk)]

    def _places(self, text: str, start: int = 0, end: int | None = None) -> list[PlaceMatch]:
        """Places of mainland provinces only: Hong Kong, Macao and Taiwan are named in items
        but are not among the provinces compared, so they are never coded (codebook)."""
        return [m for m in self._find(text, start, end) if m.province_code in self._mainland]

    def _regions(self, text: str, title_len: int, codes: Codes) -> None:
        lead_start, lead_end = _first_sentence(text, title_len + 1)
        places = [m for m in self._places(text, 0, title_len) if m.level != "platform"]
        basis = "title"
        title_groups = [] if places else self._actor_groups(text, 0, title_len)
        if title_groups:  # 川渝电子证照互认: the group is the title's actor
            self._add_groups(codes, title_groups, text)
            basis = "group"
        elif not places:
            places, basis = [m for m in self._places(text, lead_start, lead_end)
                             if not m.ambiguous and m.level != "platform"], "lead"
        if not places:
            places, basis = [m for m in self._places(text) if m.level == "platform"], "platform"
        if not places:
            places, basis = _repeated([m for m in self._places(text) if not m.ambiguous],
                                      minimum=2), "repeated"
        if not places:  # one province named once, anywhere: the item is about it
            places, basis = _sole([m for m in self._places(text) if not m.ambiguous]), "sole"
        for match in places:
            self._add_province(codes, text, match)
            if (match.level not in {"province", "platform"} and match.name not in codes.cities
                    and match.name not in self._whole_province):
                codes.cities.append(match.name)
                codes.evidence.append(_ev("city", match.name, text, match))
        if not places and not title_groups:
            groups = self._actor_groups(text, lead_start, lead_end)
            basis = "group" if groups else "none"
            self._add_groups(codes, groups, text)
        stated = [m for m in self._stated(text, title_len + 1) + self._recurring(text, title_len)
                  if m.province_code not in codes.province_codes]
        for match in stated:
            self._add_province(codes, text, match)
        codes.provinces = [self.gazetteer.province(c).short for c in codes.province_codes]
        codes.scope = self._scope(text, title_len, lead_end, codes)
        named = any(m.level != "platform" for m in self._places(text))
        conf = {"title": 0.9, "lead": 0.8, "platform": 0.75, "repeated": 0.6, "sole": 0.55,
                "group": 0.6,
                "none": 0.5 if named else 0.8}[basis]
        if stated:
            conf, basis = min(conf, 0.75), f"{basis}+list_or_figure"
        codes.confidence["provinces"] = codes.confidence["cities"] = conf
        codes.confidence["scope"] = conf
        codes.basis["provinces"] = codes.basis["cities"] = codes.basis["scope"] = basis

    def _actor_groups(self, text: str, start: int, end: int) -> list[GroupMatch]:
        """Region groups in ``text[start:end]`` (offsets into ``text``) that act, not those
        that only qualify a first (长三角首个: S4 of the development set's rules)."""
        out = []
        for g in self.gazetteer.find_groups(text[start:end]):
            g = g._replace(start=g.start + start, end=g.end + start)
            if not self._first_word.match(text, g.end):
                out.append(g)
        return out

    def _add_groups(self, codes: Codes, groups: list[GroupMatch], text: str) -> None:
        for group in groups:
            for code in group.province_codes:
                if code in self._mainland and code not in codes.province_codes:
                    codes.province_codes.append(code)
                    codes.evidence.append(Evidence(
                        "province", self.gazetteer.province(code).short, group.name,
                        group.start, group.end))

    def _add_province(self, codes: Codes, text: str, match: PlaceMatch) -> None:
        if match.province_code not in codes.province_codes:
            codes.province_codes.append(match.province_code)
            short = self.gazetteer.province(match.province_code).short
            codes.evidence.append(_ev("province", short, text, match))

    def _stated(self, text: str, body_start: int) -> list[PlaceMatch]:
        """Mainland provinces the body makes its own statement about: named in a list of
        provinces (甲、乙和丙) or opening a clause that holds a figure (重庆始发班列2860列)."""
        out: list[PlaceMatch] = self._enumerated(text, body_start)
        for start, end in _clauses(text, body_start):
            found = [m for m in self._find(text, start, end) if m.level == "province"
                     and m.province_code in self._mainland]
            for i, m in enumerate(found):
                listed = any(
                    (o.end <= m.start and _LIST_JOIN.fullmatch(text[o.end:m.start]))
                    or (m.end <= o.start and _LIST_JOIN.fullmatch(text[m.end:o.start]))
                    for o in found[max(0, i - 1):i + 2] if o is not m)
                opens = _CLAUSE_OPENER.fullmatch(text[start:m.start]) is not None
                if listed or (opens and any(ch.isdigit() for ch in text[m.end:end])):
                    out.append(m)
        return out

    def _recurring(self, text: str, title_len: int) -> list[PlaceMatch]:
        """A province named by its name RECURRING_MENTIONS times or more in the body is a subject
        of the item, beside a different province of the title (黔货…走进杭州 … 贵州 ×5)."""
        found = [m for m in self._find(text, title_len + 1) if m.level == "province"
                 and not m.ambiguous and m.province_code in self._mainland]
        first: dict[str, PlaceMatch] = {}  # each province's first mention, in text order
        for m in _repeated(found, RECURRING_MENTIONS):
            first.setdefault(m.province_code, m)
        return list(first.values())

    def _enumerated(self, text: str, body_start: int) -> list[PlaceMatch]:
        """Provinces that each open a member of one enumeration (甲自贸试验区的……、乙自贸试验区
        的……): two or more members of a clause (split at 、和与及) starting with a province."""
        out: list[PlaceMatch] = []
        for start, end in _clauses(text, body_start):
            heads = []
            begin = start
            for i in range(start, end + 1):
                if i == end or text[i] in _MEMBER_JOIN:
                    found = [m for m in self._find(text, begin, i)
                             if m.level in {"province", "ftz_area"}
                             and m.province_code in self._mainland]
                    if found and _MEMBER_OPENER.fullmatch(text[begin:found[0].start]):
                        heads.append(found[0])
                    begin = i + 1
            if len({m.province_code for m in heads}) >= 2:
                out.extend(heads)
        return out

    def _scope(self, text: str, title_len: int, lead_end: int, codes: Codes) -> str:
        """provincial / multi_provincial by the province count; with none, foreign when the
        title or lead sentence names a foreign country or body, else national."""
        if codes.province_codes:
            return "provincial" if len(codes.province_codes) == 1 else "multi_provincial"
        return "foreign" if self._foreign.search(text, 0, lead_end) else "national"

    # -- domains ---------------------------------------------------------------------------
    def _domains(self, found: dict[str, int], title_len: int, text: str, codes: Codes) -> None:
        """Score each domain (weights in the codebook's ``scoring``); places of a domain's
        gazetteer levels (FTZ areas) count as its strong keywords."""
        w = self.codebook.scoring
        places = self._find(text)
        worst = 1.0
        strong_words: dict[str, int] = {}
        for domain_id, spec in self.codebook.domains.items():
            if spec.fallback:
                continue
            score, hits = 0, []
            for word in spec.keywords.strong:
                if word in found:
                    score += w.strong_title if found[word] < title_len else w.strong_body
                    hits.append((word, found[word]))
            weak = 0
            for word in spec.keywords.weak:
                if word in found:
                    weak += w.weak
                    hits.append((word, found[word]))
            score += weak if w.weak_cap is None else min(weak, w.weak_cap)
            for m in places:
                if m.level in spec.place_levels and all(p != m.start for _, p in hits):
                    score += w.strong_title if m.start < title_len else w.strong_body
                    hits.append((text[m.start:m.end], m.start))
                    break
            codes.scores[domain_id] = score
            strong_words[domain_id] = len({word for word, _ in hits
                                           if word not in spec.keywords.weak})
            worst = min(worst, _margin(score, spec.min_score))
            if score >= spec.min_score:
                codes.domains.append(domain_id)
                for word, pos in hits:
                    codes.evidence.append(Evidence("domain", domain_id, word, pos, pos + len(word)))
        for domain_id in list(codes.domains):  # a second domain must be substantial
            spec = self.codebook.domains[domain_id]
            need = max([spec.min_score, *(v for d, v in spec.min_score_beside.items()
                                          if d in codes.domains)])
            need_strong = max([0, *(v for d, v in spec.min_strong_beside.items()
                                    if d in codes.domains)])
            if codes.scores[domain_id] < need or strong_words[domain_id] < need_strong:
                codes.domains.remove(domain_id)
                codes.evidence = [e for e in codes.evidence
                                  if not (e.field == "domain" and e.value == domain_id)]
                worst = min(worst, _margin(codes.scores[domain_id], need))
        if not codes.domains:
            codes.domains.append(next(d for d, s in self.codebook.domains.items() if s.fallback))
        codes.confidence["domains"] = worst
        codes.basis["domains"] = " ".join(
            f"{d}={sc}/{self.codebook.domains[d].min_score}" for d, sc in codes.scores.items())

    # -- instruments -----------------------------------------------------------------------
    def _instruments(self, found: dict[str, int], codes: Codes) -> None:
        """Every tool with a keyword in the text, in codebook order; its evidence is the
        earliest keyword (the first listed on a tie)."""
        best: dict[int, tuple[int, int, str]] = {}
        for word, pos in found.items():
            for ti, ki in self._tool_words.get(word, ()):
                hit = (pos, ki, word)
                if ti not in best or hit < best[ti]:
                    best[ti] = hit
        for ti in sorted(best):
            side, tool_id, _ = self._tool_list[ti]
            pos, _, word = best[ti]
            codes.instruments.append(tool_id)
            if side not in codes.instrument_sides:
                codes.instrument_sides.append(side)
            codes.evidence.append(Evidence("instrument", tool_id, word, pos, pos + len(word)))
        words = [sum(w in found for w in tool.keywords) for ti, (_, _, tool) in
                 enumerate(self._tool_list) if ti in best]
        codes.confidence["instruments"] = min((0.6 if n == 1 else 0.8 for n in words),
                                              default=0.7)
        codes.basis["instruments"] = "keywords per tool: " + ",".join(map(str, words))

    # -- firsts ----------------------------------------------------------------------------
    def _firsts(self, text: str, codes: Codes) -> FirstsResult:
        found = self.firsts.find(text)
        for claim in found.claims:
            if claim.kind == "national":
                codes.is_national_first = True
            else:
                codes.is_provincial_first = True
            codes.evidence.append(Evidence(f"{claim.kind}_first", "1", claim.text, claim.start,
                                           claim.end))
        return found

    # -- issuing level ---------------------------------------------------------------------
    def _issuer(self, text: str, title_len: int, codes: Codes) -> None:
        lead_end = text.find("\n", title_len + 1)
        lead_end = len(text) if lead_end < 0 else lead_end
        found: list[tuple[int, str, re.Match[str]]] = []
        for level, pattern in self._issuers:
            m = pattern.search(text, title_len + 1, lead_end)
            if m:
                found.append((m.start(), level, m))
        if found:
            _, level, m = min(found, key=lambda f: (f[0], f[1] != "district_zone"))
            place = self._place_before(text, m.start(), title_len + 1)
            level = self._refine_level(level, place)
            start = place.start if place else m.start()
            codes.issuing_level = level
            codes.evidence.append(Evidence("issuing_level", level, text[start : m.end()], start,
                                           m.end()))
            codes.confidence["issuing_level"], codes.basis["issuing_level"] = 0.8, "lead agency"
            return
        codes.confidence["issuing_level"], codes.basis["issuing_level"] = 0.6, "none stated"
        m = self._subject.match(text[:title_len])
        if m:
            codes.issuing_level = _level_of_place(self.gazetteer.find(m.group())[0])
            codes.evidence.append(
                Evidence("issuing_level", codes.issuing_level, m.group(), 0, m.end())
            )
            codes.confidence["issuing_level"], codes.basis["issuing_level"] = 0.65, "title subject"

    def _place_before(self, text: str, pos: int, floor: int) -> PlaceMatch | None:
        window_start = max(floor, pos - 12)
        matches = self._find(text, window_start, pos + 1)
        return matches[-1] if matches else None

    @staticmethod
    def _refine_level(level: str, place: PlaceMatch | None) -> str:
        if level in {"central", "district_zone"} or place is None:
            return level
        return _level_of_place(place)


def surface_names(codebook: Codebook) -> list[str]:
    """Every province and place name form the gazetteer matches."""
    names = [f for p in codebook.provinces for f in p.surface_forms()]
    return names + [f for p in codebook.places for f in p.surface_forms()]


def _inner_starts(word: str, keywords: list[str]) -> list[int]:
    """Offsets inside ``word`` where another keyword can start (one that begins with the rest
    of ``word``, or that the rest of ``word`` begins with)."""
    return [i for i in range(1, len(word))
            if any(k.startswith(word[i:]) or word[i:].startswith(k) for k in keywords)]


def _level_of_place(place: PlaceMatch) -> str:
    if place.level in {"province", "platform"}:
        return "province"
    if place.level in CITY_LEVELS:
        return "city"
    return "district_zone"


_LIST_JOIN = re.compile(r"[、和与及]|以及")
_OPENER = r"(?:其中|此外|另外|同时|在|而)?"  # words that may open a clause before its subject
_CLAUSE_OPENER = re.compile(_OPENER)
#: Members of an enumeration: split at these; a member may open as a clause does or with the
#: FTZ name's 中国（ (中国（北京）自由贸易试验区和中国（河北）自由贸易试验区…).
_MEMBER_JOIN = "、和与及"
#: Mentions by name in the body that make a province a subject of the item.
RECURRING_MENTIONS = 3
_MEMBER_OPENER = re.compile(_OPENER + r"(?:中国[（(])?")
_CLAUSE_END = "，,。；;！!？?：:\n"


def _clauses(text: str, start: int) -> list[tuple[int, int]]:
    """Spans of the clauses of ``text[start:]`` (between clause punctuation)."""
    spans, begin = [], start
    for i in range(start, len(text)):
        if text[i] in _CLAUSE_END:
            spans.append((begin, i))
            begin = i + 1
    spans.append((begin, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _margin(score: int, threshold: int) -> float:
    """How sure a yes/no decision on a domain is, from the score's distance to the threshold:
    at the threshold 0.5 + 1/(2(t+1)) (one strong keyword in the body only), rising to 1 at
    twice the threshold; below it 1 at score 0, falling towards 0.5 just below the threshold."""
    if threshold <= 0:
        return 1.0
    if score >= threshold:
        return round(0.5 + 0.5 * min(1.0, (score - threshold + 1) / (threshold + 1)), 2)
    return round(0.5 + 0.5 * min(1.0, (threshold - score) / threshold), 2)


def _firsts_confidence(found: FirstsResult, title_len: int, codes: Codes) -> None:
    """A claim is sure (0.9, 0.95 in the title); no claim is sure (0.95) unless the text has
    first words without a scope (0.75) or an aim before a first word (0.6)."""
    for kind in ("national", "provincial"):
        claims = [c for c in found.claims if c.kind == kind]
        if claims:
            conf = 0.95 if any(c.start < title_len for c in claims) else 0.9
            basis = "claim: " + claims[0].text
        elif found.aims:
            conf, basis = 0.6, "aim before a first word"
        elif found.bare_first_words:
            conf, basis = 0.75, "first word without scope"
        else:
            conf, basis = 0.95, "no first word"
        codes.confidence[f"is_{kind}_first"], codes.basis[f"is_{kind}_first"] = conf, basis


def _first_sentence(text: str, start: int) -> tuple[int, int]:
    m = _SENTENCE.match(text, start)
    return (start, m.end()) if m else (start, start)


def _repeated(matches: list[PlaceMatch], minimum: int) -> list[PlaceMatch]:
    counts: dict[str, int] = {}
    for m in matches:
        counts[m.province_code] = counts.get(m.province_code, 0) + 1
    return [m for m in matches if counts[m.province_code] >= minimum]


def _sole(matches: list[PlaceMatch]) -> list[PlaceMatch]:
    """``matches`` when they all name one province, else none."""
    return matches if len({m.province_code for m in matches}) == 1 else []


def _ev(field_name: str, value: str, text: str, match: PlaceMatch) -> Evidence:
    return Evidence(field_name, value, text[match.start : match.end], match.start, match.end)
