"""All paths the project reads or writes, in one place.

The project root can be moved with the ``BULLETIN_ROOT`` environment variable (tests use it to
build into a temporary tree); everything else is derived from it.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The project root: ``$BULLETIN_ROOT`` if set, else the folder holding ``analysis/``."""
    env = os.environ.get("BULLETIN_ROOT")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


ROOT = project_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
CODEBOOK = DATA / "codebook.yml"
REVIEW = DATA / "review.csv"
INDEX_WEIGHTS = DATA / "index_weights.yml"
SCENARIOS = DATA / "scenarios.yml"
BOOK = ROOT / "book"
BOOK_GENERATED = BOOK / "_generated"
TEMPLATES = ROOT / "notebooks"
BUILD = ROOT / "_build"
BOOK_PDF = BUILD / "pdf" / "book.pdf"

ITEMS_CSV = PROCESSED / "items.csv"
FIGURES_CSV = PROCESSED / "figures.csv"
EVIDENCE_CSV = PROCESSED / "evidence.csv"
BULLETINS_CSV = PROCESSED / "bulletins.csv"
AGREEMENT_CSV = PROCESSED / "agreement.csv"


def sidecar_for(bulletin: Path) -> Path:
    """The metadata sidecar of a raw bulletin: ``NAME.txt`` -> ``NAME.meta.yml``."""
    return bulletin.with_name(bulletin.stem + ".meta.yml")


# Fan-out runner (analysis.run.runner): executed region notebooks, the run manifest, pinned deps.
REGIONS_BOOK = BOOK / "regions"
SCENARIOS_BOOK = BOOK / "scenarios"
MANIFEST = BUILD / "manifest.json"
CONSTRAINTS = ROOT / "constraints.txt"
