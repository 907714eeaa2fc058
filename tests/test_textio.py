import hashlib

import pytest

from analysis.common.errors import InputError
from analysis.ingest.textio import read_bulletin

from conftest import ROOT, SEED
from support.synthetic import bulletin_text


def test_seed_checksum_and_encoding():
    b = read_bulletin(SEED)
    assert b.sha256 == "e5fac9f2848c9734d15ec379587435c046d61f255cfe588dce427e5054b2853f"
    assert b.encoding == "utf-8-sig"
    assert b.text.count("\n") == 819


def test_fixture_seed_is_the_real_bulletin():
    # The fixture copy is the bulletin its sidecar names (and, where the shared seeds lie
    # beside the checkout, byte for byte the seed).
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    sidecar = SEED.with_name("bulletin-2020-09.meta.yml").read_text(encoding="utf-8")
    assert f"sha256: {digest}" in sidecar
    assert "original_name: 000_b324105402018eca.txt" in sidecar
    shared = ROOT.parent / "shared" / "seeds" / "000_b324105402018eca.txt"
    if shared.exists():
        assert SEED.read_bytes() == shared.read_bytes()


def test_gbk_and_gb18030_are_detected(tmp_path):
    text = bulletin_text()
    for enc in ("gbk", "gb18030"):
        path = tmp_path / f"b-{enc}.txt"
        path.write_bytes(text.encode(enc))
        b = read_bulletin(path)
        assert b.encoding == "gb18030"
        assert b.text == text
        assert b.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_explicit_encoding(tmp_path):
    path = tmp_path / "b.txt"
    path.write_bytes("浙江".encode("gbk"))
    assert read_bulletin(path, "gbk").text == "浙江"
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_bulletin(path, "utf-8")
    with pytest.raises(InputError, match="unknown encoding 'nope'"):
        read_bulletin(path, "nope")


def test_crlf_is_kept_so_offsets_index_the_raw_text(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(bulletin_text(eol="\r\n").encode("utf-8"))
    assert "\r\n" in read_bulletin(path).text


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "file is empty"), (b"  \n\n", "file is empty"),
     (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file")],
)
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_bulletin(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_bulletin(tmp_path / "nope.txt")
