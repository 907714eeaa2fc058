"""The report at scale: the whole report on synthetic corpora of 12, 120 and 1,000 issues.

Each size runs in its own temporary project (``--allow-synthetic``: the corpora are labelled
synthetic and never reach the real report) as three timed commands, so each step is measured on
its own: ``build`` (data), ``run`` (notebooks), then ``report`` (which finds both up to date and
builds the HTML, and the PDF up to :data:`PDF_UP_TO` issues). Peak memory is the largest
resident set of any process of the step (``getrusage`` of the finished children, per step in a
fresh child), not a sum over parallel kernels. ``python -m devtools.scale 12 120 [--keep]``
runs sizes on their own (``--keep`` leaves the projects in the temporary folder).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from devtools.project import CHECKOUT, copy_project, project_env

__all__ = ["PDF_UP_TO", "SIZES", "ScaleRun", "format_scale", "scale_run"]

SIZES = (12, 120, 1000)
#: Largest corpus whose report also builds the PDF (1,000 issues: HTML only, as targeted).
PDF_UP_TO = 120


@dataclass
class ScaleRun:
    """One corpus size: seconds and peak memory (MiB) per step, pages, or the error."""

    issues: int
    items: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    peak_mib: dict[str, float] = field(default_factory=dict)
    pages: int | None = None
    html_pages: int = 0
    error: str = ""


def _step(root: Path, *args: str, timeout: float) -> tuple[float, float, str]:
    """Run ``python -m analysis ARGS`` in a child that reports its children's peak RSS."""
    code = ("import resource, subprocess, sys, json, time\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run([sys.executable, '-m', 'analysis', *sys.argv[1:]],"
            " capture_output=True, text=True)\n"
            "print(json.dumps({'rc': p.returncode, 's': time.perf_counter() - t,"
            " 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
            " 'out': p.stdout[-3000:], 'err': p.stderr[-3000:]}))")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=CHECKOUT,
                          env=project_env(root), capture_output=True, text=True,
                          timeout=timeout, check=True)
    res = json.loads(proc.stdout)
    if res["rc"] != 0:
        raise RuntimeError(f"{' '.join(args)} failed (exit {res['rc']}): {res['err'][-500:]}")
    return res["s"], res["rss"] / 1024, res["out"]


def scale_run(issues: int, work: Path, timeout: float = 7200) -> ScaleRun:
    """The report on ``issues`` synthetic issues in ``work``; errors are recorded, not raised."""
    from analysis.coding.codebook import load_codebook
    from devtools.synthetic import generate_corpus

    run = ScaleRun(issues)
    root = copy_project(work / f"issues-{issues}", raw=False)
    seed = next((CHECKOUT / "tests" / "fixtures" / "raw").glob("*.txt"))
    generate_corpus(seed.read_text(encoding="utf-8"), load_codebook(), root / "data" / "raw",
                    n_issues=issues, first_month="2000-01")
    report = ["report", "--allow-synthetic"] + ([] if issues <= PDF_UP_TO else ["--no-pdf"])
    try:
        for step, args in (("data", ["build"]), ("notebooks", ["run"]), ("book", report)):
            seconds, peak, out = _step(root, *args, timeout=timeout)
            run.seconds[step], run.peak_mib[step] = seconds, peak
            if step == "book":
                _book_times(run, out)
        import pandas as pd  # a body holds line breaks: count CSV rows, not lines

        run.items = len(pd.read_csv(root / "data" / "processed" / "items.csv", usecols=[0]))
        run.html_pages = len(list((root / "_build" / "html").rglob("*.html")))
    except (RuntimeError, subprocess.SubprocessError) as err:
        run.error = _error_line(str(err))
    return run


def _error_line(text: str) -> str:
    """The command's own one-line error (``error: ...``), else the last line of ``text``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found = [line for line in lines if line.startswith("error:")]
    return ((found or lines or [""])[-1])[:300]


def _book_times(run: ScaleRun, out: str) -> None:
    """HTML and PDF seconds and the page count, as the report prints them."""
    html = re.search(r"HTML: .*built in ([\d.]+) s", out)
    pdf = re.search(r"PDF: .*\((\d+) pages, built in ([\d.]+) s", out)
    if html:
        run.seconds["html"] = float(html.group(1))
    if pdf:
        run.pages, run.seconds["pdf"] = int(pdf.group(1)), float(pdf.group(2))


def format_scale(runs: list[ScaleRun]) -> str:
    """A table of the runs with the issue's targets (120 issues: < 5 min and < 2 GiB for HTML
    and PDF; 1,000 issues: HTML in < 15 min)."""
    lines = ["(f) the report at scale (synthetic corpora, --allow-synthetic):",
             f"    {'issues':>6} {'items':>6} {'data':>7} {'notebooks':>9} {'html':>7} "
             f"{'pdf':>7} {'total':>7} {'pages':>5} {'peak MiB':>8}  target"]
    for r in runs:
        if r.error:
            lines.append(f"    {r.issues:>6} failed: {r.error}")
            continue
        total = r.seconds.get("data", 0) + r.seconds.get("notebooks", 0) + r.seconds.get(
            "book", 0)
        peak = max(r.peak_mib.values(), default=0)
        target = ""
        if r.issues == 120:
            ok = total < 300 and peak < 2048
            target = f"< 300 s and < 2048 MiB: {'met' if ok else 'MISSED'}"
        elif r.issues == 1000:
            html = total - r.seconds.get("pdf", 0)
            target = f"HTML < 900 s: {'met' if html < 900 else 'MISSED'}"
        lines.append(f"    {r.issues:>6} {r.items:>6} {r.seconds.get('data', 0):7.1f} "
                     f"{r.seconds.get('notebooks', 0):9.1f} {r.seconds.get('html', 0):7.1f} "
                     f"{r.seconds.get('pdf', float('nan')):7.1f} {total:7.1f} "
                     f"{r.pages if r.pages is not None else '-':>5} {peak:8.0f}  {target}")
    return "\n".join(lines)


def main(sizes: list[int], keep: bool = False) -> int:
    """Run the sizes one after another and print the table."""
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    runs = []
    try:
        for n in sizes:
            print(f"scale: {n} issues ...", file=sys.stderr, flush=True)
            runs.append(scale_run(n, work))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print(format_scale(runs))
    return 1 if any(r.error for r in runs) else 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devtools.scale",
                                     description="The whole report on synthetic corpora.")
    parser.add_argument("sizes", nargs="*", type=int, metavar="ISSUES",
                        help=f"corpus sizes in issues (default: {' '.join(map(str, SIZES))})")
    parser.add_argument("--keep", action="store_true",
                        help="keep the projects in the temporary folder")
    args = parser.parse_args()
    sys.exit(main(args.sizes or list(SIZES), keep=args.keep))
