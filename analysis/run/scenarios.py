"""Named analysis variants the report executes and adds to the book: ``data/scenarios.yml``.

The file holds one mapping, ``scenarios: {name: {template, title, question, parameters}}``:

* ``name``: lower-case letters, digits and ``-`` (the case is ``scenario/<name>``, executed into
  ``book/scenarios/<name>/``, and the chapter is ``book/_generated/scenarios/<name>``);
* ``template``: ``comparison`` or ``region``; ``parameters``: as for ``python -m analysis
  notebook`` (a region scenario names its ``region``; ``output_dir`` is the runner's);
* ``title`` (the chapter title) and ``question``: one line, e.g. "What if national firsts count
  double?".

Everything is checked before any kernel starts; an error is one line naming the file, the
scenario and the key or parameter. A missing file declares no scenario.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.common import paths
from analysis.common.errors import InputError
from analysis.common.text import display_path
from analysis.common.yamlio import read_mapping

__all__ = ["KEYS", "Scenario", "load_scenarios"]

#: The keys of one scenario (``parameters`` may be left out).
KEYS = ("template", "title", "question", "parameters")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Scenario:
    """One declared variant: template, parameters as written, chapter title and question."""

    name: str
    template: str
    title: str
    question: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def case(self) -> str:
        """The case name in the run manifest: ``scenario/<name>``."""
        return f"scenario/{self.name}"


def _line(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
        raise InputError(f"{where}, {key}", f"expected one line of text, got {value!r}")
    return value.strip()


def _scenario(where: str, name: Any, spec: Any) -> Scenario:
    from analysis.views.params import MODELS, validate_params

    if not isinstance(name, str) or not NAME.match(name):
        raise InputError(f"{where}, scenario {name!r}", "a name is lower-case letters, digits "
                         "and '-' (it names the chapter's file)")
    here = f"{where}, scenario {name}"
    if not isinstance(spec, Mapping):
        raise InputError(here, f"expected a mapping with keys {', '.join(KEYS)}")
    unknown = [k for k in spec if k not in KEYS]
    if unknown:
        raise InputError(here, f"unknown key {unknown[0]!r}; valid: {', '.join(KEYS)}")
    missing = [k for k in KEYS[:3] if k not in spec]
    if missing:
        raise InputError(here, f"missing key {missing[0]!r}")
    template = spec["template"]
    if template not in MODELS:
        raise InputError(f"{here}, template", f"{template!r} is not a template; valid: "
                         f"{', '.join(MODELS)}")
    params = spec.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise InputError(f"{here}, parameters", "expected a mapping of parameter -> value")
    if "output_dir" in params:
        raise InputError(f"{here}, parameter output_dir", "set by the runner (each case "
                         "writes into its own folder); leave it out")
    if template == "region" and not params.get("region"):
        raise InputError(f"{here}, parameter region", "a region scenario names its province")
    try:
        validate_params(template, dict(params))
    except InputError as err:
        raise InputError(f"{here}, {err.where}", err.problem) from None
    return Scenario(name, template, _line(here, "title", spec["title"]),
                    _line(here, "question", spec["question"]), dict(params))


def load_scenarios(path: Path | str | None = None) -> list[Scenario]:
    """The declared scenarios, in file order, validated against the data (see the module doc)."""
    path = Path(path) if path is not None else paths.SCENARIOS
    if not path.is_file():
        return []
    where = display_path(path)
    data = read_mapping(path)
    unknown = sorted(set(data) - {"scenarios"})
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r}; the file holds one mapping, "
                         "scenarios: {name: {template, title, question, parameters}}")
    declared = data.get("scenarios") or {}
    if not isinstance(declared, Mapping):
        raise InputError(f"{where}, scenarios", "expected a mapping of name -> scenario")
    return [_scenario(where, name, spec) for name, spec in declared.items()]
