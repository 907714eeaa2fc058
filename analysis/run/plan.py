"""The case matrix: which template runs with which parameters, and where its output goes.

A :class:`Case` is one notebook execution. :func:`plan_cases` builds the template x region
matrix, gives every case its own output folder (so no case can overwrite another's notebook or
figures) and calls a validation hook for every case before anything is executed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.common import paths
from analysis.common.errors import InputError

#: ``validate(template_name, parameters)``; raises :class:`InputError` for a bad case.
Validator = Callable[[str, dict[str, Any]], None]
#: Per-case parameters or data files: ``f(template_name, region)``; region is None for a
#: template planned once (no regions).
PerCase = Callable[[str, str | None], Any]


@dataclass(frozen=True)
class Case:
    """One notebook execution: template + parameters -> output notebook.

    ``name`` identifies the case in the manifest (e.g. ``region/jiangsu``). The case's working
    directory is the folder of ``output``; figures a notebook saves with relative paths land
    there. ``data_files`` are the files this case reads (part of its cache key).
    """

    name: str
    template: Path
    parameters: dict[str, Any]
    output: Path
    data_files: tuple[Path, ...] = field(default=())

    @property
    def template_name(self) -> str:
        """The template's file stem, e.g. ``region``."""
        return self.template.stem

    @property
    def out_dir(self) -> Path:
        """The case's own output folder (also its working directory)."""
        return self.output.parent


class PlanError(InputError):
    """One or more cases failed validation; ``errors`` holds every case's error."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more invalid cases)" if len(self.errors) > 1 else ""
        super().__init__(first.where, first.problem + more)


def slugify(text: str) -> str:
    """A folder-safe slug: lower case, runs of non-word characters -> ``-``.

    Chinese characters are word characters and are kept (``"江苏 省"`` -> ``"江苏-省"``);
    pass a mapping ``{slug: region}`` to :func:`plan_cases` for ASCII slugs.
    """
    slug = re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-_")
    if not slug:
        raise InputError(repr(text), "cannot make a folder name (slug) from this region name")
    return slug


def declared_parameters(template: Path) -> set[str]:
    """Names assigned in the template's ``parameters`` cell (via papermill's inspection)."""
    import papermill

    return set(papermill.inspect_notebook(str(template)))


def _region_items(regions: Mapping[str, str] | Iterable[str] | None) -> list[tuple[str, str]]:
    if regions is None:
        return []
    if isinstance(regions, Mapping):
        return [(slugify(slug), str(region)) for slug, region in regions.items()]
    return [(slugify(region), str(region)) for region in regions]


def _resolve(value: Any, template_name: str, region: str | None) -> Any:
    return value(template_name, region) if callable(value) else value


def plan_cases(
    templates: Sequence[Path | str],
    regions: Mapping[str, str] | Iterable[str] | None,
    params: Mapping[str, Any] | PerCase | None = None,
    out_root: Path | str = paths.REGIONS_BOOK,
    *,
    data_files: Sequence[Path | str] | PerCase = (),
    validate: Validator | None = None,
    declared: Callable[[Path], set[str]] = declared_parameters,
) -> list[Case]:
    """The case matrix ``templates x regions``.

    - ``regions``: region names, or ``{slug: region}``; ``None`` plans each template once.
    - ``params``: parameters for every case, or ``f(template_name, region) -> dict``.
    - Layout: ``out_root/<slug>/<template>.ipynb`` (one template) or
      ``out_root/<slug>/<template>/<template>.ipynb`` (several), and
      ``out_root/<template>/<template>.ipynb`` without regions: one folder per case.
    - ``region`` and ``output_dir`` (the case folder) are added to the parameters when the
      template declares them (``declared(template)``: by default the names its parameters cell
      assigns) and ``params`` does not set them.
    - ``validate(template_name, parameters)`` runs for every case; all errors are collected
      and raised as one :class:`PlanError` (an ``InputError``) before anything executes.
    """
    out_root = Path(out_root)
    items: list[tuple[str | None, str | None]] = list(_region_items(regions)) or [(None, None)]
    cases: list[Case] = []
    for template in map(Path, templates):
        if not template.is_file():
            raise InputError(template, "notebook template not found")
        names = declared(template)
        name = template.stem
        for slug, region in items:
            if slug is None:
                out_dir, case_name = out_root / name, name
            elif len(templates) == 1:
                out_dir, case_name = out_root / slug, f"{name}/{slug}"
            else:
                out_dir, case_name = out_root / slug / name, f"{name}/{slug}"
            parameters = dict(_resolve(params, name, region) or {})
            if region is not None and "region" in names:
                parameters.setdefault("region", region)
            if "output_dir" in names:
                parameters.setdefault("output_dir", str(out_dir))
            files = tuple(Path(p) for p in _resolve(data_files, name, region) or ())
            cases.append(Case(case_name, template, parameters, out_dir / f"{name}.ipynb", files))
    check_unique(cases)
    validate_cases(cases, validate)
    return cases


def check_unique(cases: Sequence[Case]) -> None:
    """Raise :class:`InputError` if two cases share a name or an output folder."""
    names: dict[str, Case] = {}
    dirs: dict[Path, Case] = {}
    for case in cases:
        if case.name in names:
            raise InputError(case.name, "two cases have the same name")
        other = dirs.get(case.out_dir.resolve())
        if other is not None:
            raise InputError(case.out_dir, f"cases {other.name} and {case.name} share a folder")
        names[case.name] = case
        dirs[case.out_dir.resolve()] = case


def validate_cases(cases: Sequence[Case], validate: Validator | None = None) -> None:
    """Check every case (JSON-serialisable parameters, then ``validate``); raise all errors.

    Nothing is started or written; a :class:`PlanError` lists every invalid case.
    """
    errors: list[InputError] = []
    for case in cases:
        try:
            json.dumps(case.parameters, allow_nan=False)
        except (TypeError, ValueError) as err:
            errors.append(InputError(case.name, f"parameters are not plain JSON values: {err}"))
            continue
        if validate is None:
            continue
        try:
            validate(case.template_name, dict(case.parameters))
        except InputError as err:
            errors.append(InputError(f"{case.name}: {err.where}", err.problem))
    if errors:
        raise PlanError(errors)
