"""The package's layout: stages import only earlier stages, no import cycles (also through
imports inside functions), and the trees in the package docstring and the README list exactly
the modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

import analysis
from analysis.common.digest import imported_modules

from conftest import ROOT

PACKAGE = ROOT / "analysis"
#: The stages in the order the data flows; a module may import its own stage and earlier ones.
STAGES = ("common", "ingest", "coding", "dataset", "compare", "views", "run", "book")
TOP = {"analysis": -1, "analysis.report": len(STAGES), "analysis.cli": len(STAGES) + 1,
       "analysis.__main__": len(STAGES) + 2}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def rank(module: str) -> int:
    if module in TOP:
        return TOP[module]
    return STAGES.index(module.split(".")[1])


def imports() -> dict[str, set[str]]:
    found = {}
    for name, path in modules().items():
        deps = imported_modules(path.read_text(encoding="utf-8"), name,
                                path.name == "__init__.py")
        found[name] = {d for d in deps if d != name}
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for name in modules():
        assert name in TOP or name.split(".")[1] in STAGES, name


def test_no_stage_imports_a_later_one() -> None:
    wrong = [(m, d) for m, deps in imports().items() for d in deps
             if d != "analysis" and rank(d) > rank(m)]
    assert wrong == []


def test_the_layering_check_sees_imports_inside_functions() -> None:
    source = "def f():\n    from analysis.book import pages\n"
    assert imported_modules(source, "analysis.dataset.build") == {"analysis.book",
                                                                  "analysis.book.pages"}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    # A package's __init__ that re-exports its modules is not a cycle: leave out the edges
    # from a module to the packages that contain it.
    graph = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in imports().items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _tree(text: str) -> dict[str, set[str]]:
    """``{subpackage: modules}`` from a tree whose entries read ``  name/  what: mod, mod``,
    continued on more deeply indented lines."""
    tree: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        entry = re.match(r"^([ \t]+)(\w+)/[ \t]+(.*)$", line)
        if entry:
            current, indent = entry[2], len(entry[1])
            tree[current] = entry[3]
        elif current and line.strip() and len(line) - len(line.lstrip()) > indent:
            tree[current] += " " + line.strip()
        else:
            current = None
    return {name: {m.strip() for m in text.rsplit(":", 1)[1].split(",")}
            for name, text in tree.items()}


def _real_tree() -> dict[str, set[str]]:
    return {stage: {p.stem for p in (PACKAGE / stage).glob("*.py") if p.stem != "__init__"}
            for stage in STAGES}


def test_package_docstring_shows_the_real_tree() -> None:
    assert _tree(analysis.__doc__ or "") == _real_tree()


def test_readme_architecture_shows_the_real_tree() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1]
    assert _tree(section.split("```", 2)[1]) == _real_tree()
