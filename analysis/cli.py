"""Command line: ``python -m analysis COMMAND ...`` (see ``--help``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.common.atomic import atomic_open
from analysis.common.errors import InputError

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


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    argv = sys.argv[1:] if argv is None else argv
    wants_help = "notebook" in argv and ("-h" in argv or "--help" in argv)
    p = argparse.ArgumentParser(prog="python -m analysis",
                                description="Chinese policy bulletins: ingest, code, analyse.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in (("items", "coded items of one bulletin as CSV"),
                            ("figures", "figures of one bulletin as CSV")):
        s = sub.add_parser(name, help=help_text, description=help_text)
        s.add_argument("bulletin", type=Path, help="bulletin text file (any path)")
        s.add_argument("--out", type=Path, help="output CSV (default: stdout)")
        s.add_argument("--encoding", help="file encoding (default: detect UTF-8 / GB18030)")
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
    rep.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help=argparse.SUPPRESS)
    run = sub.add_parser("run", help="execute the comparison and region notebooks (cached)",
                         description="Code the bulletins, then execute the comparison notebook "
                         "and one region notebook per province, in parallel, re-executing only "
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
    nb = sub.add_parser(
        "notebook", help="execute a notebook template (region | comparison) with parameters",
        description="Validate the parameters against the data, then execute the template "
                    "with papermill into OUT (written atomically). Bad parameters exit 2 "
                    "before any kernel starts.",
        epilog=_parameters_epilog() if wants_help else None,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    nb.add_argument("template", help="region, comparison, or the path of a template .ipynb")
    nb.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"),
                    help="a parameter; VALUE is YAML, e.g. -p region 江苏 "
                         "-p domains '[\"ftz\"]' -p peers null")
    nb.add_argument("-o", "--out", type=Path, required=True, help="output notebook (.ipynb)")
    nb.add_argument("--html", type=Path, metavar="OUT.html",
                    help="also write the executed notebook as one self-contained HTML page "
                         "(figures and font embedded, citations as [2020-09 #6 p.5–6])")
    nb.add_argument("--kernel", default="python3", help="kernel spec name (default: python3)")
    nb.add_argument("--timeout", type=float, default=None,
                    help="seconds per cell before the run fails (default: no limit)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (one line on stderr for bad input)."""
    args = parser(argv).parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0


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

    tables = Pipeline().code_file(args.bulletin, args.encoding)
    _write_csv(tables.items, args.out)
    return 0


@command("figures")
def _figures(args: argparse.Namespace) -> int:
    from analysis.dataset.build import Pipeline

    tables = Pipeline().code_file(args.bulletin, args.encoding)
    _write_csv(tables.figures, args.out)
    return 0


@command("build")
def _build(args: argparse.Namespace) -> int:
    from analysis.dataset.build import build

    written = build()
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


@command("report")
def _report(args: argparse.Namespace) -> int:
    from analysis.report import build_report

    if args.parameter:
        raise InputError(f"report -p {args.parameter[0][0]}", "the report runs the declared "
                         "cases only; declare a variant (template, parameters, title, question) "
                         "in data/scenarios.yml to add it to the book as a scenario chapter, or "
                         "run it alone with `python -m analysis notebook`")
    return build_report(jobs=args.jobs, force=args.force, pdf=not args.no_pdf).returncode


@command("notebook")
def _notebook(args: argparse.Namespace) -> int:
    from analysis.run.notebook import NotebookFailed, execute_template, parse_parameters

    parameters = parse_parameters(args.parameter)
    if args.html is not None and (args.html.suffix != ".html" or args.html.is_dir()):
        raise InputError(args.html, "the --html page name must end in .html")
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

    result = run_notebooks(regions=args.regions, params=parse_parameters(args.parameter),
                           jobs=args.jobs, force=args.force, executor=args.executor,
                           scheduler=args.scheduler, explain_only=args.explain)
    return result.returncode


@command("agreement")
def _agreement(args: argparse.Namespace) -> int:
    from analysis.dataset.agreement import agreement_report
    from analysis.dataset.build import measure_agreement

    print(agreement_report(measure_agreement()))
    return 0
