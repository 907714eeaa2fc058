"""The pipeline: raw bulletins -> coded, reviewed, validated tables in ``data/processed/``.

One bulletin: decode (``textio``), parse (``ingest``), code (``coding``), extract figures
(``figures``), map every span to raw offsets and pages, apply the review file (``review``),
validate (``schema``). Tables are written atomically, all or nothing.
"""

from __future__ import annotations

import bisect
import contextlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.coding.codebook import Codebook, load_codebook
from analysis.coding.coder import CONFIDENCE_FIELDS, Coder, Evidence
from analysis.coding.figures import extract_figures
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.vocab import Vocabulary, vocabulary
from analysis.common import paths
from analysis.common.atomic import atomic_open, write_text
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.dataset.agreement import agreement_for
from analysis.dataset.review import Override, apply_review, load_review
from analysis.dataset.schema import CONFIDENCE_COLUMN, columns, validate
from analysis.dataset.sidecar import (
    accepted,
    check_checksum,
    check_id,
    load_sidecar,
    missing_sidecar,
)
from analysis.dataset.state import STAMP, inputs_digest, outputs, raw_bulletins, up_to_date
from analysis.ingest.document import Document, read_document
from analysis.ingest.parse import Item, ParsedBulletin


@dataclass
class Tables:
    """The four processed tables; ``automatic_items`` are the items before the review file was
    applied (not written: they feed the agreement measure)."""

    items: pd.DataFrame
    figures: pd.DataFrame
    evidence: pd.DataFrame
    bulletins: pd.DataFrame
    automatic_items: pd.DataFrame | None = None
    vocab: Vocabulary | None = None
    accounts: list[Account] = field(default_factory=list)
    renderings: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {"items": self.items, "figures": self.figures, "evidence": self.evidence,
                "bulletins": self.bulletins}


@dataclass(frozen=True)
class Account:
    """Where every character of one bulletin went: its one-line summary and its unassigned
    lines, and whether its sidecar accepts them."""

    file: str
    summary: str
    unassigned: tuple[tuple[int, str], ...]
    chars: int
    accepted: bool

    def problem(self) -> str:
        """One line for unassigned text that the sidecar does not accept."""
        numbers = [n for n, _ in self.unassigned]
        shown = ", ".join(map(str, numbers[:8])) + (" ..." if len(numbers) > 8 else "")
        first = self.unassigned[0][1][:24]
        return (f"{self.chars} characters unassigned on lines {shown} (first: {first!r}); see "
                f"`python -m analysis check {self.file}`, fix the file, or accept them in its "
                f"sidecar: accept_unassigned: [{', '.join(map(str, numbers))}]")


class Pipeline:
    """Codes bulletins with one codebook and one review file (loaded once)."""

    def __init__(self, codebook_path: Path | None = None, review_path: Path | None = None,
                 use_review: bool = True, texts_dir: Path | None = None) -> None:
        self.codebook_path = codebook_path or paths.CODEBOOK
        self.codebook: Codebook = load_codebook(self.codebook_path)
        self.gazetteer = Gazetteer(self.codebook)
        self.coder = Coder(self.codebook, self.gazetteer)
        self.vocab = vocabulary(self.codebook_path)
        self.review_path = review_path or paths.REVIEW
        shorts = {p.short: p.code for p in self.codebook.provinces}
        self.province_codes = shorts
        self.overrides: list[Override] = (
            load_review(self.review_path, set(shorts), self.vocab,
                        {p.name for p in self.codebook.places}) if use_review else [])
        self.sections = list(self.vocab.sections)
        self.texts_dir = texts_dir or paths.PROCESSED / "texts"

    def code_file(self, path: Path, encoding: str | None = None) -> Tables:
        """Code one bulletin file into validated tables."""
        return self._tables([self.rows(path, encoding)])

    def check_accounts(self, tables: Tables) -> None:
        """Raise ``InputError`` for the first bulletin with unassigned text its sidecar does
        not accept."""
        for account in tables.accounts:
            if not account.accepted:
                raise InputError(account.file, account.problem())

    def code_files(self, files: list[Path], jobs: int = 1) -> Tables:
        """Code several bulletins (in ``jobs`` processes when > 1); their ids must be distinct
        and follow :data:`analysis.dataset.sidecar.ID_PATTERN` (checked before any write).
        Tables are built and validated once for all files."""
        if jobs > 1 and len(files) > 1:
            with ProcessPoolExecutor(jobs, initializer=_init_worker,
                                     initargs=(self.codebook_path,)) as pool:
                parts = list(pool.map(_rows_in_worker, files, chunksize=max(1, len(files) // 64)))
        else:
            parts = [self.rows(f) for f in files]
        seen: dict[str, Path] = {}
        for f, part in zip(files, parts, strict=True):
            bid = check_id(part.bulletin["bulletin_id"], f)  # ids become citation keys
            if bid in seen:
                raise InputError(f, f"bulletin id {bid!r} already used by {seen[bid]}")
            seen[bid] = f
        return self._tables(parts)

    def rows(self, path: Path, encoding: str | None = None) -> Rows:
        """Parse and code one bulletin into plain rows (not yet reviewed or validated)."""
        bulletin = read_document(path, encoding)
        bulletin_id, meta = identify(bulletin)
        parsed = bulletin.parse(self.sections)
        items = parsed.items
        out = Rows(account=account_of(path, parsed, meta),
                   rendering=bulletin.text if bulletin.rendered else None)
        text_file = (self.texts_dir / f"{bulletin_id}.txt") if bulletin.rendered else path
        for item in items:
            item_id = f"{bulletin_id}-{item.seq:02d}"
            body = item.body
            spans = Spans(item)
            codes = self.coder.code(item.title, body)
            out.items.append(_item_row(item, item_id, bulletin_id, meta, codes, body))
            out.evidence += [_evidence_row(spans, item_id, e) for e in codes.evidence]
            for n, fig in enumerate(extract_figures(body), start=1):
                start, end, page = spans.body(fig.start, fig.end)
                out.figures.append({
                    "figure_id": f"{item_id}-f{n:02d}", "item_id": item_id,
                    "bulletin_id": bulletin_id, "kind": fig.kind, "value": fig.value,
                    "unit": fig.unit, "comparator": fig.comparator, "low": fig.low,
                    "high": fig.high, "target_year": fig.target_year,
                    "counted": fig.counted, "period": fig.period, "text": fig.text,
                    "start": start, "end": end, "page": page,
                })
        out.bulletin = {
            "bulletin_id": bulletin_id, "file": display_path(path), "sha256": bulletin.sha256,
            "encoding": bulletin.encoding, "issue_date": meta.get("issue_date"),
            "n_items": len(items), "n_pages": parsed.n_pages,
            "paragraph_mode": parsed.paragraph_mode,
            "reviewed": int(meta.get("reviewed") is True),
            "synthetic": int(meta.get("synthetic") is True),
            "source": " ".join(str(meta.get("source") or "").split()),
            "text_file": display_path(text_file), "unassigned_chars": parsed.unassigned_chars,
        }
        return out

    def _tables(self, parts: list[Rows]) -> Tables:
        parts = [p.pack() for p in parts]

        def frame(name: str, rows: list[tuple]) -> pd.DataFrame:
            return pd.DataFrame(rows, columns=columns(name))

        automatic = frame("items", [r for p in parts for r in p.items])
        items = apply_review(automatic, self.overrides, self.review_path, self.province_codes,
                             self.vocab)
        reviewed = _pack("evidence", [r for p in parts for r in _review_evidence(
            self.overrides, p.bulletin["bulletin_id"])])
        tables = _validated(Tables(
            items=items,
            figures=frame("figures", [r for p in parts for r in p.figures]),
            evidence=frame("evidence", [r for p in parts for r in p.evidence] + reviewed),
            bulletins=frame("bulletins", _pack("bulletins", [p.bulletin for p in parts])),
        ), automatic, self.vocab)
        tables.accounts = [p.account for p in parts if p.account is not None]
        tables.renderings = {p.bulletin["text_file"]: p.rendering for p in parts
                             if p.rendering is not None}
        return tables


@dataclass
class Rows:
    """One bulletin's coded rows before review and validation: dicts, or once ``packed``
    tuples in the schema's column order (smaller to send between processes, quicker to frame).
    """

    items: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    bulletin: dict = field(default_factory=dict)
    packed: bool = False
    account: Account | None = None
    rendering: str | None = None

    def pack(self) -> Rows:
        """These rows as tuples (a missing column is None)."""
        if self.packed:
            return self
        return Rows(_pack("items", self.items), _pack("figures", self.figures),
                    _pack("evidence", self.evidence), self.bulletin, packed=True,
                    account=self.account, rendering=self.rendering)


def account_of(path: Path, parsed: ParsedBulletin, meta: dict) -> Account:
    """The account of one parsed bulletin, checked against its sidecar's ``accept_unassigned``."""
    lines = tuple((line.number, line.content) for line in parsed.unassigned)
    return Account(display_path(path), parsed.summary(), lines, parsed.unassigned_chars,
                   accepted(meta, list(lines), parsed.unassigned_chars))


def _pack(table: str, rows: list[dict]) -> list[tuple]:
    names = columns(table)
    return [tuple(map(row.get, names)) for row in rows]


_WORKER: Pipeline | None = None


def _init_worker(codebook_path: Path) -> None:
    global _WORKER
    _WORKER = Pipeline(codebook_path, use_review=False)


def _rows_in_worker(path: Path) -> Rows:
    assert _WORKER is not None
    return _WORKER.rows(path).pack()


def identify(bulletin: Document) -> tuple[str, dict]:
    """Bulletin id and metadata: from the file's sidecar (validated, its checksum must match),
    else from a raw bulletin with the same checksum (so the review file applies to a copy),
    else the file name stem."""
    sidecar = paths.sidecar_for(bulletin.path)
    if sidecar.exists() or sidecar.is_symlink():
        meta = load_sidecar(sidecar)
        check_checksum(meta, sidecar, bulletin.path, bulletin.sha256)
        return str(meta.get("bulletin_id") or bulletin.path.stem), meta
    meta = _raw_sidecars_by_checksum().get(bulletin.sha256)
    if meta is not None:
        return str(meta.get("bulletin_id") or bulletin.path.stem), meta
    return bulletin.path.stem, {}


def _raw_sidecars_by_checksum() -> dict[str, dict]:
    """Sidecars of ``data/raw/`` by the checksum they record (read once per folder state)."""
    if not paths.RAW.exists():
        return {}
    found = sorted(paths.RAW.glob("*.meta.yml"))
    key = tuple((p, p.stat().st_mtime_ns) for p in found)
    if _SIDECARS.get("key") != key:
        _SIDECARS["key"] = key
        _SIDECARS["by_sha"] = {m.get("sha256"): m for m in map(load_sidecar, found)}
    return _SIDECARS["by_sha"]


_SIDECARS: dict = {}


def write_tables(tables: Tables, out_dir: Path | None = None,
                 extra: dict[str, pd.DataFrame] | None = None,
                 stamp: str | None = None) -> dict[str, Path]:
    """Validate and write every table (and the ``extra`` derived ones, e.g. ``agreement``) as
    CSV, all or nothing: temp files renamed at the end; ``stamp`` (the inputs' digest) is
    written last."""
    out_dir = out_dir or paths.PROCESSED
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with contextlib.ExitStack() as stack:
        pending = []
        for name, frame in {**tables.as_dict(), **(extra or {})}.items():
            frame = validate(name, frame, tables.vocab)
            target = out_dir / f"{name}.csv"
            handle = stack.enter_context(atomic_open(target.with_suffix(".csv.part")))
            frame.to_csv(handle, index=False, lineterminator="\n")
            pending.append((target.with_suffix(".csv.part"), target))
            written[name] = target
    for part, target in pending:
        os.replace(part, target)
    if stamp is not None:
        write_text(out_dir / STAMP, stamp + "\n")
    return written


def build(raw_dir: Path | None = None, out_dir: Path | None = None,
          force: bool = False) -> dict[str, Path]:
    """Code every bulletin in ``data/raw/`` and write the processed tables and the coder's
    agreement with the review; skipped when the tables exist and their inputs are unchanged
    (``force`` rebuilds)."""
    files = raw_bulletins(raw_dir)
    if not files:
        raise InputError(raw_dir or paths.RAW, "no bulletin files (.txt, .pdf, .docx)")
    _check_raw_files(files)
    if not force and up_to_date(files, out_dir):
        return outputs(out_dir)
    jobs = min(os.cpu_count() or 1, len(files) // 50) or 1  # processes pay off on big corpora
    pipeline = Pipeline(texts_dir=(out_dir or paths.PROCESSED) / "texts")
    tables = pipeline.code_files(files, jobs=jobs)
    pipeline.check_accounts(tables)
    for name, text in tables.renderings.items():  # what PDF/Word spans point into
        write_text(paths.ROOT / name, text)
    return write_tables(tables, out_dir, {"agreement": agreement_of(tables)},
                        stamp=inputs_digest(files))


def _check_raw_files(files: list[Path]) -> None:
    """Every raw bulletin has its own sidecar (one per file name stem)."""
    stems: dict[str, Path] = {}
    for f in files:
        if f.stem in stems:
            raise InputError(display_path(f), f"same name as {display_path(stems[f.stem])}: "
                             "one sidecar per name, rename one of them")
        stems[f.stem] = f
        if not paths.sidecar_for(f).exists():
            raise missing_sidecar(f)


def agreement_of(tables: Tables) -> pd.DataFrame:
    """The coder's agreement with the review over the reviewed bulletins of ``tables``."""
    if tables.automatic_items is None:
        raise ValueError("tables carry no automatic items")
    return agreement_for(tables.items, tables.automatic_items, tables.bulletins, tables.vocab)


def measure_agreement(raw_dir: Path | None = None) -> pd.DataFrame:
    """Agreement table over all reviewed bulletins in ``data/raw/``."""
    files = raw_bulletins(raw_dir)
    if not files:
        raise InputError(raw_dir or paths.RAW, "no bulletin .txt files")
    return agreement_of(Pipeline().code_files(files))


def _validated(tables: Tables, automatic: pd.DataFrame | None = None,
               vocab: Vocabulary | None = None) -> Tables:
    frames = {name: validate(name, frame, vocab) for name, frame in tables.as_dict().items()}
    return Tables(**frames, automatic_items=automatic, vocab=vocab)


def _item_row(item: Item, item_id: str, bulletin_id: str, meta: dict, codes, body: str) -> dict:
    return {
        "item_id": item_id, "bulletin_id": bulletin_id, "issue_date": meta.get("issue_date"),
        "seq": item.seq, "section": item.section, "title": item.title,
        "page_start": item.page_start, "page_end": item.page_end,
        "start": item.start, "end": item.end, "body": body,
        "provinces": ";".join(codes.provinces),
        "province_codes": ";".join(codes.province_codes),
        "cities": ";".join(codes.cities), "domains": ";".join(codes.domains),
        "instruments": ";".join(codes.instruments),
        "instrument_sides": ";".join(codes.instrument_sides),
        "is_national_first": int(codes.is_national_first),
        "is_provincial_first": int(codes.is_provincial_first),
        "issuing_level": codes.issuing_level, "scope": codes.scope,
        **{CONFIDENCE_COLUMN.format(f): codes.confidence[f] for f in CONFIDENCE_FIELDS},
        "confidence_basis": "; ".join(f"{f}: {codes.basis[f]}" for f in CONFIDENCE_FIELDS),
        "overridden": "",
    }


def _evidence_row(spans: Spans, item_id: str, ev: Evidence) -> dict:
    start, end, page = spans.coding(ev.start, ev.end)
    return {"item_id": item_id, "field": ev.field, "value": ev.value, "text": ev.text,
            "start": start, "end": end, "page": page, "source": "auto", "note": ""}


class Spans:
    """Maps offsets in an item's body (or coding text) to raw ``(start, end, page)``: the same
    results as ``Item.body_span`` / :func:`item_span`, with the paragraph found by bisection."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self.paragraphs = item.body_paragraphs
        self.ends: list[int] = []  # body offset of each paragraph's end (its newline)
        pos = 0
        for para in self.paragraphs:
            pos += len(para.text)
            self.ends.append(pos)
            pos += 1

    def _locate(self, offset: int) -> tuple[int, int | None]:
        i = bisect.bisect_left(self.ends, offset)
        if i == len(self.paragraphs):
            raise IndexError(offset)
        para = self.paragraphs[i]
        local = offset - (self.ends[i] - len(para.text))
        return para.locate(min(local, max(len(para.text) - 1, 0)))

    def body(self, start: int, end: int) -> tuple[int, int, int | None]:
        """Raw span of ``body[start:end]`` (``end > start``)."""
        raw_start, page = self._locate(start)
        raw_last, _ = self._locate(end - 1)
        return raw_start, raw_last + 1, page

    def coding(self, start: int, end: int) -> tuple[int, int, int | None]:
        """Raw span of ``(title + "\\n" + body)[start:end]`` (the coding text of ``coding``)."""
        title = self.item.title_paragraph
        title_len = len(title.text)
        if start < title_len:
            raw_start, page = title.locate(start)
            raw_last, _ = title.locate(min(end, title_len) - 1)
            return raw_start, raw_last + 1, page
        return self.body(start - title_len - 1, end - title_len - 1)


def item_span(item: Item, start: int, end: int) -> tuple[int, int, int | None]:
    """Raw span of ``(title + "\\n" + body)[start:end]`` (the coding text of ``coding``)."""
    return Spans(item).coding(start, end)


def _review_evidence(overrides: list[Override], bulletin_id: str) -> list[dict]:
    field_of = {"provinces": "province", "cities": "city", "domains": "domain",
                "instruments": "instrument", "is_national_first": "national_first",
                "is_provincial_first": "provincial_first", "issuing_level": "issuing_level"}
    return [
        {"item_id": o.item_id, "field": field_of[o.field], "value": o.value,
         "text": "", "start": None, "end": None, "page": None, "source": "review",
         "note": o.reason}
        for o in overrides if o.bulletin_id == bulletin_id
    ]
