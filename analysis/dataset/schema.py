"""Schemas of the processed tables: the single source of columns, types, units, allowed values
and descriptions. Every table is validated when written (``validate``), and the book's data
dictionary is generated from these specs (``data_dictionary``).

Allowed values that the codebook defines (domains, instrument tools and sides, issuing levels)
are read from its :class:`~analysis.coding.vocab.Vocabulary` when a schema is built
(:func:`schemas`); the other vocabularies here are fixed by the code that produces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from analysis.coding.coder import CONFIDENCE_FIELDS, SCOPES
from analysis.coding.figures import COMPARATORS, FIGURE_KINDS
from analysis.coding.vocab import Vocabulary, vocabulary
from analysis.common.errors import InputError
from analysis.ingest.layout import PARAGRAPH_MODES

EVIDENCE_FIELDS = ("province", "city", "domain", "instrument", "national_first",
                   "provincial_first", "issuing_level", "section", "title")
SOURCES = ("auto", "review")
REVIEWABLE = ("provinces", "cities", "domains", "instruments", "is_national_first",
              "is_provincial_first", "issuing_level", "scope")
#: Items table column holding the coder's confidence in ``field``.
CONFIDENCE_COLUMN = "confidence_{}"

Allowed = tuple[str, ...] | Callable[[Vocabulary], tuple[str, ...]]


def multi(allowed: tuple[str, ...]) -> pa.Check:
    """Check that every ``;``-joined part of a value is one of ``allowed`` (empty = none)."""
    return pa.Check(
        lambda s: s.map(lambda v: all(p in allowed for p in str(v).split(";") if p)),
        name="parts_in",
        statistics={"allowed_values": list(allowed)},
        error=f"parts must be in {list(allowed)}",
    )


@dataclass(frozen=True)
class Col:
    """A documented column; ``allowed`` values (fixed, or read from the vocabulary) become a
    check and part of the data dictionary."""

    dtype: object
    description: str
    unit: str = ""
    nullable: bool = False
    checks: tuple[pa.Check, ...] = ()
    allowed: Allowed = ()
    multi_valued: bool = False

    def build(self, vocab: Vocabulary) -> pa.Column:
        """The pandera column, with the allowed values of ``vocab``."""
        allowed = self.allowed(vocab) if callable(self.allowed) else self.allowed
        checks = list(self.checks)
        if allowed:
            checks.append(multi(allowed) if self.multi_valued else pa.Check.isin(list(allowed)))
        meta = {"unit": self.unit, "allowed": list(allowed), "multi_valued": self.multi_valued}
        return pa.Column(self.dtype, checks, nullable=self.nullable,
                         description=self.description, metadata=meta)


def col(dtype: object, description: str, unit: str = "", *, nullable: bool = False,
        checks: list[pa.Check] | pa.Check | None = None, allowed: Allowed = (),
        multi_valued: bool = False) -> Col:
    """A column spec (see :class:`Col`)."""
    all_checks = tuple(checks) if isinstance(checks, list) else ((checks,) if checks else ())
    return Col(dtype, description, unit, nullable, all_checks, allowed, multi_valued)


CODES = r"^(\d{6}(;\d{6})*)?$"
SPAN = "characters of the decoded raw bulletin text"

ITEMS = {
        "item_id": col(str, "Stable item id: bulletin id and 2-digit position.",
                       checks=pa.Check.str_matches(r"^.+-\d{2,}$")),
        "bulletin_id": col(str, "Bulletin issue id (file name stem or sidecar id)."),
        "issue_date": col(str, "Month of the bulletin issue.", "YYYY-MM", nullable=True),
        "seq": col(int, "1-based position of the item in the bulletin.", checks=pa.Check.ge(1)),
        "section": col(str, "Section heading as printed (empty if none precedes the item)."),
        "title": col(str, "Item title as printed.",
                     checks=pa.Check.str_length(min_value=1, max_value=60)),
        "page_start": col("Int64", "Page of the title; empty when the file has no page markers.",
                          "page", nullable=True, checks=pa.Check.ge(1)),
        "page_end": col("Int64", "Page of the item's last line.", "page", nullable=True,
                        checks=pa.Check.ge(1)),
        "start": col(int, "Offset of the item's first character (title).", SPAN,
                     checks=pa.Check.ge(0)),
        "end": col(int, "Offset just after the item's last character.", SPAN),
        "body": col(str, "Body text: wrapped lines re-joined, paragraphs separated by newlines."),
        "provinces": col(str, "Provinces acting or acted upon, short Chinese names.",
                         multi_valued=True),
        "province_codes": col(str, "GB/T 2260 codes of the provinces, same order.",
                              multi_valued=True, checks=pa.Check.str_matches(CODES)),
        "cities": col(str, "Cities, new areas and zones named as actors.", multi_valued=True),
        "domains": col(str, "Policy domains (codebook definitions).", allowed=lambda v: v.domains,
                       multi_valued=True, checks=pa.Check.str_length(min_value=1)),
        "instruments": col(str, "Policy instrument sub-tools (Rothwell & Zegveld).",
                           allowed=lambda v: v.tools, multi_valued=True),
        "instrument_sides": col(str, "Instrument sides present.", allowed=lambda v: v.sides,
                                multi_valued=True),
        "is_national_first": col(int, "Claims a national first (全国首个, 国内首单, 全国率先 ...).",
                                 "0/1", checks=pa.Check.isin([0, 1])),
        "is_provincial_first": col(int, "Claims a provincial first (安徽首次 ...).", "0/1",
                                   checks=pa.Check.isin([0, 1])),
        "issuing_level": col(str, "Level of the issuing administration, empty if not stated.",
                             allowed=lambda v: ("", *v.issuing_levels)),
        "scope": col(str, "What the item is about: one province, several, the whole country "
                          "(no province) or a foreign country or body (no province). Items "
                          "without a province stay out of province comparisons.",
                     allowed=SCOPES),
        **{CONFIDENCE_COLUMN.format(f): col(
            float, f"How sure the automatic coder is of {f} (1 when reviewed).", "0-1",
            checks=[pa.Check.ge(0), pa.Check.le(1)]) for f in CONFIDENCE_FIELDS},
        "confidence_basis": col(str, "What each confidence rests on: domain scores against "
                                     "thresholds, where places and claims were found."),
        "overridden": col(str, "Fields overruled by the analyst's review file.",
                          allowed=REVIEWABLE, multi_valued=True),
}

FIGURES = {
        "figure_id": col(str, "Figure id: item id and 2-digit position.", ),
        "item_id": col(str, "Item the figure belongs to."),
        "bulletin_id": col(str, "Bulletin issue id."),
        "kind": col(str, "Kind of figure.", allowed=FIGURE_KINDS),
        "value": col(float, "Normalised value (money in yuan, area in m2); for a range, the low "
                            "end.", "see unit", nullable=True),
        "unit": col(str, "Normalised unit: yuan, m2, %, year, month, day, count, date, or the "
                         "printed unit of a quantity."),
        "comparator": col(str, "How the value bounds the quantity.", allowed=COMPARATORS),
        "low": col(float, "Range low end (= value when not a range).", "see unit",
                   nullable=True),
        "high": col(float, "Range high end (= value when not a range).", "see unit",
                    nullable=True),
        "target_year": col("Int64", "Year the figure is a target for (到 2025 年底 -> 2025).",
                           "year", nullable=True),
        "counted": col(str, "For counts: the measure word or noun counted (家, 个, 名 ...)."),
        "period": col(str, "For periods: the plan period named (十四五 ...)."),
        "text": col(str, "The figure's text as it reads in the re-joined body."),
        "start": col(int, "Offset of the figure's first character.", SPAN),
        "end": col(int, "Offset just after the figure's last character.", SPAN),
        "page": col("Int64", "Page of the figure; empty without page markers.", "page",
                    nullable=True),
}

EVIDENCE = {
        "item_id": col(str, "Item the coded fact belongs to."),
        "field": col(str, "Coded field.", allowed=EVIDENCE_FIELDS),
        "value": col(str, "Coded value."),
        "text": col(str, "Exact source text that supports the code (empty for review rows "
                         "without a span)."),
        "start": col("Int64", "Offset of the source text.", SPAN, nullable=True),
        "end": col("Int64", "Offset just after the source text.", SPAN, nullable=True),
        "page": col("Int64", "Page of the source text.", "page", nullable=True),
        "source": col(str, "Automatic code or analyst review.", allowed=SOURCES),
        "note": col(str, "For review rows: the analyst's reason."),
}

BULLETINS = {
        "bulletin_id": col(str, "Bulletin issue id."),
        "file": col(str, "Path of the raw file, relative to the project root when inside it."),
        "sha256": col(str, "SHA-256 of the raw file's bytes.",
                      checks=pa.Check.str_matches(r"^[0-9a-f]{64}$")),
        "encoding": col(str, "Encoding the file was decoded with."),
        "issue_date": col(str, "Month of the issue.", "YYYY-MM", nullable=True),
        "n_items": col(int, "Number of items parsed.", checks=pa.Check.ge(1)),
        "n_pages": col("Int64", "Number of pages (empty without page markers).", nullable=True),
        "paragraph_mode": col(str, "How the file marks paragraph ends.",
                              allowed=PARAGRAPH_MODES),
        "reviewed": col(int, "1 when an analyst has reviewed the coding (sidecar reviewed: true)",
                        "0/1", checks=pa.Check.isin([0, 1])),
        "synthetic": col(int, "1 for made-up data (sidecar synthetic: true); the report refuses "
                         "it unless --allow-synthetic is given", "0/1",
                         checks=pa.Check.isin([0, 1])),
        "source": col(str, "Where the issue came from (the sidecar's source, on one line)."),
        "text_file": col(str, "Text the start/end offsets index: the raw file itself, or for a "
                              "PDF or Word bulletin its text rendering (data/processed/texts/)."),
        "unassigned_chars": col(int, "Non-blank characters that are no heading, title, body, "
                                     "source or front/back matter (accepted in the sidecar).",
                                "characters", checks=pa.Check.ge(0)),
}

AGREEMENT = {
        "field": col(str, "Reviewable field of the items table.", allowed=REVIEWABLE),
        "n_items": col(int, "Items of the reviewed bulletins compared.", "items",
                       checks=pa.Check.ge(0)),
        "agreement": col(float, "Share of items whose automatic and reviewed codes are equal.",
                         "share 0-1", nullable=True,
                         checks=[pa.Check.ge(0), pa.Check.le(1)]),
        "kappa": col(float, "Cohen's kappa of automatic versus reviewed coding (empty when "
                            "undefined: a single category in both codings).", nullable=True,
                     checks=[pa.Check.ge(-1), pa.Check.le(1)]),
        "kappa_basis": col(str, "Units kappa is computed over (items, or item-label decisions "
                                "for multi-valued fields)."),
}

#: The coded tables (``data/processed/<name>.csv``): column specs in column order.
TABLES: dict[str, dict[str, Col]] = {
    "items": ITEMS, "figures": FIGURES, "evidence": EVIDENCE, "bulletins": BULLETINS,
}
#: Tables derived from the coded ones (``agreement.csv``: written by the data build).
DERIVED_TABLES: dict[str, dict[str, Col]] = {"agreement": AGREEMENT}
_UNIQUE = {"items": ["item_id"], "figures": ["figure_id"], "bulletins": ["bulletin_id"],
           "agreement": ["field"]}


def columns(name: str) -> list[str]:
    """The columns of table ``name``, in order."""
    return list(_specs(name))


def column_types(name: str) -> dict[str, object]:
    """The declared type of each column of table ``name`` (``str``, ``int``, ``float`` or
    ``"Int64"`` for a nullable integer)."""
    return {c: spec.dtype for c, spec in _specs(name).items()}


def _specs(name: str) -> dict[str, Col]:
    return TABLES[name] if name in TABLES else DERIVED_TABLES[name]


_BUILT: dict[tuple[str, int], tuple[Vocabulary, pa.DataFrameSchema]] = {}


def schema(name: str, vocab: Vocabulary | None = None) -> pa.DataFrameSchema:
    """The pandera schema of table ``name`` with the allowed values of ``vocab`` (default: the
    project codebook's); built once per vocabulary."""
    vocab = vocab or vocabulary()
    key = (name, id(vocab))
    found = _BUILT.get(key)
    if found is None or found[0] is not vocab:
        built = pa.DataFrameSchema({c: spec.build(vocab) for c, spec in _specs(name).items()},
                                   strict=True, ordered=True, unique=_UNIQUE.get(name))
        found = _BUILT[key] = (vocab, built)
    return found[1]


def conform(name: str, frame: pd.DataFrame, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """Cast the numeric columns of ``frame`` to the schema's types (nullable ints stay nullable);
    text columns are left alone so that a missing value is still caught by ``validate``."""
    frame = frame.copy()
    for column, spec in schema(name, vocab).columns.items():
        dtype = str(spec.dtype)
        if column in frame and dtype in ("Int64", "int64", "float64"):
            frame[column] = frame[column].astype({"int64": "int64", "Int64": "Int64"}.get(
                dtype, "float64"))
    return frame


def validate(name: str, frame: pd.DataFrame, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """Validate ``frame`` against the schema of table ``name``; raise a one-line InputError."""
    try:
        return schema(name, vocab).validate(conform(name, frame, vocab), lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as err:
        first = str(err).splitlines()[0]
        first = first if len(first) <= 240 else first[:237] + "..."
        raise InputError(f"table {name}", first) from err


_TYPE_NAMES = {"string[python]": "text", "str": "text", "int64": "integer",
               "Int64": "integer", "float64": "number"}


def data_dictionary(derived: bool = False, vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per (table, column): type, unit, allowed values, nullable, description.

    ``derived`` adds the tables of :data:`DERIVED_TABLES` (``agreement``)."""
    rows = []
    for table in {**TABLES, **(DERIVED_TABLES if derived else {})}:
        for name, column in schema(table, vocab).columns.items():
            meta = column.metadata or {}
            allowed = ", ".join(v or "(empty)" for v in meta.get("allowed", []))
            rows.append({
                "table": table,
                "column": name,
                "type": _TYPE_NAMES.get(str(column.dtype), str(column.dtype)),
                "unit": meta.get("unit", ""),
                "allowed_values": allowed + (" (several, ;-joined)" if meta.get("multi_valued")
                                             else ""),
                "nullable": bool(column.nullable),
                "description": column.description or "",
            })
    return pd.DataFrame(rows)
