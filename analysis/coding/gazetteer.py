"""Find provinces and places named in text, using the gazetteer part of the codebook.

All matchable names (province short and full names and aliases, place names, full names and
aliases, platform aliases) are compiled once into a single prefix-factored regular expression
(a trie), so a scan is one ``finditer`` call: at each position the longest name wins, and
matches never overlap. ``上海自贸区临港新片区`` gives 上海 (province) and 临港新片区 (ftz_area).

Single-character abbreviations (沪, 苏 ...) are not matched in free text: look them up with
:meth:`Gazetteer.by_abbreviation` where the context makes them safe (e.g. titles).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from analysis.coding.codebook import Codebook, Place, Province, load_codebook


class PlaceMatch(NamedTuple):
    """A name found in text.

    ``name`` is the canonical short name (province short name, place name or platform name),
    ``level`` is ``province``, ``platform`` or the place level, ``text[start:end]`` is the
    matched surface form, and ``ambiguous`` repeats the place's flag.
    """

    name: str
    province_code: str
    level: str
    start: int
    end: int
    ambiguous: bool = False


class GroupMatch(NamedTuple):
    """A multi-province grouping (长三角 ...) found in text."""

    name: str
    province_codes: tuple[str, ...]
    start: int
    end: int


def trie_regex(words: list[str]) -> re.Pattern[str]:
    """One regex matching any of ``words``, preferring the longest at a given position.

    The words are factored into a trie: alternatives at each node start with distinct
    characters, and an optional (greedy) continuation is tried before stopping at a shorter
    word, so the first match found is the longest.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    if not words:
        return re.compile(r"(?!)")
    return re.compile(build(trie))


class Gazetteer:
    """Name lookups and a fast longest-match scanner built from a :class:`Codebook`."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._by_code: dict[str, Province] = {p.code: p for p in codebook.provinces}
        self._by_name: dict[str, Province] = {}
        self._by_abbreviation: dict[str, Province] = {}
        self._places: dict[str, Place] = {p.name: p for p in codebook.places}
        # surface form -> (name, province_code, level, ambiguous)
        self._surface: dict[str, tuple[str, str, str, bool]] = {}
        for prov in codebook.provinces:
            for form in prov.surface_forms():
                self._by_name[form] = prov
                self._surface[form] = (prov.short, prov.code, "province", False)
            for char in [prov.abbreviation, *prov.alt_abbreviations]:
                self._by_abbreviation[char] = prov
        for place in codebook.places:
            for form in place.surface_forms():
                self._surface[form] = (place.name, place.province, place.level, place.ambiguous)
        for char in codebook.directional_abbreviations:  # 黔北, 苏南: part of the province
            prov = self._by_abbreviation[char]
            for direction in codebook.directions:
                self._surface.setdefault(char + direction, (prov.short, prov.code, "province",
                                                            True))
        for platform, code in codebook.platform_aliases.items():
            self._surface[platform] = (platform, code, "platform", False)
        self._groups = {name: tuple(codes) for name, codes in codebook.region_groups.items()}
        self._regex = trie_regex(list(self._surface))
        self._group_regex = trie_regex(list(self._groups))
        # 川渝两地, 京津冀三地, 粤桂两省区: two to four abbreviations and a count of places
        chars = "".join(re.escape(c) for c in self._by_abbreviation)
        self._compound = re.compile(f"([{chars}]{{2,4}})(?:{'|'.join(codebook.place_counts)})")

    @classmethod
    def from_codebook(cls, codebook: Codebook) -> Gazetteer:
        """Build the gazetteer of ``codebook``."""
        return cls(codebook)

    # --- scanning ----------------------------------------------------------------------------

    def find(self, text: str) -> list[PlaceMatch]:
        """Provinces, places and platforms named in ``text``: leftmost-longest, non-overlapping."""
        surface = self._surface
        return [
            PlaceMatch(*surface[m.group()][:3], m.start(), m.end(), surface[m.group()][3])
            for m in self._regex.finditer(text)
        ]

    def find_groups(self, text: str) -> list[GroupMatch]:
        """Region groups (长三角, 京津冀 ...) named in ``text``, longest first, non-overlapping,
        and compounds of distinct provinces' abbreviations with a count (川渝两地)."""
        found = [GroupMatch(m.group(), self._groups[m.group()], m.start(), m.end())
                 for m in self._group_regex.finditer(text)]
        for m in self._compound.finditer(text):
            codes = tuple(dict.fromkeys(self._by_abbreviation[c].code for c in m.group(1)))
            if len(codes) == len(m.group(1)) and not any(
                    g.start < m.end() and m.start() < g.end for g in found):
                found.append(GroupMatch(m.group(), codes, m.start(), m.end()))
        return sorted(found, key=lambda g: g.start)

    def province_codes(self, text: str, *, include_ambiguous: bool = True) -> list[str]:
        """Distinct province codes named in ``text``, in order of first mention."""
        return list(
            dict.fromkeys(
                m.province_code for m in self.find(text) if include_ambiguous or not m.ambiguous
            )
        )

    # --- lookups -----------------------------------------------------------------------------

    def province(self, code: str) -> Province:
        """The province with GB/T 2260 ``code`` (``KeyError`` if unknown)."""
        return self._by_code[code]

    def by_short(self, name: str) -> Province | None:
        """The province named ``name`` (short name, full name or alias), else ``None``."""
        return self._by_name.get(name)

    def by_abbreviation(self, char: str) -> Province | None:
        """The province with one-character abbreviation ``char`` (沪, 蜀 ...), else ``None``."""
        return self._by_abbreviation.get(char)

    def place(self, name: str) -> Place | None:
        """The place whose canonical ``name`` this is (苏州, 临港新片区), else ``None``."""
        return self._places.get(name)

    def group(self, name: str) -> tuple[str, ...] | None:
        """The province codes of region group ``name``, else ``None``."""
        return self._groups.get(name)

    def prefecture_level(self, code: str) -> list[Place]:
        """Prefecture-level places (incl. sub-provincial cities) of province ``code``."""
        return self.codebook.prefecture_level(code)


_GAZETTEERS: dict[int, tuple[Codebook, Gazetteer]] = {}


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer of the codebook at ``path`` (default ``analysis.common.paths.CODEBOOK``).

    Built once per loaded codebook: while the file is unchanged the same object is returned.
    """
    codebook = load_codebook(path)
    cached = _GAZETTEERS.get(id(codebook))
    if cached is None or cached[0] is not codebook:
        cached = (codebook, Gazetteer(codebook))
        _GAZETTEERS[id(codebook)] = cached
    return cached[1]
