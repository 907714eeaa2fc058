"""Typed, data-checked parameters of the notebook templates (``notebooks/*.ipynb``).

Each template has a pydantic model: :class:`RegionParams` (``notebooks/region.ipynb``) and
:class:`ComparisonParams` (``notebooks/comparison.ipynb``). Every field has a default that runs
on the seed data, so ``RegionParams()`` is a valid parameter set.

Values are checked against the DATA (``data/processed/items.csv``), not against a fixed list:
a province, peer, domain, bulletin id or index-weight key that the data do not have fails at
once with one line naming the parameter and listing the valid values, e.g.
``parameter region: '火星' is not a province in the data; valid: 上海, 江苏, 安徽, ...``
(the list names every valid value).

Resolution (done by validation, so a validated model holds only concrete values):

- ``region`` / ``peers``: short name (江苏), full name (江苏省) or English name (Jiangsu,
  any case) -> the short name. ``peers=None`` -> every other province in the selected
  bulletins; the region itself is dropped from ``peers`` if listed.
- ``domains``: domain ids of the codebook; a single string is one domain; kept in the
  codebook's order, duplicates dropped. ``None`` (the default): every domain but the fallback
  (``other``), so a domain added to the codebook is analysed without further edits.
- ``bulletins``: ``None`` -> every bulletin id in the data.
- ``weights``: ``None`` -> ``data/index_weights.yml`` over the declared defaults; a mapping
  overrides the indicators it names and the others keep the project's weights (see
  ``analysis.compare.weights.validate_weights``); stored renormalised.
- ``output_dir``: ``""`` -> ``_build/figures/<case>`` (``region-<slug>`` or ``comparison``);
  a relative path is taken from the current directory. Stored as an absolute ``Path``.
  Notebooks get figure paths from :meth:`NotebookParams.figure_path`, never typed in cells.

:func:`validate_params` is the single entry point of the CLI and of the fan-out runner; it
raises :class:`~analysis.common.errors.InputError` (``where`` = ``parameter NAME``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from analysis.coding.vocab import vocabulary
from analysis.common import paths
from analysis.common.digest import file_stamp
from analysis.common.errors import InputError
from analysis.compare.weights import indicator_names, project_weights, validate_weights
from analysis.dataset.fields import read_columns, split_field

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_N_DRAWS = 1000
DEFAULT_SEED = 0
MAX_N_DRAWS = 100_000


def _valid(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "(none)"


def glue_slug(text: str) -> str:
    """ASCII slug for glue keys and folder names: ``"Inner Mongolia"`` -> ``inner_mongolia``."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return slug or re.sub(r"\W+", "_", text).strip("_")


@dataclass(frozen=True)
class DataInfo:
    """What the parameters are checked against: the provinces and bulletins in the data.

    ``provinces_by_bulletin`` maps bulletin id -> provinces of its items; ``names`` maps a
    province's short name to its English name, ``aliases`` every accepted spelling (short,
    full, English, case-folded) to the short name; ``order`` holds the GB/T 2260 sort keys.
    """

    bulletins: tuple[str, ...]
    provinces_by_bulletin: Mapping[str, tuple[str, ...]]
    names: Mapping[str, str]
    aliases: Mapping[str, str]
    order: Mapping[str, str]

    @classmethod
    def from_items(cls, items: pd.DataFrame) -> DataInfo:
        """Collect bulletin ids, provinces and their names (codebook) from an items table."""
        return cls.from_rows(zip(items["bulletin_id"], items["provinces"], strict=True))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[object, object]]) -> DataInfo:
        """:meth:`from_items` from ``(bulletin_id, provinces)`` pairs."""
        from analysis.coding.codebook import load_codebook

        by_bulletin: dict[str, set[str]] = {}
        for bulletin, provs in rows:
            by_bulletin.setdefault(str(bulletin), set()).update(split_field(provs))
        names: dict[str, str] = {}
        aliases: dict[str, str] = {}
        order: dict[str, str] = {}
        seen = set().union(*by_bulletin.values()) if by_bulletin else set()
        for prov in load_codebook().provinces:
            if prov.short in seen:
                names[prov.short] = prov.en
                order[prov.short] = prov.code
                for form in (prov.short, prov.full, prov.en, *prov.aliases):
                    aliases.setdefault(form.casefold(), prov.short)
        for short in seen:  # provinces the codebook does not know keep their own name
            names.setdefault(short, short)
            order.setdefault(short, "999999" + short)
            aliases.setdefault(short.casefold(), short)
        return cls(
            bulletins=tuple(sorted(by_bulletin)),
            provinces_by_bulletin={b: tuple(sorted(p)) for b, p in by_bulletin.items()},
            names=names, aliases=aliases, order=order,
        )

    @classmethod
    def load(cls, items_csv: Path | None = None) -> DataInfo:
        """From ``items.csv`` (default ``paths.ITEMS_CSV``), cached per file version."""
        path = Path(items_csv) if items_csv is not None else paths.ITEMS_CSV
        try:
            key = file_stamp(path)
        except FileNotFoundError:
            raise InputError(path, "file not found; run `python -m analysis build` first") \
                from None
        if key not in _DATA_CACHE:
            _DATA_CACHE.clear()
            # two columns read without pandas: see analysis.dataset.fields
            _DATA_CACHE[key] = cls.from_rows(read_columns(path, ("bulletin_id", "provinces")))
        return _DATA_CACHE[key]

    def provinces(self, bulletins: Sequence[str] | None = None) -> list[str]:
        """Provinces of the items of ``bulletins`` (all if None), in GB/T 2260 code order."""
        chosen = self.bulletins if bulletins is None else bulletins
        found = set().union(*(self.provinces_by_bulletin.get(b, ()) for b in chosen))
        return sorted(found, key=lambda p: self.order.get(p, p))

    def resolve_province(self, name: str, bulletins: Sequence[str], where: str,
                         exclude: str | None = None) -> str:
        """A province name (short, full or English) -> its short name, or InputError."""
        valid = [p for p in self.provinces(bulletins) if p != exclude]
        short = self.aliases.get(str(name).strip().casefold())
        if short is None or (short not in valid and short != exclude):
            scope = ("the data" if list(bulletins) == list(self.bulletins)
                     else "the selected bulletins")
            raise InputError(f"parameter {where}",
                             f"{name!r} is not a province in {scope}; valid: {_valid(valid)}")
        return short


_DATA_CACHE: dict[tuple[str, int, int, int], DataInfo] = {}


def _context(info: ValidationInfo) -> DataInfo:
    ctx = info.context
    if isinstance(ctx, DataInfo):
        return ctx
    if isinstance(ctx, Mapping) and isinstance(ctx.get("data"), DataInfo):
        return ctx["data"]
    return DataInfo.load()


def _as_list(value: Any) -> Any:
    """A single string (``-p domains ftz``) is a one-element list; tuples become lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return list(value)
    return value


def _check_choice(name: str, value: Sequence[str], valid: Sequence[str], what: str,
                  noun: str) -> None:
    """At least one value, each one of ``valid``; else one line naming the parameter."""
    if not value:
        raise InputError(f"parameter {name}", f"give at least one {noun}; valid: "
                         f"{_valid(valid)}")
    for item in value:
        if item not in valid:
            raise InputError(f"parameter {name}", f"{item!r} is not {what}; valid: "
                             f"{_valid(valid)}")


class NotebookParams(BaseModel):
    """Parameters shared by the templates. Validate with :func:`validate_params`.

    After validation ``bulletins``, ``weights`` and ``output_dir`` hold resolved values (never
    None / ""); :attr:`names` maps each province in the data to its English name.
    """

    model_config = ConfigDict(extra="forbid", validate_default=True,
                              arbitrary_types_allowed=True)
    template: ClassVar[str] = ""

    domains: list[str] | None = Field(
        None, description="policy domains analysed (codebook ids); None = all but the fallback")
    bulletins: list[str] | None = Field(None, description="bulletin ids; None = all")
    weights: dict[str, float] | None = Field(
        None, description="index weights {indicator: weight}; None = data/index_weights.yml; "
                           "indicators left out keep the project weight")
    output_dir: Path | str = Field("", description="folder for figure PNG/CSV; '' = default")
    _names: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("domains", "bulletins", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("domains")
    @classmethod
    def _check_domains(cls, value: list[str] | None) -> list[str]:
        vocab = vocabulary()
        if value is None:
            return list(vocab.analysed_domains)
        _check_choice("domains", value, vocab.domains, "a domain", "domain")
        return [d for d in vocab.domains if d in value]

    @field_validator("bulletins")
    @classmethod
    def _check_bulletins(cls, value: list[str] | None, info: ValidationInfo) -> list[str]:
        data = _context(info)
        if value is None:
            return list(data.bulletins)
        _check_choice("bulletins", value, data.bulletins, "a bulletin in the data",
                      "bulletin id (or null for all)")
        return list(dict.fromkeys(value))

    @field_validator("weights", mode="before")
    @classmethod
    def _check_weights(cls, value: Any) -> dict[str, float]:
        names = indicator_names()
        base = project_weights()
        if value is None:
            return validate_weights(base)
        if not isinstance(value, Mapping):
            raise InputError("parameter weights", f"expected a mapping of indicator -> weight, "
                             f"got {value!r}; valid keys: {_valid(names)}")
        for key in value:
            if key not in names:
                raise InputError("parameter weights", f"{key!r} is not an index indicator; "
                                 f"valid: {_valid(names)}")
        try:
            return validate_weights(dict(value), base=base)
        except ValueError as err:
            raise InputError("parameter weights", str(err)) from None

    @field_validator("output_dir", mode="before")
    @classmethod
    def _check_output_dir(cls, value: Any) -> Any:
        if value is None:
            return ""
        if not isinstance(value, str | Path):
            raise InputError("parameter output_dir", f"expected a folder path, got {value!r}")
        return value

    def _resolve_common(self, data: DataInfo) -> None:
        self._names = dict(data.names)
        out = str(self.output_dir)
        self.output_dir = (paths.BUILD / "figures" / self.case if not out
                           else Path(out).expanduser().resolve())
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise InputError("parameter output_dir", f"{self.output_dir} is not a folder")

    @property
    def names(self) -> dict[str, str]:
        """Province short name -> English name, for every province in the data."""
        return self._names

    @property
    def case(self) -> str:
        """Name of this case (default figure folder): ``comparison`` or ``region-<slug>``."""
        return self.template

    @property
    def slug(self) -> str:
        """Prefix of this notebook's glue keys (see ``analysis.views``)."""
        return self.template

    def key(self, name: str) -> str:
        """A glue key of this notebook: ``<slug>_<name>``."""
        return f"{self.slug}_{name}"

    def figure_path(self, name: str) -> Path:
        """Where figure ``name`` goes: ``<output_dir>/<name>.png`` (its CSV beside it)."""
        if not re.fullmatch(r"[0-9A-Za-z_.-]+", name):
            raise ValueError(f"figure name {name!r}: use letters, digits, '_', '-', '.' only")
        return Path(self.output_dir) / f"{name}.png"

    def label(self, province: str) -> str:
        """``"Jiangsu 江苏"`` for a province in the data."""
        en = self.names.get(province, "")
        return f"{en} {province}" if en and en != province else province

    def public(self) -> dict[str, Any]:
        """The parameters as plain JSON values (e.g. to show or to inject with papermill)."""
        out = self.model_dump(mode="json")
        out["output_dir"] = str(self.output_dir)
        return out


class RegionParams(NotebookParams):
    """Parameters of ``notebooks/region.ipynb``: one province against its peers."""

    template: ClassVar[str] = "region"

    region: str | None = Field(
        None, description="the province (short, full or English name); None = the first "
                          "province of the data in GB/T 2260 order")
    peers: list[str] | None = Field(None, description="comparison provinces; None = all others")

    @field_validator("region", mode="before")
    @classmethod
    def _region_str(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not value.strip():
            raise InputError("parameter region", f"expected a province name, got {value!r}")
        return value

    @field_validator("peers", mode="before")
    @classmethod
    def _peers_list(cls, value: Any) -> Any:
        return _as_list(value)

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> RegionParams:
        data = _context(info)
        bulletins = self.bulletins or list(data.bulletins)
        if self.region is None:
            found = data.provinces(bulletins)
            if not found:
                raise InputError("parameter region", "the selected bulletins name no province")
            self.region = found[0]
        self.region = data.resolve_province(self.region, bulletins, "region")
        if self.peers is None:
            self.peers = [p for p in data.provinces(bulletins) if p != self.region]
        else:
            resolved = [data.resolve_province(p, bulletins, "peers", exclude=self.region)
                        for p in self.peers]
            self.peers = [p for p in dict.fromkeys(resolved) if p != self.region]
            order = data.order
            self.peers.sort(key=lambda p: order.get(p, p))
        if not self.peers:
            others = [p for p in data.provinces(bulletins) if p != self.region]
            raise InputError("parameter peers", f"no peer province to compare "
                             f"{self.region} with; valid: {_valid(others)}")
        self._resolve_common(data)
        return self

    @property
    def slug(self) -> str:
        """Glue-key prefix: the English name in lower case (``jiangsu``)."""
        return glue_slug(self.names.get(self.region, self.region))

    @property
    def case(self) -> str:
        """``region-<slug>``."""
        return f"region-{self.slug}"

    @property
    def provinces(self) -> list[str]:
        """The region followed by its peers."""
        return [self.region, *(self.peers or [])]


class ComparisonParams(NotebookParams):
    """Parameters of ``notebooks/comparison.ipynb``: every province side by side."""

    template: ClassVar[str] = "comparison"

    n_draws: int = Field(DEFAULT_N_DRAWS, description="random weightings for rank ranges")
    seed: int = Field(DEFAULT_SEED, description="seed of the random weightings and tests")

    @field_validator("n_draws", mode="before")
    @classmethod
    def _check_draws(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not (
                10 <= value <= MAX_N_DRAWS):
            raise InputError("parameter n_draws", f"expected a whole number from 10 to "
                             f"{MAX_N_DRAWS}, got {value!r}")
        return value

    @field_validator("seed", mode="before")
    @classmethod
    def _check_seed(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError("parameter seed", f"expected a whole number >= 0, got {value!r}")
        return value

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> ComparisonParams:
        self._resolve_common(_context(info))
        return self


class OverTimeParams(NotebookParams):
    """Parameters of ``notebooks/over_time.ipynb``: every province and domain issue by issue."""

    template: ClassVar[str] = "over_time"

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> OverTimeParams:
        self._resolve_common(_context(info))
        return self


MODELS: dict[str, type[NotebookParams]] = {"region": RegionParams,
                                           "comparison": ComparisonParams,
                                           "over_time": OverTimeParams}


def parameter_names(template_name: str) -> list[str]:
    """The parameters a template takes: the fields of its model, the one list of them (the
    templates' parameters cells read it through :func:`template_defaults`)."""
    return list(_model(template_name).model_fields)


def template_defaults(template_name: str) -> dict[str, Any]:
    """Every parameter of a template with its default, as the template's parameters cell sets
    them (papermill's injected cell overrides them after it)."""
    return {name: field.get_default(call_default_factory=True)
            for name, field in _model(template_name).model_fields.items()}


def template_values(template_name: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a template as a notebook holds them (its globals)."""
    return {name: namespace[name] for name in parameter_names(template_name)}


def parameter_help(template_name: str) -> str:
    """One line per parameter: name, default and meaning (for ``notebook --help``)."""
    fields = _model(template_name).model_fields
    return "\n".join(f"  {name} (default {field.get_default(call_default_factory=True)!r}): "
                      f"{field.description}" for name, field in fields.items())


def _model(template_name: str) -> type[NotebookParams]:
    name = Path(str(template_name)).stem
    if name not in MODELS:
        raise InputError("template", f"{template_name!r} is not a notebook template; valid: "
                         f"{_valid(list(MODELS))}")
    return MODELS[name]


def validate_params(template_name: str, raw: Mapping[str, Any] | None = None,
                    data: DataInfo | None = None) -> NotebookParams:
    """Check the parameters of one template run against the data; return the resolved model.

    ``template_name`` is ``region`` or ``comparison`` (a path's stem works too); ``raw`` the
    parameters as given (missing ones take their defaults); ``data`` what to check against
    (default: ``paths.ITEMS_CSV``). Raises ``InputError("parameter NAME", ...)`` with
    one line listing the valid values. Loads nothing heavier than ``items.csv``; starts no kernel.
    """
    model = _model(template_name)
    raw = dict(raw or {})
    valid = parameter_names(template_name)
    for key in raw:
        if key not in valid:
            raise InputError(f"parameter {key}", f"not a parameter of the {model.template} "
                             f"template; valid: {_valid(valid)}")
    data = data if data is not None else DataInfo.load()
    try:
        return model.model_validate(raw, context={"data": data})
    except ValidationError as err:
        first = err.errors()[0]
        loc = first["loc"][0] if first["loc"] else "?"
        where = f"parameter {loc}"
        problem = first["msg"][:1].lower() + first["msg"][1:]
        raise InputError(where, f"{problem}, got {first.get('input')!r}") from None


__all__ = [
    "MODELS", "ComparisonParams", "DataInfo", "NotebookParams", "OverTimeParams",
    "RegionParams", "glue_slug", "parameter_help", "parameter_names", "template_defaults",
    "template_values", "validate_params",
]
