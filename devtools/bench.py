"""``python -m devtools.bench`` (``make bench``): how fast the build is, measured in one run.

- (a) a cold build of every case (comparison + one region per province) with the fan-out runner
  (``python -m analysis run --force``) against a sequential loop of ``papermill`` commands with
  the same parameters, interleaved (runner, papermill, runner);
- (b) a rebuild with nothing changed against the cold build;
- (c) a rebuild after one review row changes one item's coding;
- (d) a SYNTHETIC corpus (:func:`devtools.synthetic.generate_corpus`): ingest-and-code
  throughput with ``os.cpu_count()`` processes and with one, peak memory, and the full notebook
  run over its provinces;
- (e) the whole report (``python -m analysis report``, HTML and PDF): cold, with nothing
  changed (twice; the ratio to the cold one, target under 5%), after one hand-written chapter
  changed (``book/methods.md`` gets a sentence: incremental HTML, PDF rebuilt), and the runner
  (``run --force``) against the sequential papermill loop on the same project (target 5x).
  ``python -m devtools.bench report --code DIR`` measures (e) alone for the ``analysis``
  package of another checkout (e.g. an export of an earlier commit): before and after.

Everything runs in temporary project copies (``BULLETIN_ROOT``), never in the repository's
``data/`` or ``book/``. Nothing is asserted about timings: the machine may be shared, so the
numbers are printed side by side with their ratios for a person to judge.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.common import paths
from devtools.project import copy_project, project_env

# --------------------------------------------------------------------------- results (pure)

_PROGRESS = re.compile(r"^\[\s*\d+/\d+\] (cached|start|ok|failed)\s+(\S+)", re.MULTILINE)


@dataclass
class Progress:
    """Case names by what happened to them in one ``python -m analysis run``."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def parse_progress(stderr: str) -> Progress:
    """Read the runner's progress lines (``[3/7] ok     region/anhui  1.6s  (...)``)."""
    out = Progress()
    for kind, name in _PROGRESS.findall(stderr):
        if kind in ("ok", "failed"):
            out.executed.append(name)
        if kind == "failed":
            out.failed.append(name)
        if kind == "cached":
            out.cached.append(name)
    return out


@dataclass
class CliRun:
    """One timed ``python -m analysis`` command."""

    seconds: float
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    progress: Progress = field(default_factory=Progress)


@dataclass
class IngestRun:
    """One ingest-and-code run over the corpus (in its own process)."""

    jobs: int
    files: int
    items: int
    seconds: float
    provinces: int = 0
    maxrss_self_kib: int = 0
    maxrss_child_kib: int = 0
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Items per second (wall clock)."""
        return self.items / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_rate(self) -> float:
        """Items per CPU-second (parent and workers): what other load on the machine does not
        change much."""
        return self.items / self.cpu_seconds if self.cpu_seconds > 0 else float("inf")

    @property
    def peak_bound_mib(self) -> float:
        """Parent peak plus ``jobs`` times the largest worker's peak (an upper bound on the
        memory in use at any one time), MiB."""
        workers = self.jobs * self.maxrss_child_kib if self.jobs > 1 else 0
        return (self.maxrss_self_kib + workers) / 1024


@dataclass
class BenchResults:
    """Everything one bench run measured."""

    cpus: int = 1
    workdir: str = ""
    load: list[float] = field(default_factory=list)  # 1-minute load average, start and end
    cases: int = 0
    runner: list[CliRun] = field(default_factory=list)
    papermill: list[float] = field(default_factory=list)
    nochange: list[CliRun] = field(default_factory=list)
    change: tuple[str, str, str] = ("", "", "")
    change_explain: str = ""
    changed: CliRun | None = None
    generate_seconds: float = 0.0
    ingest: list[IngestRun] = field(default_factory=list)
    corpus_run: CliRun | None = None
    report: ReportBench | None = None


def median(values: list[float]) -> float:
    """The median (NaN for no values)."""
    return statistics.median(values) if values else float("nan")


def ratio(slow: float, fast: float) -> float:
    """``slow / fast`` (how many times faster ``fast`` is); inf when ``fast`` is 0."""
    return slow / fast if fast > 0 else float("inf")


def seconds_text(values: list[float]) -> str:
    """``12.3 s`` or ``12.3 s (runs 12.1, 12.6 s)``."""
    if len(values) == 1:
        return f"{values[0]:.1f} s"
    runs = ", ".join(f"{v:.1f}" for v in values)
    return f"{median(values):.1f} s (median; runs {runs} s)"


def verdict(value: float, target: float, at_least: bool = True) -> str:
    """``met`` or ``MISSED`` for a target (``value >= target``, or ``<`` when not ``at_least``)."""
    ok = value >= target if at_least else value < target
    return "met" if ok else "MISSED"


def format_results(res: BenchResults) -> str:
    """The report printed by ``make bench``."""
    load = " -> ".join(f"{v:.1f}" for v in res.load) or "?"
    lines = [f"make bench: {res.cpus} CPUs, Python {sys.version.split()[0]}, load average "
             f"{load}; no timing is asserted (shared machine: compare the ratios)"]
    if res.runner:  # (a)-(d) ran (not ``bench report``)
        lines += _format_a(res) + _format_bc(res) + _format_d(res)
    lines += format_report(res.report) if res.report is not None else []
    return "\n".join(lines)


@dataclass
class ReportBench:
    """(e): one project's report builds, and its runner against the papermill loop."""

    code: str = ""
    cold: CliRun | None = None
    nochange: list[CliRun] = field(default_factory=list)
    chapter: CliRun | None = None
    runner: list[float] = field(default_factory=list)
    papermill: list[float] = field(default_factory=list)
    cases: int = 0


_BUILT = re.compile(r"^\s*(HTML|PDF):.*?\((?:\d+ pages, )?(built in [\d.]+ s|up to date[^)]*)\)",
                    re.MULTILINE)


def book_steps(stdout: str) -> str:
    """``HTML built in 12.3 s, PDF up to date, not rebuilt`` from a report's output."""
    return ", ".join(f"{what} {how}" for what, how in _BUILT.findall(stdout)) or "no book built"


def format_report(rep: ReportBench) -> list[str]:
    """The lines of (e)."""
    if rep.cold is None:
        return []
    cold = rep.cold.seconds
    nochange = median([r.seconds for r in rep.nochange])
    share = nochange / cold if cold > 0 else float("nan")
    lines = [f"(e) whole report (python -m analysis report, HTML and PDF; code {rep.code})",
             f"    cold: {cold:.1f} s ({book_steps(rep.cold.stdout)})",
             f"    nothing changed: {seconds_text([r.seconds for r in rep.nochange])} "
             f"({book_steps(rep.nochange[-1].stdout) if rep.nochange else ''}); "
             f"{100 * share:.1f}% of cold; target < 5%: {verdict(share, 0.05, at_least=False)}"]
    if rep.chapter is not None:
        lines.append(f"    one hand-written chapter changed (book/methods.md): "
                     f"{rep.chapter.seconds:.1f} s ({book_steps(rep.chapter.stdout)})")
    if rep.runner and rep.papermill:
        speedup = ratio(median(rep.papermill), median(rep.runner))
        lines.append(f"    runner (run --force, {rep.cases} cases): {seconds_text(rep.runner)}; "
                     f"papermill loop: {seconds_text(rep.papermill)}; speed-up {speedup:.1f}x; "
                     f"target >= 5x: {verdict(speedup, 5)}")
    return lines


def _format_a(res: BenchResults) -> list[str]:
    runner = [r.seconds for r in res.runner]
    speedup = ratio(median(res.papermill), median(runner))
    per_run = ", ".join(f"{ratio(median(res.papermill), r):.1f}x" for r in runner)
    return [
        f"(a) cold build of {res.cases} cases (comparison + one region per province)",
        f"    runner (python -m analysis run --force, warm kernel pool, {res.cpus} kernels; "
        f"includes coding the data): {seconds_text(runner)}",
        f"    sequential papermill CLI per case, same parameters: {seconds_text(res.papermill)}",
        f"    speed-up {speedup:.1f}x (per runner run {per_run}); target >= 5x: "
        f"{verdict(speedup, 5)}",
    ]


def _format_bc(res: BenchResults) -> list[str]:
    cold = median([r.seconds for r in res.runner])
    nochange = median([r.seconds for r in res.nochange])
    executed = sorted({n for r in res.nochange for n in r.progress.executed})
    lines = [f"(b) rebuild with nothing changed: {seconds_text([r.seconds for r in res.nochange])}"
             f", executed {len(executed)} of {res.cases}"
             + (f" ({', '.join(executed)})" if executed else "")
             + f"; cold / no-change = {ratio(cold, nochange):.1f}x"]
    if res.changed is not None:
        item, name, value = res.change
        done = res.changed.progress.executed
        reasons = sorted({line.split(None, 2)[2] for line in res.change_explain.splitlines()
                          if line.startswith("run ") and len(line.split(None, 2)) == 3})
        lines += [f"(c) one review row ({item} {name} -> {value}): {res.changed.seconds:.1f} s, "
                  f"executed {len(done)} of {res.cases}: {', '.join(done) or 'none'}",
                  f"    why (--explain): {'; '.join(reasons) or 'nothing to run'}"]
    return lines


def _format_d(res: BenchResults) -> list[str]:
    if not res.ingest:
        return []
    first = res.ingest[0]
    lines = [f"(d) SYNTHETIC corpus: {first.files} issues, {first.items} items, "
             f"{first.provinces} provinces (generated in {res.generate_seconds:.1f} s)"]
    for jobs in dict.fromkeys(run.jobs for run in res.ingest):
        runs = [run for run in res.ingest if run.jobs == jobs]
        rate = median([run.rate for run in runs])
        rates = ", ".join(f"{run.rate:,.0f}" for run in runs)
        target = f"; target >= 5,000: {verdict(rate, 5000)}" if jobs == first.jobs else ""
        cpu = median([run.cpu_rate for run in runs])
        lines.append(f"    ingest + code, jobs={jobs}: {rate:,.0f} items/s "
                     f"(runs {rates}; {cpu:,.0f} items per CPU-second){target}")
    peak = max(res.ingest, key=lambda run: run.peak_bound_mib)
    lines.append(
        f"    peak memory (getrusage ru_maxrss, jobs={peak.jobs}): parent "
        f"{peak.maxrss_self_kib / 1024:.0f} MiB, largest worker "
        f"{peak.maxrss_child_kib / 1024:.0f} MiB; parent + {peak.jobs} x worker = "
        f"{peak.peak_bound_mib:.0f} MiB; target < 1 GiB: "
        f"{verdict(peak.peak_bound_mib, 1024, at_least=False)}")
    if res.corpus_run is not None:
        progress = res.corpus_run.progress
        lines.append(f"    notebook run, {len(progress.executed)} cases (python -m analysis run,"
                     f" includes re-coding the corpus with one process): "
                     f"{res.corpus_run.seconds:.1f} s")
    return lines


# --------------------------------------------------------------------------- measuring

def code_env(root: Path, code: Path | None = None) -> dict[str, str]:
    """The environment of a command in project ``root``, importing ``analysis`` from the
    checkout ``code`` when given (put before the editable install on ``sys.path``)."""
    if code is None:
        return project_env(root)
    return project_env(root, PYTHONPATH=os.pathsep.join(
        filter(None, [str(code), os.environ.get("PYTHONPATH")])))


def run_cli(root: Path, *args: str, timeout: float = 3600, code: Path | None = None
            ) -> CliRun:
    """``python -m analysis ARGS`` in the project ``root``, timed (``code``: see
    :func:`code_env`)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=root,
                          env=code_env(root, code), capture_output=True, text=True,
                          timeout=timeout)
    seconds = time.perf_counter() - start
    return CliRun(seconds, proc.returncode, proc.stdout, proc.stderr,
                  parse_progress(proc.stderr))


def papermill_loop(root: Path, out_root: Path, code: Path | None = None) -> float:
    """Execute every case of ``root``'s manifest with one ``papermill`` command after another
    (same template and parameters, each in its own folder under ``out_root``); seconds."""
    cases = json.loads((root / "_build" / "manifest.json").read_text(encoding="utf-8"))["cases"]
    papermill = Path(sys.executable).with_name("papermill")
    start = time.perf_counter()
    for name, entry in cases.items():
        out_dir = out_root / name
        out_dir.mkdir(parents=True, exist_ok=True)
        template = root / entry["template"]
        subprocess.run([str(papermill), str(template), str(out_dir / template.name),
                        "-y", json.dumps(entry["parameters"], ensure_ascii=False),
                        "--cwd", str(out_dir), "-k", "python3", "--no-progress-bar"],
                       env=code_env(root, code), capture_output=True, text=True, check=True)
    return time.perf_counter() - start


CHAPTER_EDIT = "\nThis sentence was added by the bench to change one hand-written chapter.\n"


def report_bench(work: Path, code: Path | None = None, chapter: bool = True) -> ReportBench:
    """(e) in a project copied from ``code`` (default: this checkout) under ``work``."""
    from devtools.project import CHECKOUT

    source = Path(code).resolve() if code is not None else CHECKOUT
    root = copy_project(work / "report", source)
    rep = ReportBench(code=_describe(source))
    _say("(e) whole report: cold ...")
    rep.cold = _checked(run_cli(root, "report", code=code))
    _say("    nothing changed ...")
    rep.nochange = [_checked(run_cli(root, "report", code=code)) for _ in range(2)]
    if chapter:
        _say("    one hand-written chapter changed ...")
        with (root / "book" / "methods.md").open("a", encoding="utf-8") as handle:
            handle.write(CHAPTER_EDIT)
        rep.chapter = _checked(run_cli(root, "report", code=code))
    _say("    runner against the papermill loop ...")
    forced = _checked(run_cli(root, "run", "--force", code=code))
    rep.cases = len(forced.progress.executed)
    rep.runner.append(forced.seconds)
    rep.papermill.append(papermill_loop(root, work / "report-papermill", code))
    rep.runner.append(_checked(run_cli(root, "run", "--force", code=code)).seconds)
    return rep


def _describe(checkout: Path) -> str:
    """``<checkout> @ <commit>`` (``-dirty`` with uncommitted changes) when it is a git work
    tree, else the folder."""
    try:
        head = subprocess.run(["git", "-C", str(checkout), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(checkout)
    return f"{checkout} @ {head}"


def one_item_change(items_csv: Path) -> tuple[str, str, str]:
    """A review row ``(item_id, "domains", value)`` changing the coding of the first item whose
    domains are not overruled yet."""
    import pandas as pd

    items = pd.read_csv(items_csv, dtype=str, keep_default_na=False)
    for row in items.itertuples():
        if "domains" not in row.overridden.split(";"):
            return row.item_id, "domains", "industrial" if row.domains == "other" else "other"
    raise ValueError(f"{items_csv}: every item's domains are already overruled")


def append_review_row(review_csv: Path, row: tuple[str, str, str], reason: str) -> None:
    """Append one row to a review file (CSV-quoted)."""
    import csv

    text = review_csv.read_text(encoding="utf-8")
    with review_csv.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        csv.writer(handle, lineterminator="\n").writerow([*row, reason])


def ingest_child(corpus: Path, jobs: int) -> IngestRun:
    """Code every bulletin in ``corpus`` in a fresh process (so its peak memory is its own)."""
    proc = subprocess.run([sys.executable, "-m", "devtools.bench", "ingest", str(corpus),
                           str(jobs)], env=project_env(corpus.parent.parent), capture_output=True,
                          text=True, check=True)
    return IngestRun(**json.loads(proc.stdout))


def _ingest(corpus: Path, jobs: int) -> None:
    """Child side of :func:`ingest_child`: print an :class:`IngestRun` as JSON."""
    from analysis.dataset.build import Pipeline, raw_bulletins

    files = raw_bulletins(corpus)
    pipeline = Pipeline()
    start = time.perf_counter()
    cpu_start = _cpu_seconds()
    tables = pipeline.code_files(files, jobs=jobs)
    seconds = time.perf_counter() - start
    cpu_seconds = _cpu_seconds() - cpu_start
    print(json.dumps({
        "jobs": jobs, "files": len(files), "items": len(tables.items), "seconds": seconds,
        "provinces": len({p for v in tables.items["provinces"] for p in str(v).split(";") if p}),
        "maxrss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "maxrss_child_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "cpu_seconds": cpu_seconds,
    }))


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the pool's workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def bench(issues: int = 1000, corpus_run: bool = True, keep: bool = False,
          only_report: bool = False, code: Path | None = None) -> BenchResults:
    """Run (e), then (a)-(d) (unless ``only_report``) in a temporary folder; return the
    measurements."""
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    res = BenchResults(cpus=os.cpu_count() or 1, workdir=str(work), load=[os.getloadavg()[0]])
    try:
        res.report = report_bench(work, code)
        if only_report:
            return res
        seed = copy_project(work / "seed")
        _say(f"bench: temporary projects in {work}")
        _say("(a) cold builds: runner, papermill loop, runner ...")
        res.runner.append(_checked(run_cli(seed, "run", "--force")))
        res.papermill.append(papermill_loop(seed, work / "papermill"))
        res.runner.append(_checked(run_cli(seed, "run", "--force")))
        res.cases = len(res.runner[-1].progress.executed)
        _say("(b) rebuilds with nothing changed ...")
        res.nochange = [_checked(run_cli(seed, "run")) for _ in range(3)]
        _say("(c) one review row ...")
        res.change = one_item_change(seed / "data" / "processed" / "items.csv")
        append_review_row(seed / "data" / "review.csv", res.change, "bench: one changed coding")
        res.change_explain = run_cli(seed, "run", "--explain").stdout
        res.changed = _checked(run_cli(seed, "run"))
        _say(f"(d) synthetic corpus of {issues} issues ...")
        _corpus(work / "corpus", issues, res, corpus_run)
    finally:
        res.load.append(os.getloadavg()[0])
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return res


def _corpus(root: Path, issues: int, res: BenchResults, corpus_run: bool) -> None:
    from analysis.coding.codebook import load_codebook
    from analysis.dataset.build import raw_bulletins
    from devtools.synthetic import generate_corpus

    copy_project(root, raw=False)
    raw = root / "data" / "raw"
    seed_text = raw_bulletins(paths.RAW)[0].read_text(encoding="utf-8")
    start = time.perf_counter()
    generate_corpus(seed_text, load_codebook(), raw, n_issues=issues)
    res.generate_seconds = time.perf_counter() - start
    cpus = res.cpus
    for jobs in (cpus, 1, cpus) if cpus > 1 else (1, 1):
        res.ingest.append(ingest_child(raw, jobs))
    if corpus_run:
        _say("    notebook run over the corpus ...")
        res.corpus_run = _checked(run_cli(root, "run"))


def _checked(run: CliRun) -> CliRun:
    if run.returncode != 0:
        raise RuntimeError(f"python -m analysis failed (exit {run.returncode}):\n"
                           f"{run.stderr[-2000:]}")
    return run


def main(issues: int = 1000, corpus_run: bool = True, keep: bool = False,
         only_report: bool = False, code: Path | None = None,
         scale: tuple[int, ...] = ()) -> int:
    """Run the bench (and the report at the ``scale`` sizes) and print the results; exit
    status 0 unless a build failed."""
    results = bench(issues, corpus_run, keep, only_report, code)
    print(format_results(results))
    if scale:
        from devtools import scale as report_scale

        return report_scale.main(list(scale), keep)
    return 0


def cli(argv: list[str] | None = None) -> int:
    """``python -m devtools.bench [report] [--code DIR] [--issues N] [--no-corpus-run]
    [--keep]``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m devtools.bench",
        description="Measure, in temporary project copies: the runner against a papermill "
                    "loop, a no-change and a one-item rebuild, and ingest throughput, memory "
                    "and the notebook run on a SYNTHETIC corpus. Prints numbers and ratios; "
                    "asserts nothing.")
    parser.add_argument("--issues", type=int, default=1000,
                        help="synthetic issues to generate (24 items each; default 1000)")
    parser.add_argument("--no-corpus-run", action="store_true",
                        help="skip the notebook run over the synthetic corpus (the slowest part)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    parser.add_argument("part", nargs="?", choices=["all", "report"], default="all",
                        help="report: only (e), the whole report's builds (default: all)")
    parser.add_argument("--code", type=Path,
                        help="measure the analysis package and project inputs of this "
                             "checkout (e.g. an export of an earlier commit) instead")
    parser.add_argument("--scale", default="12,120,1000",
                        help="issue counts of the whole-report runs on synthetic corpora "
                             "(comma-separated; '' skips them; default 12,120,1000)")
    args = parser.parse_args(argv)
    try:
        scale = tuple(int(n) for n in args.scale.split(",") if n.strip())
    except ValueError:
        parser.error(f"--scale: expected issue counts such as 12,120, got {args.scale!r}")
    if args.issues < 1:
        parser.error(f"--issues must be at least 1, got {args.issues}")
    if args.code is not None and not (args.code / "analysis" / "__init__.py").is_file():
        parser.error(f"--code {args.code}: no analysis package there")
    return main(args.issues, corpus_run=not args.no_corpus_run, keep=args.keep,
                only_report=args.part == "report", code=args.code,
                scale=() if args.part == "report" else scale)


if __name__ == "__main__":
    if sys.argv[1:2] == ["ingest"]:
        _ingest(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(cli())
