"""Load and validate ``data/codebook.yml``: typed models for every section, one-line errors.

The codebook holds the gazetteer (``provinces``, ``places``, ``region_groups``,
``platform_aliases``), the bulletin ``sections`` and the coding rules (``domains``,
``instruments``, ``firsts``, ``issuers``; optional, empty until filled in).

:func:`load_codebook` parses the YAML (rejecting duplicate keys), validates it against
:class:`Codebook` and caches the result per (path, modification time). Any problem raises
:class:`~analysis.common.errors.InputError` with one line naming the key, e.g.
``data/codebook.yml: places[12].province: unknown province code '999999'``.
The text matcher built from the gazetteer lives in :mod:`analysis.coding.gazetteer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from analysis.common import paths
from analysis.common.digest import file_stamp
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import parse_yaml, read_text

PREFECTURE_LEVELS: frozenset[str] = frozenset({"prefecture", "sub_provincial"})

ProvinceType = Literal["province", "municipality", "autonomous_region", "sar"]
PlaceLevel = Literal[
    "prefecture", "sub_provincial", "district", "county", "new_area", "ftz_area", "zone"
]

# --- field types ---------------------------------------------------------------------------

_GB_CODE = re.compile(r"[1-9]\d{5}")


def _gb_code(value: object) -> object:
    """Accept a 6-digit GB/T 2260 code (an unquoted YAML integer is turned into a string)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _GB_CODE.fullmatch(value):
        raise ValueError(f"{value!r} is not a 6-digit GB/T 2260 code")
    return value


def _provincial(value: str) -> str:
    """A provincial-level code ends in ``0000``."""
    if not value.endswith("0000"):
        raise ValueError(f"{value!r} is not a provincial-level code (must end in 0000)")
    return value


def _regex(value: str) -> str:
    """A pattern must compile as a Python regular expression."""
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"bad regular expression {value!r}: {err}") from None
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Char = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1)]
Code = Annotated[str, BeforeValidator(_gb_code)]
ProvinceCode = Annotated[str, BeforeValidator(_gb_code), AfterValidator(_provincial)]
Pattern = Annotated[str, StringConstraints(min_length=1), AfterValidator(_regex)]


class _Model(BaseModel):
    """Base: unknown keys are errors, instances are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- gazetteer -----------------------------------------------------------------------------


class Province(_Model):
    """A provincial-level division (GB/T 2260)."""

    code: ProvinceCode
    short: Name
    full: Name
    en: Name
    type: ProvinceType
    abbreviation: Char
    alt_abbreviations: list[Char] = []
    aliases: list[Name] = []
    mainland: bool = True
    note: str | None = None

    def surface_forms(self) -> list[str]:
        """Names matched in text: short, full and aliases (never the 1-character abbreviation)."""
        return _unique([self.short, self.full, *self.aliases])


class Place(_Model):
    """A named place below the provincial level, mapped to its province."""

    name: Name
    full: Name
    province: Code
    level: PlaceLevel
    aliases: list[Name] = []
    parent: Name | None = None
    ambiguous: bool = False
    match_short: bool = True
    whole_province: bool = False
    note: str | None = None

    @property
    def is_prefecture_level(self) -> bool:
        """True for prefecture-level divisions (including sub-provincial cities)."""
        return self.level in PREFECTURE_LEVELS

    def surface_forms(self) -> list[str]:
        """Names matched in text: name (unless ``match_short`` is false), full, aliases."""
        return _unique([*([self.name] if self.match_short else []), self.full, *self.aliases])


class Section(_Model):
    """A section heading printed in the bulletins."""

    name: Name
    en: Name


# --- coding rules (filled in separately; optional) -----------------------------------------


class Keywords(_Model):
    """Keywords of a domain: a strong keyword alone can decide, weak ones add up.
    ``exclusions``: regular expressions of look-alike phrases masked before any keyword is
    sought (中国—东盟自由贸易区 is a trade agreement, not a zone)."""

    strong: list[Name] = []
    weak: list[Name] = []
    exclusions: list[str] = []


class Domain(_Model):
    """A policy domain: ``label`` for headings and tables, ``phrase`` for running text
    ("industrial policy"; default: the label in lower case). Exactly one domain is the
    ``fallback``: coded when no other domain reaches its ``min_score``."""

    label: Name
    phrase: Name | None = None
    definition: Name
    keywords: Keywords
    min_score: int = Field(ge=0)
    #: A higher threshold when another domain is coded too ({ftz: 6}): as a second domain,
    #: this one must be substantial, not the firms and projects the first one mentions.
    min_score_beside: dict[str, int] = {}
    #: Distinct strong keywords needed when another domain is coded too ({ftz: 2}).
    min_strong_beside: dict[str, int] = {}
    fallback: bool = False
    place_levels: list[PlaceLevel | Literal["platform"]] = []


class Scoring(_Model):
    """Weights of a domain's keyword score: a strong keyword (or a place of the domain's
    ``place_levels``) in the title or only in the body, a weak keyword anywhere; weak keywords
    add at most ``weak_cap`` (None: no cap)."""

    strong_title: int = Field(default=3, ge=0)
    strong_body: int = Field(default=2, ge=0)
    weak: int = Field(default=1, ge=0)
    weak_cap: int | None = Field(default=None, ge=0)


class Tool(_Model):
    """A policy-instrument sub-tool (Rothwell & Zegveld)."""

    label: Name
    definition: Name
    keywords: list[Name] = []


class InstrumentSide(_Model):
    """One side of the instrument typology: supply, environment or demand."""

    label: Name
    definition: Name
    tools: dict[str, Tool]


class FirstPatterns(_Model):
    """National-first claims: the scope words of the grammar, and extra whole patterns."""

    scope_words: list[Name] = []
    patterns: list[Pattern] = []


class ProvincialFirsts(_Model):
    """Provincial-first claims: scope words (province and place names are scope words too,
    directly before the first word) and extra whole patterns."""

    scope_words: list[Name] = []
    patterns: list[Pattern] = []
    scopes: list[Name] = []


class Firsts(_Model):
    """Claims of a first as a grammar (see :mod:`analysis.coding.firsts`): a scope word and a
    first word in one clause, adjacent or joined by a linker (either order), unless an aim word
    comes first; ``exclusions`` are masked before matching."""

    national: FirstPatterns = FirstPatterns()
    provincial: ProvincialFirsts = ProvincialFirsts()
    first_words: list[Name] = []
    aim_words: list[Name] = []
    linkers: list[Name] = []
    reverse_linkers: list[Name] = []
    actor_first_words: list[Name] = []
    exclusions: list[Pattern] = []


class IssuerLevel(_Model):
    """One issuing level and the patterns of issuing bodies at that level."""

    label: Name
    patterns: list[Pattern] = []


class Issuers(_Model):
    """Issuing levels: central, province, city, district_zone."""

    levels: dict[str, IssuerLevel] = {}


# --- the whole file ------------------------------------------------------------------------


class Codebook(_Model):
    """The whole ``data/codebook.yml``; cross-references are checked after the fields."""

    version: Literal[1]
    provinces: list[Province] = Field(min_length=1)
    places: list[Place] = []
    region_groups: dict[Name, list[Code]] = {}
    platform_aliases: dict[Name, Code] = {}
    #: Abbreviations that name a part of their province with a compass word (黔北, 苏南).
    #: Counts of places after a compound of abbreviations (川渝两地, 京津冀三地).
    place_counts: list[Name] = []
    directional_abbreviations: list[Name] = []
    directions: list[Name] = []
    sections: list[Section] = []
    domains: dict[str, Domain] = Field(min_length=1)
    scoring: Scoring = Scoring()
    foreign_names: list[Name] = []
    instruments: dict[str, InstrumentSide] = Field(min_length=1)
    firsts: Firsts
    issuers: Issuers

    @model_validator(mode="after")
    def _cross_check(self) -> Codebook:
        problem = next(_problems(self), None)
        if problem is not None:
            raise ValueError(problem)
        return self

    def province_by_code(self, code: str) -> Province:
        """The province with this code (``KeyError`` if unknown)."""
        for province in self.provinces:
            if province.code == code:
                return province
        raise KeyError(code)

    def prefecture_level(self, code: str) -> list[Place]:
        """The prefecture-level places (incl. sub-provincial cities) of one province."""
        return [p for p in self.places if p.province == code and p.is_prefecture_level]


def _unique(names: list[str]) -> list[str]:
    """``names`` without repeats, in order."""
    return list(dict.fromkeys(names))


def _problems(cb: Codebook) -> Iterator[str]:
    """Cross-reference problems of a field-valid codebook, each naming its key."""
    codes: dict[str, int] = {}
    owner: dict[str, tuple[str, str]] = {}  # surface name -> (entity, key that named it first)

    def claim(name: str, entity: str, key: str) -> str | None:
        first = owner.setdefault(name, (entity, key))
        if first[0] != entity:
            return f"{key}: name {name!r} is already used by {first[1]}"
        return None

    for name, domain in cb.domains.items():
        for other in [*domain.min_score_beside, *domain.min_strong_beside]:
            if other not in cb.domains or other == name:
                yield f"domains.{name}.min_score_beside: {other!r} is no other domain"
    abbreviations = {c for p in cb.provinces for c in [p.abbreviation, *p.alt_abbreviations]}
    for i, char in enumerate(cb.directional_abbreviations):
        if char not in abbreviations:
            yield f"directional_abbreviations[{i}]: {char!r} is no province's abbreviation"
    for i, prov in enumerate(cb.provinces):
        if prov.code in codes:
            first = codes[prov.code]
            yield f"provinces[{i}].code: duplicate code {prov.code!r} (also provinces[{first}])"
        codes[prov.code] = i
        named = [("short", prov.short), ("full", prov.full)]
        named += [(f"aliases[{j}]", a) for j, a in enumerate(prov.aliases)]
        for field, name in named:
            if problem := claim(name, f"province {i}", f"provinces[{i}].{field}"):
                yield problem
    abbreviations: dict[str, str] = {}
    for i, prov in enumerate(cb.provinces):
        for j, char in enumerate([prov.abbreviation, *prov.alt_abbreviations]):
            key = f"provinces[{i}]." + ("abbreviation" if j == 0 else f"alt_abbreviations[{j - 1}]")
            if abbreviations.setdefault(char, key) != key:
                yield f"{key}: abbreviation {char!r} is already used by {abbreviations[char]}"
    place_names: dict[str, Place] = {}
    for i, place in enumerate(cb.places):
        if place.province not in codes:
            yield f"places[{i}].province: unknown province code {place.province!r}"
        named = [("name", place.name), ("full", place.full)]
        named += [(f"aliases[{j}]", a) for j, a in enumerate(place.aliases)]
        for field, name in named:
            if problem := claim(name, f"place {i}", f"places[{i}].{field}"):
                yield problem
        place_names[place.name] = place
    for i, place in enumerate(cb.places):
        parent = place_names.get(place.parent) if place.parent else None
        if place.parent and (parent is None or parent.province != place.province):
            yield (
                f"places[{i}].parent: unknown place {place.parent!r} in province {place.province!r}"
            )
    for group, members in cb.region_groups.items():
        if problem := claim(group, f"group {group}", f"region_groups.{group}"):
            yield problem
        for j, code in enumerate(members):
            if code not in codes:
                yield f"region_groups.{group}[{j}]: unknown province code {code!r}"
    for platform, code in cb.platform_aliases.items():
        if problem := claim(platform, f"platform {platform}", f"platform_aliases.{platform}"):
            yield problem
        if code not in codes:
            yield f"platform_aliases.{platform}: unknown province code {code!r}"
    seen_sections: set[str] = set()
    for i, section in enumerate(cb.sections):
        if section.name in seen_sections:
            yield f"sections[{i}].name: duplicate section {section.name!r}"
        seen_sections.add(section.name)
    yield from _rule_problems(cb)


#: Ids of domains, instrument sides and tools, and issuing levels: they become column values,
#: glue keys and file names, so lower-case ASCII.
_ID = re.compile(r"[a-z][a-z0-9_]*")


def _rule_problems(cb: Codebook) -> Iterator[str]:
    """Problems of the coding-rule sections: ids, the one fallback domain, keywords, tools."""
    named = [("domains", list(cb.domains)), ("instruments", list(cb.instruments)),
             ("issuers.levels", list(cb.issuers.levels))]
    named += [(f"instruments.{side}.tools", list(spec.tools))
              for side, spec in cb.instruments.items()]
    for key, ids in named:
        for bad in (i for i in ids if not _ID.fullmatch(i)):
            yield f"{key}: id {bad!r} must be lower-case ASCII letters, digits and _"
    fallbacks = [d for d, spec in cb.domains.items() if spec.fallback]
    if len(fallbacks) != 1:
        yield (f"domains: exactly one domain must have fallback: true (the code of an item no "
               f"other domain fits), found {len(fallbacks)}")
    for domain, spec in cb.domains.items():
        if not spec.fallback and not (spec.keywords.strong or spec.keywords.weak):
            yield f"domains.{domain}.keywords: a domain needs keywords (or fallback: true)"
    owner: dict[str, str] = {}
    for side, spec in cb.instruments.items():
        if not spec.tools:
            yield f"instruments.{side}.tools: a side needs at least one tool"
        for tool in spec.tools:
            if owner.setdefault(tool, side) != side:
                yield f"instruments.{side}.tools.{tool}: tool id already used in {owner[tool]}"


# --- loading -------------------------------------------------------------------------------


def _key(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a key path: ``('places', 12, 'province')`` ->
    ``places[12].province``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            out += " (key)"
        else:
            out += f".{part}" if out else str(part)
    return out


def _validation_problem(err: ValidationError) -> str:
    """One line for the first validation error (with a count of the others)."""
    errors = err.errors(include_url=False)
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] != "value_error" and isinstance(first.get("input"), str | int | float):
        message += f" (got {first['input']!r})"
    key = _key(tuple(first["loc"]))
    line = f"{key}: {message}" if key else message
    if len(errors) > 1:
        line += f" (+{len(errors) - 1} more problems)"
    return line


def parse_codebook(text: str, where: str = "codebook") -> Codebook:
    """Validate codebook YAML ``text``; ``where`` names the source in errors."""
    data = parse_yaml(text, where)
    if data is None:
        raise InputError(where, "file is empty")
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InputError(where, f"top level must be a mapping of sections, not {kind}")
    try:
        return Codebook.model_validate(data)
    except ValidationError as err:
        raise InputError(where, _validation_problem(err)) from None


_CACHE: dict[Path, tuple[tuple[str, int, int, int], Codebook]] = {}


def load_codebook(path: Path | None = None) -> Codebook:
    """Load and validate the codebook (default ``analysis.common.paths.CODEBOOK``).

    The result is cached per (path, modification time, size): loading an unchanged file again
    returns the same object. Raises :class:`InputError` naming the key on any problem.
    """
    path = Path(path) if path is not None else paths.CODEBOOK
    where = display_path(path)
    try:
        stamp = file_stamp(path)
    except FileNotFoundError:
        raise InputError(where, "file not found") from None
    resolved = path.resolve()
    cached = _CACHE.get(resolved)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    text = read_text(path)
    codebook = parse_codebook(text, where)
    _CACHE[resolved] = (stamp, codebook)
    return codebook
