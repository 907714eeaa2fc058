"""SYNTHETIC bulletins for tests and benchmarks, laid out like the printed bulletins.

Nothing made here is about the real world and nothing made here reaches the report: every title
carries the marker 【合成】, file names start with ``synthetic-``, and sidecars say
``synthetic: true``. ``generate_corpus`` rewrites the real seed's items with other provinces'
names and scaled numbers (same structure, different facts) to measure throughput at scale.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from analysis.coding.codebook import Codebook
from analysis.common.atomic import write_text
from analysis.ingest.parse import parse_items

MARK = "【合成】"
WIDTH = 26
MAINLAND_CODES_EXCLUDED = {"710000", "810000", "820000"}  # Taiwan, Hong Kong, Macao


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Hard-wrap a paragraph (first line two characters shorter: the indent of print)."""
    lines: list[str] = []
    while text:
        cut = width - 2 if not lines else width
        lines.append(text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")  # a printed line never starts with a space
    return lines


def layout(items: Iterable[tuple[str, str, list[str]]], *, pages: bool = True,
           page_every: int = 40, eol: str = "\n") -> str:
    """Print ``(section, title, paragraphs)`` items like the bulletins: one line per printed
    line, a blank line after each, trailing space at paragraph ends, a leading space on the
    first line of each page."""
    printed: list[str] = []
    section = None
    for sec, title, paras in items:
        if sec != section:
            printed.append(sec + " ")
            section = sec
        printed.append(title + " ")
        for para in paras:
            wrapped = wrap(para)
            wrapped[-1] += " "
            printed.extend(wrapped)
    chunks: list[str] = []
    for k, line in enumerate(printed):
        if pages and k % page_every == 0:
            chunks.append(" " + line)
        else:
            if chunks:
                chunks.append("")
            chunks.append(line)
    return eol.join(chunks) + eol


# Numbers that are not parts of dates (月/日) or phase names (期) are scaled.
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?!\s?[月日期\d.])")


def _scale_numbers(text: str, rng: random.Random) -> str:
    def repl(m: re.Match[str]) -> str:
        token = m.group()
        if len(token) == 4 and token.startswith("20"):  # keep years
            return token
        factor = rng.choice((0.5, 0.8, 1.0, 1.5, 2.0, 3.0))
        value = float(token) * factor
        return f"{value:.2f}".rstrip("0").rstrip(".") if "." in token else str(max(1, round(value)))

    return _NUMBER.sub(repl, text)


def _relocate(text: str, names: dict[str, str]) -> str:
    if not names:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return pattern.sub(lambda m: names[m.group()], text)


def issue_month(first: str, offset: int) -> str:
    """``YYYY-MM`` ``offset`` months after ``first`` (``YYYY-MM``)."""
    year, month = map(int, first.split("-"))
    index = year * 12 + month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def generate_corpus(seed_text: str, codebook: Codebook, out_dir: Path, n_issues: int = 1000,
                    seed: int = 0, first_month: str = "2021-01", skip: Iterable[int] = ()
                    ) -> list[Path]:
    """Write ``n_issues`` synthetic bulletins derived from the seed's items into ``out_dir``.

    Issue ``k`` (from 1) is dated ``k - 1`` months after ``first_month``; months whose offset is
    in ``skip`` get no issue (a gap), the later issues moving on by one month each.

    Each item is moved to a province drawn from the 31 mainland provinces (its province and city
    names replaced by that province's and one of its prefecture-level cities'), and its numbers
    are scaled. Returns the file paths.
    """
    rng = random.Random(seed)
    items = parse_items(seed_text, "seed", [s.name for s in codebook.sections])
    provinces = [p for p in codebook.provinces if p.code not in MAINLAND_CODES_EXCLUDED]
    source_names = {p.short: p.code for p in codebook.provinces} | {
        pl.name: pl.province for pl in codebook.places if not pl.ambiguous}
    cities = {p.code: [pl.name for pl in codebook.prefecture_level(p.code)] or [p.short]
              for p in provinces}
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    skipped = set(skip)
    offsets = [o for o in range(n_issues + len(skipped)) if o not in skipped][:n_issues]
    for issue, offset in enumerate(offsets, start=1):
        printed = []
        for item in items:
            target = rng.choice(provinces)
            city = rng.choice(cities[target.code])
            names = {name: (target.short if name in {p.short for p in provinces} else city)
                     for name in source_names if name in item.title or name in item.body}
            title = MARK + _relocate(item.title, names)
            paras = [_scale_numbers(_relocate(p.text, names), rng) for p in item.body_paragraphs]
            printed.append((item.section, title, paras))
        stem = f"synthetic-{issue:04d}"
        path = out_dir / f"{stem}.txt"
        write_text(path, layout(printed))
        write_text(out_dir / f"{stem}.meta.yml", yaml.safe_dump(
            {"bulletin_id": stem, "synthetic": True, "reviewed": False,
             "issue_date": issue_month(first_month, offset),
             "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
             "source": "SYNTHETIC: generated from the seed's structure for benchmarks"},
            allow_unicode=True))
        files.append(path)
    return files
