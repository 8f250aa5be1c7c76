"""The layers of the Python packages, enforced: no import cycle, no forbidden edge.

The import graph is read with ``ast`` (module-level and function-level imports, relative imports resolved) over
every top-level package of the repository (a top-level folder with an ``__init__.py``, except ``tests``): a new
package is picked up by itself. Imports point down only::

    orchestration / the CLI package  ->  serving, data_quality  ->  ingestion.catalogue  ->  ingestion.<dataset>
        ->  ingestion._common

Rules (:func:`forbidden`): ``ingestion``, ``data_quality``, ``serving`` and ``dashboard`` never import
``orchestration`` or the CLI package; ``ingestion._common`` (the shared machinery) never imports a dataset package;
nothing imports the demo package ``finops_demo`` except itself, the CLI package's demo commands (``<cli>.demo``) and
the benchmarks harness (it generates data).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ORCHESTRATION = "orchestration"
DEMO = "finops_demo"
# the layers below orchestration: they never import it (nor the CLI package); the dashboard reads the published copy
# through serving, below the CLI that starts it
ENGINES = ("ingestion", "data_quality", "serving", "dashboard")
SHARED = "ingestion._common"
# may import the demo generator / fake servers: the demo package itself and the benchmarks harness (it generates
# its data); and the CLI package's demo commands, ``<cli>.demo`` (the CLI package is found by name, see cli_packages())
DEMO_IMPORTERS = (DEMO, "benchmarks")
CLI_DEMO_MODULE = "demo"


def top_level_packages(root: Path) -> list[str]:
    """Every top-level folder with an ``__init__.py`` (not ``tests``, not hidden)."""
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name != "tests" and not p.name.startswith(".")
    )


def cli_packages(packages: list[str]) -> list[str]:
    """The CLI package(s): a top-level package named ``*_cli`` or ``cli`` (e.g. ``finops_cli``)."""
    return [p for p in packages if p == "cli" or p.endswith("_cli")]


def modules(root: Path, packages: list[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the packages (``pkg/__init__.py`` is ``pkg``)."""
    out = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in the file: module level, in functions, under
    ``if TYPE_CHECKING``). ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b``;
    an import of a module outside the packages (the standard library, dependencies) is no edge, nor is a module's
    import of its own package (``from . import NAME`` in ``pkg/x.py``)."""
    mods = modules(root, top_level_packages(root))

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[: len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]  # importing a.b.c runs a.b too
            else:
                continue
            for target in targets:
                found = resolve(target)
                # a module reading a name of its own package's ``__init__`` (``from . import NAME``) is no edge, as
                # in ../shared/tools/import-graph.py: the package's own modules are one unit with its __init__
                if found and found != mod and found != package:
                    graph[mod].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return sorted(out)


def _top(module: str) -> str:
    return module.split(".")[0]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def forbidden(graph: dict[str, set[str]]) -> list[str]:
    """Every edge that breaks a layer rule, as ``a -> b: rule``."""
    clis = cli_packages(sorted({_top(m) for m in graph}))
    upper = (ORCHESTRATION, *clis)
    demo_ok = (*DEMO_IMPORTERS, *(f"{c}.{CLI_DEMO_MODULE}" for c in clis))
    out = []
    for a in sorted(graph):
        for b in sorted(graph[a]):
            if _top(a) in ENGINES and _top(b) in upper:
                out.append(f"{a} -> {b}: {_top(a)} must not import orchestration or the CLI (imports point down)")
            elif _within(a, SHARED) and _top(b) == "ingestion" and b != "ingestion" and not _within(b, SHARED):
                out.append(
                    f"{a} -> {b}: the shared layer {SHARED} must not import a dataset package or the "
                    "catalogue (pass what it needs by parameter)"
                )
            elif _top(b) == DEMO and not any(_within(a, ok) for ok in demo_ok):
                out.append(
                    f"{a} -> {b}: only the CLI's demo commands, the benchmarks and the tests may import the "
                    f"demo generator / fake servers ({DEMO})"
                )
    return out


def _cycle_message(found: list[list[str]], graph: dict[str, set[str]]) -> str:
    lines = []
    for component in found:
        inside = set(component)
        edges = [f"{a} -> {b}" for a in component for b in sorted(graph[a] & inside)]
        lines.append(f"cycle of {len(component)} modules: {', '.join(component)}\n    edges: {'; '.join(edges)}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------------
# the repository
# ----------------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(REPO)


def test_packages_are_discovered(graph):
    packages = top_level_packages(REPO)
    assert {"ingestion", "orchestration", "data_quality", DEMO, "benchmarks"} <= set(packages)
    assert "tests" not in packages
    assert "ingestion.catalogue" in graph and "ingestion._common.source" in graph
    # the registries' users reach the sources through the catalogue
    assert any("ingestion.catalogue" in targets for m, targets in graph.items() if _top(m) == ORCHESTRATION)


def test_no_import_cycles(graph):
    found = cycles(graph)
    assert not found, (
        "import cycles (break them: move the shared part down, pass callables by parameter):\n"
        + _cycle_message(found, graph)
    )


def test_no_forbidden_imports(graph):
    bad = forbidden(graph)
    assert not bad, "forbidden imports:\n" + "\n".join(bad)


# ----------------------------------------------------------------------------------------------------------------------
# negative controls: a tiny synthetic repository with a cycle and forbidden edges must be caught
# ----------------------------------------------------------------------------------------------------------------------
def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    _write(
        tmp_path,
        {
            "ingestion/__init__.py": "",
            "ingestion/_common/__init__.py": "",
            "ingestion/_common/source.py": "def plan():\n    from ingestion.aws_cur import settings  # in a function\n",
            "ingestion/_common/tables.py": "from .source import plan\n",
            "ingestion/aws_cur/__init__.py": "from . import settings\n",
            "ingestion/aws_cur/settings.py": "from . import helpers\n",
            "ingestion/aws_cur/helpers.py": "from .settings import X\nimport json\n",
            "ingestion/gcp_billing/__init__.py": "import finops_demo.generator\n",
            "orchestration/__init__.py": "",
            "orchestration/cli.py": "from finops_demo import generator\n",
            "orchestration/assets.py": "from ingestion._common.tables import plan\n",
            "data_quality/__init__.py": "def check():\n    from orchestration import assets\n",
            "finops_demo/__init__.py": "",
            "finops_demo/generator.py": "from ingestion.aws_cur import settings\n",
            "finops_cli/__init__.py": "from finops_demo import generator\n",
            "finops_cli/demo.py": "from finops_demo import generator\n",
            "serving/__init__.py": "from finops_cli import main\n",
            "benchmarks/__init__.py": "from finops_demo.generator import x\n",
            "tests/__init__.py": "from finops_demo import generator\nfrom orchestration import cli\n",
            "docs/not_a_package.py": "import orchestration\n",
        },
    )
    return tmp_path


def test_new_packages_are_picked_up(synthetic):
    assert top_level_packages(synthetic) == [
        "benchmarks",
        "data_quality",
        "finops_cli",
        DEMO,
        "ingestion",
        "orchestration",
        "serving",
    ]
    assert cli_packages(top_level_packages(synthetic)) == ["finops_cli"]


def test_relative_and_function_level_imports_resolve(synthetic):
    g = import_graph(synthetic)
    assert g["ingestion.aws_cur"] == {"ingestion.aws_cur.settings"}
    assert g["ingestion.aws_cur.helpers"] == {"ingestion.aws_cur.settings"}  # json is not a project module
    assert g["ingestion._common.source"] == {"ingestion.aws_cur", "ingestion.aws_cur.settings"}
    assert g["ingestion._common.tables"] == {"ingestion._common.source"}
    assert g["data_quality"] == {"orchestration", "orchestration.assets"}
    assert g["ingestion.aws_cur.settings"] == {"ingestion.aws_cur.helpers"}  # "from . import helpers": the module


def test_a_cycle_is_caught(synthetic):
    found = cycles(import_graph(synthetic))
    assert found == [["ingestion.aws_cur.helpers", "ingestion.aws_cur.settings"]]
    msg = _cycle_message(found, import_graph(synthetic))
    assert "ingestion.aws_cur.helpers -> ingestion.aws_cur.settings" in msg
    assert "ingestion.aws_cur.settings -> ingestion.aws_cur.helpers" in msg


def test_forbidden_edges_are_caught_and_named(synthetic):
    bad = forbidden(import_graph(synthetic))
    assert sorted(b.split(":")[0] for b in bad) == sorted(
        [
            "ingestion._common.source -> ingestion.aws_cur",  # shared layer -> dataset package
            "ingestion._common.source -> ingestion.aws_cur.settings",
            "ingestion.gcp_billing -> finops_demo.generator",  # production code -> demo
            "data_quality -> orchestration",  # engine -> orchestration
            "data_quality -> orchestration.assets",
            "serving -> finops_cli",  # engine -> the CLI package
            "orchestration.cli -> finops_demo",  # only the CLI's demo commands may import the demo
            "orchestration.cli -> finops_demo.generator",
            "finops_cli -> finops_demo",
            "finops_cli -> finops_demo.generator",
        ]
    )
    rules = dict(b.split(": ", 1) for b in bad)
    assert "shared layer" in rules["ingestion._common.source -> ingestion.aws_cur.settings"]
    assert "demo" in rules["ingestion.gcp_billing -> finops_demo.generator"]
    assert "orchestration or the CLI" in rules["data_quality -> orchestration.assets"]
    # allowed: the CLI's demo commands, the benchmarks, the demo package itself
    assert not any(b.startswith(("finops_cli.demo ->", "benchmarks ->", "finops_demo")) for b in bad)
