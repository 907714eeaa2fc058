"""The catalogue of bad inputs and faults (issue 12), one row each: the command, the fault put
into a fresh project, the expected one-line message, the exit status, and that the project tree
(and any output target) is exactly as before.

Each row runs the command line in-process (:func:`support.faults.run_in`) in its own copy of
the project; the kernel-bound faults (cell timeout, unreachable scheduler) are in
``test_errors_slow.py``-style rows marked ``slow`` at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from conftest import REVIEW as FIXTURE_REVIEW
from conftest import SEED, make_project
from support.faults import run_in, tree_digest

RAW = Path("data/raw")
BULLETIN = RAW / "bulletin-2020-09.txt"
SIDECAR = RAW / "bulletin-2020-09.meta.yml"
REVIEW = Path("data/review.csv")
WEIGHTS = Path("data/index_weights.yml")


def _append(rel: Path, text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return setup


def _replace(rel: Path, old: str, new: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def _write(rel: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data() if callable(data) else data)
    return setup


def _seed_bytes() -> bytes:
    return SEED.read_bytes()


def _nul_late() -> bytes:
    data = SEED.read_bytes()
    cut = data.index("。".encode(), 6000) + 3
    return data[:cut] + b"\x00" + data[cut:]


def _symlink_loop(root: Path) -> None:
    (root / "loop.txt").symlink_to(root / "loop.txt")


def _bad_id(root: Path) -> None:
    _replace(SIDECAR, "bulletin_id: bulletin-2020-09", "bulletin_id: 'bulletin 2020/09'")(root)


@dataclass
class Case:
    """One bad input: ``setup`` breaks the project, ``argv`` (``{root}`` is the project) runs,
    ``message`` (a regex) must be the one stderr line, ``code`` the exit status."""

    id: str
    setup: Callable[[Path], None] | None
    argv: tuple[str, ...]
    message: str
    code: int = 2
    marks: list = field(default_factory=list)


ITEMS = ("items", "{root}/" + str(BULLETIN), "--out", "{root}/../out.csv")
ROW = "bulletin-2020-09-01"
CASES = [
    # data/review.csv, parsed strictly: one line naming the row
    Case("review-unterminated-quote", _append(REVIEW, f'{ROW},domains,ftz,"never closed\n'),
         ITEMS, r"review\.csv:{next}: unterminated quote"),
    Case("review-conflicting-rows",
         _append(REVIEW, f"{ROW},domains,ftz,one\n{ROW},domains,industrial,two\n"),
         ITEMS, r"review\.csv:{next1}: \S+ domains: conflicts with line {next} \('ftz' "
         r"there, 'industrial' here\)"),
    Case("review-duplicate-rows",
         _append(REVIEW, f"{ROW},domains,ftz,one\n{ROW},domains,ftz,one\n"),
         ITEMS, r"review\.csv:{next1}: \S+ domains: repeats line {next}"),
    Case("review-unquoted-comma", _append(REVIEW, f"{ROW},domains,ftz,cut, here\n"),
         ITEMS, r"review\.csv:{next}: 5 fields, expected 4"),
    Case("review-city-not-in-gazetteer", _append(REVIEW, f"{ROW},cities,亚特兰蒂斯,why\n"),
         ITEMS, r"review\.csv:{next}: cities: invalid value '亚特兰蒂斯'"),
    Case("review-repeated-value", _append(REVIEW, f"{ROW},domains,ftz;ftz,why\n"),
         ITEMS, r"review\.csv:{next}: domains: value 'ftz' given twice"),
    Case("review-first-not-0-or-1", _append(REVIEW, f"{ROW},is_national_first,2,why\n"),
         ITEMS, r"review\.csv:{next}: is_national_first: invalid value '2'"),
    Case("review-empty-list-element", _append(REVIEW, f"{ROW},domains,ftz;;industrial,why\n"),
         ITEMS, r"review\.csv:{next}: domains: empty value in 'ftz;;industrial'"),
    Case("review-two-issuing-levels",
         _append(REVIEW, f"{ROW},issuing_level,central;province,why\n"),
         ITEMS, r"review\.csv:{next}: issuing_level: .*one value expected"),
    Case("review-not-utf8", _write(str(REVIEW), "item_id,field,value,reason\n理由\n".encode("gbk")),
         ITEMS, r"review\.csv: not UTF-8"),
    Case("review-bad-header", _write(str(REVIEW), b"item,field,value\n"),
         ITEMS, r"review\.csv: header must be"),
    # output paths
    Case("out-onto-input", None, ("items", "{root}/" + str(BULLETIN), "--out",
                                  "{root}/" + str(BULLETIN)), r"--out .*is an input"),
    Case("out-into-raw", None, ("figures", "{root}/" + str(BULLETIN), "--out",
                                "{root}/data/raw/figures.csv"), r"--out .*data/raw"),
    Case("out-onto-review", None, ("items", "{root}/" + str(BULLETIN), "--out",
                                   "{root}/data/review.csv"), r"--out .*is an input"),
    Case("out-onto-device", None, ("items", "{root}/" + str(BULLETIN), "--out", "/dev/null"),
         r"--out /dev/null: is not a regular file"),
    Case("notebook-out-into-raw", None, ("notebook", "region", "-p", "region", "江苏", "-o",
                                         "{root}/data/raw/x.ipynb"), r"-o .*data/raw"),
    Case("notebook-html-into-raw", None, ("notebook", "region", "-p", "region", "江苏", "-o",
                                          "{root}/x.ipynb", "--html", "{root}/data/raw/x.html"),
         r"--html .*data/raw/x\.html: is inside data/raw/"),
    Case("notebook-output-dir-outside", None,
         ("notebook", "region", "-p", "region", "江苏", "-p", "output_dir", "../../../../../etc",
          "-o", "{root}/out.ipynb"), r"parameter output_dir: .*outside"),
    Case("notebook-output-dir-into-raw", None,
         ("notebook", "region", "-p", "region", "江苏", "-p", "output_dir", "data/raw/figs",
          "-o", "{root}/out.ipynb"), r"parameter output_dir: .*data/raw"),
    # bulletin files
    Case("bulletin-nul-after-4k", _write("late-nul.txt", _nul_late),
         ("items", "{root}/late-nul.txt", "--out", "{root}/../out.csv"),
         r"late-nul\.txt: .*NUL"),
    Case("bulletin-utf16-no-encoding",
         _write("u16.txt", lambda: SEED.read_text(encoding="utf-8").encode("utf-16-le")),
         ("items", "{root}/u16.txt", "--out", "{root}/../out.csv"), r"u16\.txt: .*UTF-16"),
    Case("bulletin-symlink-loop", _symlink_loop,
         ("items", "{root}/loop.txt", "--out", "{root}/../out.csv"), r"loop\.txt: .*symbolic"),
    Case("bulletin-unknown-encoding", None,
         ("items", "{root}/" + str(BULLETIN), "--encoding", "klingon"), r"unknown encoding"),
    # sidecars
    Case("sidecar-not-utf8", _write(str(SIDECAR), "bulletin_id: 公报\n".encode("gbk")),
         ITEMS, r"meta\.yml: not UTF-8"),
    Case("sidecar-yaml-syntax", _append(SIDECAR, "reviewed: [true\n"),
         ITEMS, r"meta\.yml: YAML error at line \d+"),
    Case("sidecar-issue-date-not-string", _replace(SIDECAR, 'issue_date: "2020-09"',
                                                   "issue_date: 2020-09-01"),
         ITEMS, r"meta\.yml: issue_date: .*YYYY-MM"),
    Case("sidecar-not-mapping", _write(str(SIDECAR), b"- a\n- b\n"), ITEMS,
         r"meta\.yml: .*mapping"),
    Case("build-bibtex-unsafe-id", _bad_id, ("build",),
         r"meta\.yml: bulletin_id .*bulletin 2020/09"),
    Case("report-bibtex-unsafe-id", _bad_id, ("report", "--no-pdf"),
         r"meta\.yml: bulletin_id .*bulletin 2020/09"),
    Case("report-glyph-missing-from-pdf-font",
         _replace(BULLETIN, "上海", "上海\U00013000"), ("report",),
         r"bulletin-2020-09\.txt: the PDF cannot print it: 1 character\(s\) not in .*U\+13000"),
    Case("processed-table-corrupt", _write("data/processed/items.csv", b'item_id\n"never closed'),
         ("notebook", "region", "-p", "region", "江苏", "-o", "{root}/x.ipynb"),
         r"items\.csv: not a readable table .*remove data/processed/ and run"),
    Case("agreement-without-bulletins", lambda root: [p.unlink() for p in (root / RAW).iterdir()],
         ("agreement",), r"data/raw: no bulletin \.txt files"),
    # index weights
    Case("weights-yaml-syntax", _append(WEIGHTS, "  bad: [1\n"),
         ("notebook", "comparison", "-o", "{root}/out.ipynb"),
         r"index_weights\.yml: YAML error at line \d+"),
    Case("run-weights-yaml-before-data",
         lambda root: (_append(REVIEW, f"{ROW},domains,ftz;industrial,forces a rebuild\n")(root),
                       _append(WEIGHTS, "  bad: [1\n")(root)),
         ("run", "--explain"), r"index_weights\.yml: YAML error at line \d+"),
    Case("run-unknown-parameter-before-data",
         _append(REVIEW, f"{ROW},domains,ftz;industrial,forces a rebuild\n"),
         ("run", "-p", "colour", "red", "--explain"),
         r"parameter colour: not a parameter of any template"),
    Case("weights-not-mapping", _write(str(WEIGHTS), b'weights: "heavy"\n'),
         ("notebook", "comparison", "-o", "{root}/out.ipynb"),
         r"index_weights\.yml: weights: .*mapping.*heavy"),
    Case("weights-parameter-not-mapping", None,
         ("notebook", "comparison", "-p", "weights", "heavy", "-o", "{root}/out.ipynb"),
         r"parameter weights: .*heavy"),
    # parameters and usage
    Case("timeout-not-integer", None, ("notebook", "region", "--timeout", "1.5", "-o", "x.ipynb"),
         r"argument --timeout: .*integer"),
    Case("usage-unknown-command", None, ("fly",), r"argument COMMAND: invalid choice"),
    Case("usage-missing-out", None, ("notebook", "region"), r"-o/--out"),
    Case("jobs-zero", None, ("run", "--jobs", "0"), r"argument --jobs: must be at least 1"),
    Case("run-unknown-region", None, ("run", "--regions", "Atlantis", "--explain"),
         r"Atlantis"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(case: Case, tmp_path: Path,
                                                  built_project: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    if case.setup is not None:
        case.setup(root)
    before = tree_digest(tmp_path)
    res = run_in(root, *(a.format(root=root) for a in case.argv))
    lines = res.stderr.splitlines()
    assert res.returncode == case.code, res.stderr
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    nxt = len(FIXTURE_REVIEW.read_text(encoding="utf-8").splitlines()) + 1  # first added row
    assert re.search(case.message.replace("{next1}", str(nxt + 1)).replace("{next}", str(nxt)),
                     lines[0]), lines[0]
    after = tree_digest(tmp_path)
    assert after == before, sorted(set(after.items()) ^ set(before.items()))


@pytest.mark.parametrize(("codec", "given"), [("utf-16-le", "utf-16-le"), ("utf-16", "utf-16"),
                                              ("utf-16", None), ("utf-32", None)])
def test_utf16_bulletin_is_read(tmp_path: Path, codec: str, given: str | None) -> None:
    """UTF-16/32 is read with ``--encoding``, or without it when a byte-order mark says so;
    the items are those of the UTF-8 original."""
    root = make_project(tmp_path / "project")
    path = tmp_path / "wide.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode(codec))
    extra = ("--encoding", given) if given else ()
    res = run_in(root, "items", path, *extra, "--out", tmp_path / "o.csv")
    assert res.returncode == 0, res.stderr
    assert run_in(root, "items", SEED, "--out", tmp_path / "u8.csv").returncode == 0
    wide = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    plain = pd.read_csv(tmp_path / "u8.csv", keep_default_na=False)
    assert len(wide) == 24
    assert wide["title"].tolist() == plain["title"].tolist()


def test_unreadable_bulletin_is_one_line(tmp_path: Path) -> None:
    """PermissionError, for real: a file its reader may not read (root reads everything, so
    the test needs an ordinary user)."""
    if os.geteuid() == 0:
        pytest.skip("root reads a mode-000 file; run the suite as an ordinary user")
    root = make_project(tmp_path / "project")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(_seed_bytes())
    secret.chmod(0)
    try:
        res = run_in(root, "items", secret, "--out", tmp_path / "o.csv")
    finally:
        secret.chmod(0o600)
    assert res.returncode == 2, res.stderr
    assert res.stderr.splitlines() == [f"error: {secret}: permission denied (cannot read the file)"]
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.slow
def test_cell_timeout_is_one_line_and_keeps_the_notebook(tmp_path: Path,
                                                         built_project: Path) -> None:
    """A cell past ``--timeout``: one line naming the output, exit 1, the partial notebook
    kept (its earlier cells executed)."""
    import nbformat

    folder = tmp_path / "slow"
    folder.mkdir()
    nb = nbformat.read(built_project / "notebooks" / "region.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
    nbformat.write(nb, folder / "region.ipynb")
    out = tmp_path / "out.ipynb"
    res = run_in(built_project, "notebook", folder / "region.ipynb", "-p", "region", "江苏",
                 "-o", out, "--timeout", "3")
    lines = res.stderr.splitlines()
    assert res.returncode == 1, res.stderr
    assert len(lines) == 1 and str(out) in lines[0] and "imeout" in lines[0], lines
    assert "kept" in lines[0] and out.is_file()
    cells = nbformat.read(out, as_version=4).cells
    assert cells[-1].source.startswith("import time")
    assert any(c.get("execution_count") for c in cells[:-1] if c.cell_type == "code")


@pytest.mark.slow
def test_unreachable_scheduler_is_one_line(tmp_path: Path, built_project: Path) -> None:
    """``--scheduler`` where nothing listens: one line naming the option, exit 2, no manifest
    change, and no 30 s default connect wait (the timeout is the module's constant)."""
    pytest.importorskip("distributed")
    from analysis.run import dask_executor

    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    before = tree_digest(root)
    res = run_in(root, "run", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
                 "--force")
    assert res.returncode == 2, res.stderr
    assert res.stderr.splitlines() == [res.stderr.strip()]
    assert res.stderr.startswith("error: --scheduler tcp://127.0.0.1:1: no dask scheduler "
                                 f"answers there within {dask_executor.CONNECT_TIMEOUT} s")
    assert tree_digest(root) == before


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB file system of its own (tmpfs; needs root, else the test is skipped)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {res.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_during_build_is_one_line_and_keeps_data(small_disk: Path,
                                                           built_project: Path) -> None:
    """A real full disk (ENOSPC) while ``build`` writes: one line naming the file, exit 1,
    the previous tables intact, no temporary file left."""
    root = small_disk / "project"
    shutil.copytree(built_project, root, symlinks=True)
    _append(REVIEW, f"{ROW},domains,ftz;industrial,a change that forces a rebuild\n")(root)
    before = tree_digest(root)
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    with contextlib.suppress(OSError):  # fill the disk to the last block
        while os.write(fd, b"\1" * 512):
            pass
    os.close(fd)
    res = run_in(root, "build")
    lines = res.stderr.splitlines()
    assert res.returncode == 1, res.stderr
    assert len(lines) == 1 and "No space left on device" in lines[0], lines
    assert str(root / "data" / "processed") in lines[0]
    filler.unlink()
    assert tree_digest(root) == before


@pytest.mark.parametrize("command", [("run", "--explain"), ("report", "--no-pdf"), ("build",)])
def test_second_command_says_who_holds_the_project(command: tuple[str, ...], tmp_path: Path,
                                                   built_project: Path) -> None:
    """While one command holds the project, another stops at once with one line naming the
    holder (here: this process), and changes nothing."""
    from analysis.common.lock import project_lock

    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    before = tree_digest(root)
    with project_lock(root, "run"):
        res = run_in(root, *command)
    assert res.returncode == 2, res.stderr
    assert res.stderr.splitlines() == [
        f"error: {root}: in use by process {os.getpid()} ({_holder_cmd()}); wait for it to "
        f"finish before `{command[0]}`"]
    assert tree_digest(root) == before
    # released: the command runs
    assert run_in(root, "run", "--explain").returncode == 0


def _holder_cmd() -> str:
    from analysis.common.lock import _cmdline

    return _cmdline(os.getpid())


def test_connection_folders_of_dead_processes_are_swept(tmp_path: Path) -> None:
    """After kill -9 no cleanup runs; the next pool removes the dead process's folder and
    keeps a live one's."""
    import signal
    import subprocess

    from analysis.run.conndir import CONN_PREFIX, sweep_connection_dirs

    victim = subprocess.Popen(["sleep", "60"])
    dead = tmp_path / f"{CONN_PREFIX}{victim.pid}-abcd"
    dead.mkdir()
    (dead / "kernel-0.json").write_text("{}")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    live = tmp_path / f"{CONN_PREFIX}{os.getpid()}-efgh"
    live.mkdir()
    assert sweep_connection_dirs(tmp_path) == [dead]
    assert not dead.exists() and live.is_dir()


def test_stale_pdf_is_marked(tmp_path: Path) -> None:
    from analysis.report import mark_stale

    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.7 old")
    assert mark_stale(pdf) == tmp_path / "book.stale.pdf"
    assert not pdf.exists() and (tmp_path / "book.stale.pdf").read_bytes() == b"%PDF-1.7 old"
    assert mark_stale(pdf) is None
