"""Command line: ``python -m analysis COMMAND ...`` (see ``--help``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from analysis.common import paths
from analysis.common.atomic import atomic_open
from analysis.common.errors import InputError
from analysis.common.lock import project_lock
from analysis.common.outputs import check_output

if TYPE_CHECKING:
    import pandas as pd

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable:
    """Register a subcommand handler."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = func
        return func

    return register


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1 (argparse reports anything else)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parameters_epilog() -> str:
    """The templates' parameters, from their models (imported only for ``notebook --help``)."""
    from analysis.views.params import MODELS, parameter_help

    return "\n\n".join(f"parameters of {name}:\n{parameter_help(name)}" for name in MODELS)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f"; see `{self.prog} --help`"
        self.exit(2, f"error: {' '.join(message.split())}{hint}\n")


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    argv = sys.argv[1:] if argv is None else argv
    wants_help = "notebook" in argv and ("-h" in argv or "--help" in argv)
    p = OneLineParser(prog="python -m analysis",
                      description="Chinese policy bulletins: ingest, code, analyse.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in (("items", "coded items of one bulletin as CSV"),
                            ("figures", "figures of one bulletin as CSV")):
        s = sub.add_parser(name, help=help_text, description=help_text)
        s.add_argument("bulletin", type=Path, help="bulletin file: .txt, .pdf or .docx")
        s.add_argument("--out", type=Path, help="output CSV (default: stdout)")
        s.add_argument("--encoding", help="file encoding (default: detect UTF-8 / GB18030)")
    chk = sub.add_parser("check", help="how a bulletin was read: sections, items, front "
                         "matter, unassigned text", description="Print (or write as HTML) how "
                         "the bulletin was segmented. Exit status 1 when text is unassigned "
                         "and its sidecar does not accept it.")
    chk.add_argument("bulletin", type=Path, help="bulletin file: .txt, .pdf or .docx")
    chk.add_argument("--html", type=Path, metavar="OUT", help="write the preview as HTML")
    chk.add_argument("--text", type=Path, metavar="OUT",
                     help="write the text the offsets index (a PDF/Word file's rendering)")
    chk.add_argument("--encoding", help="file encoding (default: detect UTF-8 / GB18030)")
    add = sub.add_parser("add", help="add a bulletin to data/raw/ with its sidecar",
                         description="Read and check the file, copy it into data/raw/ with a "
                         "sidecar (sha256, issue_date, reviewed: false) and print the check's "
                         "summary. Exit status 1 when text is unassigned.")
    add.add_argument("bulletin", type=Path, help="bulletin file: .txt, .pdf or .docx")
    add.add_argument("--issue-date", required=True, metavar="YYYY-MM", help="month of the issue")
    add.add_argument("--id", dest="bulletin_id", help="bulletin id (default: the file name stem)")
    add.add_argument("--encoding", help="file encoding (default: detect UTF-8 / GB18030)")
    sub.add_parser("build", help="code every bulletin in data/raw/ into data/processed/")
    rep = sub.add_parser("report", help="the whole report: data, notebooks, HTML and PDF book",
                         description="Code the bulletins, execute the notebooks (cached), "
                         "generate the book's pages, build the HTML and PDF book and print "
                         "where everything is. Exit status 1 if a notebook case failed (the "
                         "book is still built, with placeholder chapters) or the book build "
                         "failed.")
    rep.add_argument("--jobs", type=positive_int, help="parallel kernels (default: CPU count)")
    rep.add_argument("--force", action="store_true", help="execute every notebook case")
    rep.add_argument("--no-pdf", action="store_true", help="build the HTML book only")
    rep.add_argument("--allow-synthetic", action="store_true",
                     help="build from synthetic bulletins (sidecar synthetic: true); every page "
                          "then carries a 'Synthetic data' banner")
    rep.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help=argparse.SUPPRESS)
    run = sub.add_parser("run", help="execute the report's notebooks (cached)",
                         description="Code the bulletins, then execute the comparison and "
                         "over-time notebooks, one region notebook per province and the "
                         "scenarios of data/scenarios.yml, in parallel, re-executing only "
                         "cases whose inputs changed.")
    run.add_argument("--regions", nargs="+", metavar="PROVINCE",
                     help="provinces to run (default: every province in the data)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="notebook parameter (YAML value)")
    run.add_argument("--jobs", type=positive_int, help="parallel kernels (default: CPU count)")
    run.add_argument("--force", action="store_true", help="execute every case")
    run.add_argument("--executor", choices=("local", "dask"), default="local")
    run.add_argument("--scheduler", help="dask scheduler address (default: a local cluster)")
    run.add_argument("--explain", action="store_true",
                     help="say why each case will or won't run; execute nothing")
    sub.add_parser("agreement", help="automatic coder versus reviewed coding, per field")
    rq = sub.add_parser("review-queue", help="the weakest automatic codes first, as rows to "
                        "paste into data/review.csv",
                        description="Builds the data if needed, then lists each item's "
                        "reviewable codes not yet overruled, lowest confidence first, with "
                        "their evidence, in the review file's format.")
    rq.add_argument("--limit", type=positive_int, default=25,
                    help="rows to list (default: 25)")
    rq.add_argument("--all", action="store_true", help="list every code")
    rq.add_argument("--out", type=Path, help="output CSV (default: stdout)")
    nb = sub.add_parser(
        "notebook", help="execute a notebook template (region | comparison | over_time) with "
        "parameters",
        description="Validate the parameters against the data, then execute the template "
                    "with papermill into OUT (written atomically). Bad parameters exit 2 "
                    "before any kernel starts.",
        epilog=_parameters_epilog() if wants_help else None,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    nb.add_argument("template", help="region, comparison, over_time, or the path of a "
                    "template .ipynb")
    nb.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"),
                    help="a parameter; VALUE is YAML, e.g. -p region 江苏 "
                         "-p domains '[\"ftz\"]' -p peers null")
    nb.add_argument("-o", "--out", type=Path, required=True, help="output notebook (.ipynb)")
    nb.add_argument("--html", type=Path, metavar="OUT.html",
                    help="also write the executed notebook as one self-contained HTML page "
                         "(figures and font embedded, citations as [2020-09 #6 p.5–6])")
    nb.add_argument("--kernel", default="python3", help="kernel spec name (default: python3)")
    nb.add_argument("--timeout", type=positive_int, default=None,
                    help="whole seconds per cell before the run fails (default: no limit)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (one line on stderr for bad input)."""
    args = parser(argv).parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the system refused (disk full, permissions): data are intact
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that would replace an input, before any work."""
    if args.out is not None:
        check_output(args.out, "--out", [args.bulletin])


def _write_csv(frame: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    if out.is_dir():
        raise InputError(out, "is a directory, expected a file name for --out")
    try:
        with atomic_open(out) as handle:
            frame.to_csv(handle, index=False, lineterminator="\n")
    except OSError as err:
        raise InputError(out, f"cannot write: {err.strerror}") from err


@command("items")
def _items(args: argparse.Namespace) -> int:
    from analysis.dataset.build import Pipeline

    _check_out(args)
    tables = Pipeline().code_file(args.bulletin, args.encoding)
    _write_csv(tables.items, args.out)
    return _report_accounts(tables)


def _report_accounts(tables) -> int:
    """The one-line summary of each bulletin on stderr; 1 when text is unassigned and not
    accepted by the sidecar."""
    status = 0
    for account in tables.accounts:
        print(f"{account.file}: {account.summary}", file=sys.stderr)
        if not account.accepted:
            print(f"error: {account.file}: {account.problem()}", file=sys.stderr)
            status = 1
    return status


@command("figures")
def _figures(args: argparse.Namespace) -> int:
    from analysis.dataset.build import Pipeline

    _check_out(args)
    tables = Pipeline().code_file(args.bulletin, args.encoding)
    _write_csv(tables.figures, args.out)
    return _report_accounts(tables)


@command("build")
def _build(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.dataset.build import build
    from analysis.ingest.parse import summary_line

    with project_lock(paths.ROOT, "build"):
        written = build()
    for name, path in written.items():
        print(f"{name}: {path}")
    for row in pd.read_csv(written["bulletins"]).itertuples():
        pages = None if pd.isna(row.n_pages) else int(row.n_pages)
        print(f"{row.file}: {summary_line(row.n_items, pages, row.unassigned_chars)}")
    return 0


@command("check")
def _check(args: argparse.Namespace) -> int:
    from analysis.coding.vocab import vocabulary
    from analysis.common.atomic import write_text
    from analysis.dataset.build import account_of, identify
    from analysis.ingest.document import read_document
    from analysis.ingest.preview import preview_html, preview_text

    document = read_document(args.bulletin, args.encoding)
    _, meta = identify(document)
    parsed = document.parse(tuple(vocabulary().sections))
    name = str(args.bulletin)
    if args.text:
        write_text(args.text, document.text)
    if args.html:
        check_output(args.html, "--html", [args.bulletin])
        write_text(args.html, preview_html(parsed, name))
        print(f"{args.html}: {parsed.summary()}")
    else:
        print(preview_text(parsed, name), end="")
    account = account_of(args.bulletin, parsed, meta)
    if not account.accepted:
        print(f"error: {account.file}: {account.problem()}", file=sys.stderr)
        return 1
    return 0


@command("add")
def _add(args: argparse.Namespace) -> int:
    from analysis.coding.vocab import vocabulary
    from analysis.dataset.add import add_bulletin

    added = add_bulletin(args.bulletin, args.issue_date, args.bulletin_id,
                         tuple(vocabulary().sections), encoding=args.encoding)
    print(f"added {added.raw} with sidecar {added.sidecar} (reviewed: false)")
    print(f"{added.raw}: {added.parsed.summary()}")
    if added.parsed.unassigned:
        numbers = [line.number for line in added.parsed.unassigned]
        print(f"error: {added.raw}: text unassigned on lines {numbers}; see `python -m "
              f"analysis check {added.raw}`; the build fails until the file is fixed or its "
              "sidecar accepts them (accept_unassigned)", file=sys.stderr)
        return 1
    return 0


@command("report")
def _report(args: argparse.Namespace) -> int:
    from analysis.report import build_report

    if args.parameter:
        raise InputError(f"report -p {args.parameter[0][0]}", "the report runs the declared "
                         "cases only; declare a variant (template, parameters, title, question) "
                         "in data/scenarios.yml to add it to the book as a scenario chapter, or "
                         "run it alone with `python -m analysis notebook`")
    with project_lock(paths.ROOT, "report"):
        return build_report(jobs=args.jobs, force=args.force, pdf=not args.no_pdf,
                            allow_synthetic=args.allow_synthetic).returncode


@command("notebook")
def _notebook(args: argparse.Namespace) -> int:
    from analysis.run.notebook import NotebookFailed, execute_template, parse_parameters

    check_output(args.out, "-o")
    parameters = parse_parameters(args.parameter)
    if args.html is not None:
        if args.html.suffix != ".html" or args.html.is_dir():
            raise InputError(args.html, "the --html page name must end in .html")
        check_output(args.html, "--html")
    try:
        run = execute_template(args.template, parameters, args.out, kernel_name=args.kernel,
                               timeout=args.timeout)
    except NotebookFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{run.output} ({run.seconds:.1f} s; figures in {run.params.output_dir})")
    if args.html is not None:
        from analysis.run.nbhtml import write_notebook_html

        print(f"{write_notebook_html(run.output, args.html)} (self-contained page)")
    return 0


@command("run")
def _run(args: argparse.Namespace) -> int:
    from analysis.run.fanout import run_notebooks
    from analysis.run.notebook import parse_parameters

    with project_lock(paths.ROOT, "run"):
        result = run_notebooks(regions=args.regions, params=parse_parameters(args.parameter),
                               jobs=args.jobs, force=args.force, executor=args.executor,
                               scheduler=args.scheduler, explain_only=args.explain)
    return result.returncode


@command("review-queue")
def _review_queue(args: argparse.Namespace) -> int:
    from analysis.dataset.build import build
    from analysis.dataset.queue import as_review_csv, review_queue
    from analysis.dataset.tables import read_table

    written = build()
    queue = review_queue(read_table("items", written["items"]),
                         read_table("evidence", written["evidence"]),
                         None if args.all else args.limit)
    text = as_review_csv(queue)
    if args.out is None:
        sys.stdout.write(text)
    else:
        with atomic_open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


@command("agreement")
def _agreement(args: argparse.Namespace) -> int:
    from analysis.dataset.agreement import agreement_report
    from analysis.dataset.build import measure_agreement

    print(agreement_report(measure_agreement()))
    return 0
