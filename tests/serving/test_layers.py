"""serving/ (the outputs) and data_quality/ (the checks) stay below orchestration: neither imports Dagster or
orchestration, and importing every serving module loads no Dagster."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["serving", "data_quality"])
def test_package_never_imports_orchestration_or_dagster(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files
    for path in files:
        bad = _imports(path) & {"orchestration", "dagster", "dagster_dbt"}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_serving_outputs_never_import_checks() -> None:
    for path in sorted((REPO / "serving").rglob("*.py")):
        assert "data_quality" not in _imports(path), f"{path.relative_to(REPO)}: an output imports a check"


def test_importing_serving_loads_no_dagster() -> None:
    code = (
        "import sys, importlib, pkgutil, serving\n"
        "for m in pkgutil.walk_packages(serving.__path__, 'serving.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'dagster' not in sys.modules, [m for m in sys.modules if m.startswith('dagster')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
