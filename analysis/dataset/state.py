"""Is ``data/processed/`` up to date? A light check (no pandas) so that a command with nothing
to rebuild starts fast; ``analysis.dataset.build.build`` uses the same digest."""

from __future__ import annotations

from pathlib import Path

from analysis.common import paths
from analysis.common.digest import files_hash, modules_hash
from analysis.ingest.document import SUFFIXES

#: The module that codes the data: its import closure is the code the tables depend on.
BUILD_MODULE = "analysis.dataset.build"
#: File in ``data/processed/`` holding the digest of the inputs the tables were built from.
STAMP = ".inputs.sha256"
OUTPUTS = ("items", "figures", "evidence", "bulletins", "agreement")


def raw_bulletins(raw_dir: Path | None = None) -> list[Path]:
    """The bulletin files in ``data/raw/`` (text, PDF, Word)."""
    folder = raw_dir or paths.RAW
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in SUFFIXES and p.is_file())


def inputs_digest(files: list[Path]) -> str:
    """Digest of everything the tables depend on: the raw bulletins and their sidecars, the
    codebook, the review file and the code the data build can import (not the analysis,
    notebook or book code)."""
    sidecars = [paths.sidecar_for(f) for f in files]
    return files_hash([*files, *sidecars, paths.CODEBOOK, paths.REVIEW],
                      (modules_hash([BUILD_MODULE]),))


def outputs(out_dir: Path | None = None) -> dict[str, Path]:
    """The processed tables by name."""
    out_dir = out_dir or paths.PROCESSED
    return {name: out_dir / f"{name}.csv" for name in OUTPUTS}


def up_to_date(files: list[Path], out_dir: Path | None = None) -> bool:
    """True when every table exists and was built from exactly these inputs."""
    stamp = (out_dir or paths.PROCESSED) / STAMP
    return (stamp.exists() and stamp.read_text().strip() == inputs_digest(files)
            and all(p.exists() for p in outputs(out_dir).values()))
