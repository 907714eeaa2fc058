"""Measure the automatic coder on the SYNTHETIC development set (``tests/fixtures/devset/``).

The development set is made-up bulletin items with gold codes (see its README): a ``tune``
half the coder's vocabulary was tuned on, a ``holdout`` half measured once, and a table of
single sentences for claims of a first. Nothing here reaches the report.

Per field: provinces exact (share of items whose province set equals the gold set; kappa over
item-province decisions for the provinces seen in either coding), domains (micro precision and
recall over item-domain labels, ``other`` included; per-domain precision and recall; exact
share; kappa over item-domain decisions), firsts (share of items with both flags right; kappa per
flag) and scope (share right; kappa over items).

``python -m devtools.devset [tune|holdout|firsts ...]`` prints the numbers.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from analysis.coding.codebook import load_codebook
from analysis.coding.coder import Coder, Codes
from analysis.coding.gazetteer import Gazetteer
from analysis.common.yamlio import parse_yaml, read_text
from analysis.dataset.agreement import cohen_kappa

DEVSET = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "devset"


@dataclass(frozen=True)
class Pair:
    """One item: its gold codes and the coder's, as plain values."""

    id: str
    gold: dict
    auto: dict


def coder() -> Coder:
    """The coder built from the project codebook."""
    codebook = load_codebook()
    return Coder(codebook, Gazetteer(codebook))


def load(name: str) -> list[dict]:
    """The rows of ``tests/fixtures/devset/<name>.yml``."""
    path = DEVSET / f"{name}.yml"
    return parse_yaml(read_text(path), path)


def plain(codes: Codes) -> dict:
    """The measured fields of ``codes``."""
    return {"provinces": set(codes.provinces), "domains": set(codes.domains),
            "is_national_first": codes.is_national_first,
            "is_provincial_first": codes.is_provincial_first,
            "scope": getattr(codes, "scope", "")}


def code_items(items: list[dict], c: Coder | None = None) -> list[Pair]:
    """Code every item; pair gold and automatic values."""
    c = c or coder()
    pairs = []
    for item in items:
        gold = item["gold"]
        g = {"provinces": set(gold["provinces"]), "domains": set(gold["domains"]),
             "is_national_first": bool(gold["is_national_first"]),
             "is_provincial_first": bool(gold["is_provincial_first"]), "scope": gold["scope"]}
        pairs.append(Pair(item["id"], g, plain(c.code(item["title"], item["body"]))))
    return pairs


def _prf(pairs: list[Pair], label: str | None = None) -> tuple[float, float]:
    tp = fp = fn = 0
    for p in pairs:
        g, a = p.gold["domains"], p.auto["domains"]
        if label is not None:
            g, a = g & {label}, a & {label}
        tp += len(g & a)
        fp += len(a - g)
        fn += len(g - a)
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def _set_kappa(pairs: list[Pair], field: str, labels: list[str]) -> float | None:
    da = [lab in p.auto[field] for p in pairs for lab in labels]
    dg = [lab in p.gold[field] for p in pairs for lab in labels]
    return cohen_kappa(da, dg) if da else None


def metrics(pairs: list[Pair], domains: tuple[str, ...]) -> dict[str, float | None]:
    """Agreement numbers of one half (see the module docstring)."""
    n = len(pairs)
    provinces = sorted({x for p in pairs for x in p.gold["provinces"] | p.auto["provinces"]})
    out: dict[str, float | None] = {
        "n_items": n,
        "provinces_exact": sum(p.gold["provinces"] == p.auto["provinces"] for p in pairs) / n,
        "provinces_kappa": _set_kappa(pairs, "provinces", provinces),
        "domains_exact": sum(p.gold["domains"] == p.auto["domains"] for p in pairs) / n,
        "domains_kappa": _set_kappa(pairs, "domains", list(domains)),
    }
    out["domains_precision"], out["domains_recall"] = _prf(pairs)
    for d in domains:
        out[f"{d}_precision"], out[f"{d}_recall"] = _prf(pairs, d)
    flags = ("is_national_first", "is_provincial_first")
    out["firsts_right"] = sum(all(p.gold[f] == p.auto[f] for f in flags) for p in pairs) / n
    for f in flags:
        out[f"{f}_agree"] = sum(p.gold[f] == p.auto[f] for p in pairs) / n
        out[f"{f}_kappa"] = cohen_kappa([p.gold[f] for p in pairs], [p.auto[f] for p in pairs])
    out["scope_agree"] = sum(p.gold["scope"] == p.auto["scope"] for p in pairs) / n
    out["scope_kappa"] = cohen_kappa([p.gold["scope"] for p in pairs],
                                     [p.auto["scope"] for p in pairs])
    return out


def firsts_table(rows: list[dict], c: Coder | None = None) -> dict[str, float]:
    """Share of first-claim sentences with both flags right, and per flag."""
    c = c or coder()
    right = nat = prov = 0
    for row in rows:
        codes = c.code("", row["sentence"])
        n_ok = codes.is_national_first == bool(row["national"])
        p_ok = codes.is_provincial_first == bool(row["provincial"])
        nat += n_ok
        prov += p_ok
        right += n_ok and p_ok
    n = len(rows)
    return {"n_sentences": n, "right": right / n, "national": nat / n, "provincial": prov / n}


def misses(pairs: list[Pair]) -> list[str]:
    """One line per item where a measured field differs from gold."""
    lines = []
    for p in pairs:
        diff = [f"{k}: gold={_show(p.gold[k])} auto={_show(p.auto[k])}"
                for k in p.gold if p.gold[k] != p.auto[k]]
        if diff:
            lines.append(f"{p.id}  " + " | ".join(diff))
    return lines


def _show(value: object) -> str:
    return ";".join(sorted(value)) if isinstance(value, set) else str(value)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def main(argv: list[str]) -> int:
    """Print the numbers of the named halves (default: tune and firsts)."""
    c = coder()
    domains = tuple(load_codebook().domains)
    for name in argv or ["tune", "firsts"]:
        if name == "firsts":
            numbers = firsts_table(load("firsts"), c)
            print("firsts table: " + ", ".join(f"{k}={_fmt(v)}" for k, v in numbers.items()))
            continue
        pairs = code_items(load(name), c)
        print(f"== {name}")
        for k, v in metrics(pairs, domains).items():
            print(f"  {k:32} {_fmt(v)}")
        if "-v" in sys.argv:
            print("\n".join("  " + line for line in misses(pairs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main([a for a in sys.argv[1:] if not a.startswith("-")]))
