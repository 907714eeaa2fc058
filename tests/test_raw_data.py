"""The raw bulletins: checksums recorded in their sidecars, never modified by the pipeline."""

import hashlib

import yaml

from analysis.common import paths
from analysis.dataset.build import build, raw_bulletins


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_raw_bulletin_has_a_sidecar_with_its_checksum():
    files = raw_bulletins()
    assert [f.name for f in files] == ["bulletin-2020-09.txt"]
    for path in files:
        meta = yaml.safe_load(paths.sidecar_for(path).read_text(encoding="utf-8"))
        assert meta["sha256"] == sha(path)
        assert meta["issue_date"] == "2020-09" and "Inferred" in meta["issue_date_basis"]
        assert meta["language"] == "zh-Hans"


def test_build_leaves_raw_files_untouched(tmp_path):
    before = {p: (sha(p), p.stat().st_mtime_ns) for p in paths.RAW.iterdir()}
    build(out_dir=tmp_path)
    after = {p: (sha(p), p.stat().st_mtime_ns) for p in paths.RAW.iterdir()}
    assert before == after
    assert (tmp_path / "items.csv").exists()
