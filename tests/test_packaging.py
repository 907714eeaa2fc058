"""A wheel built from the project holds every subpackage and imports from where it is
installed (not from the checkout), and the runtime needs no test-only tool."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

STAGES = sorted(p.name for p in (ROOT / "analysis").iterdir()
                if (p / "__init__.py").is_file())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True,
                   cwd=out)
    found = list(out.glob("analysis-*.whl"))
    assert len(found) == 1
    return found[0]


def test_wheel_holds_every_subpackage(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for stage in STAGES:
        assert f"analysis/{stage}/__init__.py" in names, stage
    modules = {n for n in names if n.endswith(".py")}
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "analysis").rglob("*.py")}
    assert modules == expected
    assert not any(n.startswith(("devtools/", "tests/")) for n in names)


def test_installed_wheel_imports_every_subpackage(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    code = ("import importlib, analysis; "
            f"[importlib.import_module('analysis.' + s) for s in {STAGES!r}]; "
            "import analysis.cli, analysis.report, analysis.views.charts; "
            "print(analysis.__file__)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env=env, cwd=tmp_path)
    assert Path(out.stdout.strip()).is_relative_to(target)


def test_test_tools_and_dask_are_extras() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(project["dependencies"])
    for tool in ("playwright", "dask", "distributed", "pytest", "hypothesis"):
        assert tool not in runtime
    extras = project["optional-dependencies"]
    assert any(d.startswith("dask==") for d in extras["dask"])
    assert any(d.startswith("playwright==") for d in extras["test"])
