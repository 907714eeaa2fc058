"""The report's case matrix: the comparison and over-time notebooks once, the region notebook
per province.

Executed notebooks go where the book reads them, each case in its own folder:
``book/comparison/comparison.ipynb``, ``book/over_time/over_time.ipynb``,
``book/regions/<slug>/region.ipynb`` and, for each scenario of ``data/scenarios.yml``
(:mod:`analysis.run.scenarios`), ``book/scenarios/<name>/<template>.ipynb`` (figures and
their CSVs beside each).

Parameters given on the command line (``-p NAME VALUE``) go to every template that declares
them; one that no template declares is an error. A ``region`` parameter picks the region case
it runs (``-p region 山东`` runs ``region/shandong`` only); one that disagrees with
``--regions`` is an error, so no case is ever written into another case's folder. Scenarios
are part of the report's matrix: planned unless the run is narrowed to some regions; command
line parameters never reach them (a scenario's parameters are its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.run.plan import check_unique
from analysis.run.runner import Case, plan_cases
from analysis.run.scenarios import Scenario, load_scenarios
from analysis.views.params import DataInfo, glue_slug, parameter_names, validate_params

TEMPLATE_NAMES = ("comparison", "over_time", "region")
#: Files every notebook reads: their contents are part of each case's cache key.
DATA_FILES = (paths.ITEMS_CSV, paths.FIGURES_CSV, paths.BULLETINS_CSV, paths.INDEX_WEIGHTS,
              paths.CODEBOOK)
#: Imports paid once per warm kernel rather than once per notebook.
WARMUP = "import pandas, matplotlib.pyplot, statsmodels.api, analysis.views, analysis.views.plots"


def template(name: str) -> Path:
    """Path of a notebook template by name."""
    return paths.TEMPLATES / f"{name}.ipynb"


def _validate(template_name: str, params: Mapping[str, Any]) -> None:
    validate_params(template_name, params)


def template_imports(path: Path) -> list[str]:
    """The ``analysis`` modules a template's code cells import (IPython magics skipped)."""
    import nbformat

    from analysis.common.digest import imported_modules

    found: set[str] = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            code = "\n".join(line for line in cell.source.splitlines()
                             if not line.lstrip().startswith(("%", "!")))
            found |= imported_modules(code, "__template__")
    return sorted(found)


def code_of(case: Case) -> str:
    """A case's code hash: the code its template can import (not the book or the runner)."""
    from analysis.common.digest import modules_hash

    return modules_hash(template_imports(case.template))


def _declared(template_path: Path) -> set[str]:
    """The parameters of a project template: the fields of its model."""
    return set(parameter_names(template_path.stem))


def region_slugs(regions: Sequence[str] | None = None) -> dict[str, str]:
    """``{slug: province}`` for ``regions`` (names in any accepted spelling; default: every
    province in the data)."""
    info = DataInfo.load()
    chosen = []
    for name in regions or info.provinces():
        short = info.aliases.get(str(name).casefold())
        if short is None:
            raise InputError("--regions", f"{name!r} is not a province in the data; valid: "
                             f"{', '.join(info.provinces())}")
        chosen.append(short)
    return {glue_slug(info.names.get(p, p)): p for p in dict.fromkeys(chosen)}


def _region_choice(regions: Sequence[str] | None, params: dict[str, Any]
                   ) -> Sequence[str] | None:
    """The regions to run, with a ``region`` parameter folded in (see the module doc)."""
    if "region" not in params:
        return regions
    region = params.pop("region")
    if not isinstance(region, str):
        raise InputError("parameter region", f"expected a province name, got {region!r}")
    try:
        chosen = next(iter(region_slugs([region]).values()))
    except InputError as err:
        raise InputError("parameter region", err.problem) from None
    if regions and set(region_slugs(regions).values()) != {chosen}:
        raise InputError("parameter region", f"{region!r} disagrees with --regions "
                         f"{' '.join(map(str, regions))}; each region case writes into its own "
                         "folder, so give the province once (--regions or -p region)")
    return [chosen]


def scenario_cases(scenarios: Sequence[Scenario] | None = None) -> list[Case]:
    """One case per declared scenario (default: ``data/scenarios.yml``), validated."""
    scenarios = load_scenarios() if scenarios is None else scenarios
    return [Case(s.case, template(s.template), {"output_dir": ".", **s.parameters},
                 paths.SCENARIOS_BOOK / s.name / f"{s.template}.ipynb") for s in scenarios]


def check_names(params: Mapping[str, Any], templates: Sequence[str] = TEMPLATE_NAMES
                ) -> dict[str, set[str]]:
    """The templates' declared parameters; an ``InputError`` for a name none declares (checked
    before the data are rebuilt: it needs no data)."""
    declared = {name: set(parameter_names(name)) for name in templates}
    unknown = [k for k in params
               if k == "output_dir" or not any(k in d for d in declared.values())]
    if unknown:
        valid = sorted(set().union(*declared.values()) - {"output_dir"})
        raise InputError(f"parameter {unknown[0]}", f"not a parameter of any template; valid: "
                         f"{', '.join(valid)}")
    return declared


def plan(regions: Sequence[str] | None = None, params: Mapping[str, Any] | None = None,
         templates: Sequence[str] = TEMPLATE_NAMES, scenarios: bool | None = None
         ) -> list[Case]:
    """Every case of the report, validated (an ``InputError`` before any kernel starts).

    ``scenarios``: plan the declared scenarios too (default: unless ``regions`` or a ``region``
    parameter narrows the run)."""
    params = dict(params or {})
    if scenarios is None:
        scenarios = not regions and "region" not in params
    declared = check_names(params, templates)
    regions = _region_choice(regions, params)

    def params_for(name: str, _region: str | None) -> dict[str, Any]:
        # "." = the case's own folder (the runner's working directory for the case), so the
        # parameters, and the cache key, do not depend on where the project is checked out.
        return {"output_dir": ".", **{k: v for k, v in params.items() if k in declared[name]}}

    cases: list[Case] = []
    if "comparison" in templates:
        cases += plan_cases([template("comparison")], None, params_for, paths.BOOK,
                            validate=_validate, declared=_declared)
    if "over_time" in templates:
        cases += plan_cases([template("over_time")], None, params_for, paths.BOOK,
                            validate=_validate, declared=_declared)
    if "region" in templates:
        cases += plan_cases([template("region")], region_slugs(regions), params_for,
                            paths.REGIONS_BOOK, validate=_validate, declared=_declared)
    if scenarios:
        cases += scenario_cases()
        check_unique(cases)
    return cases
