"""The import rules of the layout (README, "Layout"; docs/design.md, "Import rules").

- sample_company/ is the oracle the warehouse is compared with: if it imported the product's
  loaders, contract compiler or timestamp parsing, a bug there could make both sides agree. It
  must not import tests/ either, since bench/ and the installed `funnel generate` use it without
  them.
- funnel/ (the core) never imports Dagster: contract, ingestion, checks logic, code generation,
  reporting and the CLI run and test without it.
- No layer imports one above it: funnel's layers run base → contract → sources → transform →
  checks → compile → publish → report → cli; orchestration/ (the Dagster wing) sits on top,
  lib → defs → definitions → runner → __main__.

Every import counts, including the lazy ones inside functions.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT_ROOT / "sample_company"
FORBIDDEN = ("funnel", "orchestration", "tests")
DAGSTER = ("dagster", "dagster_dbt", "dagster_webserver", "dagster_graphql", "dagster_pipes")

# Bottom to top: a module may import its own layer and those below, never one above.
LAYERS = [
    (
        "base",
        (
            "funnel.config",
            "funnel.privacy",
            "funnel.warehouse",
            "funnel.memory",
            "funnel.run_lock",
            "funnel.run_day",
            "funnel.run_summary",
            "funnel.exits",
        ),
    ),
    ("contract", ("funnel.contract",)),
    ("sources", ("funnel.sources",)),
    (
        "transform",
        ("funnel.transform", "funnel.build_state", "funnel.spark_lake", "funnel.engine", "funnel.spark_server"),
    ),
    ("checks", ("funnel.checks",)),
    ("compile", ("funnel.compiled",)),
    ("publish", ("funnel.publish", "funnel.publish_postgres")),
    (
        "report",
        (
            "funnel.report",
            "funnel.report_history",
            "funnel.whatif",
            "funnel.dbt_docs",
            "funnel.accept",
            "funnel.dashboard",
        ),
    ),
    ("cli", ("funnel.cli", "funnel.demo")),
    ("dagster lib", ("orchestration.lib",)),
    ("dagster defs", ("orchestration.defs",)),
    ("dagster definitions", ("orchestration.definitions",)),
    ("dagster launcher", ("orchestration.runner", "orchestration.__main__")),
]


def imported_modules(tree: ast.AST, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the tree, nested ones included.

    `package` is the dotted package the module lives in, so that relative imports resolve; a
    relative import climbing out of the top-level package resolves to `..` + its name, which
    is never allowed either. `importlib.import_module("x")` and `__import__("x")` with a literal
    name count as imports of x.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module or ""))
                continue
            if node.level > len(package):
                found.append((node.lineno, "." * node.level + (node.module or "")))
                continue
            base = package[: len(package) - node.level + 1]
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found += [(node.lineno, ".".join((*base, name))) for name in names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def forbidden_imports(source: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    return [
        (line, module)
        for line, module in imported_modules(ast.parse(source), package)
        if module.startswith(".") or module.split(".")[0] in FORBIDDEN
    ]


def _package_of(path: Path) -> tuple[str, ...]:
    """The package a file's relative imports start from: its folder (for __init__.py too)."""
    return path.relative_to(PROJECT_ROOT).parent.parts


def test_the_sample_company_imports_nothing_from_the_product_or_the_tests():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 30, "sample_company/ not found where expected"
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: imports {module}"
        for path in files
        for line, module in forbidden_imports(path.read_text(encoding="utf-8"), _package_of(path))
    ]
    print("\n".join(offenders))
    assert not offenders, "sample_company/ imports from the product or tests:\n" + "\n".join(offenders)


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> tuple[int, str] | None:
    """(rank, name) of the layer a product module belongs to; None outside the product."""
    for rank, (name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank, name
    return None


def rule_breaks(path: Path) -> list[str]:
    """Each import of `path` that breaks a rule, as `file:line: what`."""
    here = module_name(path)
    own = layer_of(here)
    where = path.relative_to(PROJECT_ROOT)
    breaks = []
    for line, module in imported_modules(ast.parse(path.read_text(encoding="utf-8")), _package_of(path)):
        top = module.split(".")[0]
        if here.startswith("funnel") and top in DAGSTER:
            breaks.append(f"{where}:{line}: the core imports {module}")
        if top in ("tests", "bench"):
            breaks.append(f"{where}:{line}: the product imports {module}")
        theirs = layer_of(module)
        if own is None and top in ("funnel", "orchestration"):
            breaks.append(f"{where}:{line}: {here} is in no layer (add it to LAYERS)")
        elif theirs and own and theirs[0] > own[0]:
            breaks.append(f"{where}:{line}: {own[1]} ({here}) imports {theirs[1]} ({module}), a layer above it")
    return breaks


def test_the_core_has_no_dagster_and_no_layer_imports_one_above_it():
    files = sorted([*(PROJECT_ROOT / "funnel").rglob("*.py"), *(PROJECT_ROOT / "orchestration").rglob("*.py")])
    assert len(files) > 60, "funnel/ and orchestration/ not found where expected"
    breaks = [b for path in files for b in rule_breaks(path)]
    layers = {}
    for path in files:
        layers.setdefault((layer_of(module_name(path)) or (99, "none"))[1], []).append(module_name(path))
    for name, _ in LAYERS:
        print(f"{name:<20} {len(layers.get(name, [])):>3} modules")
    print(f"{len(files)} modules checked, {len(breaks)} rule(s) broken")
    assert not breaks, "\n".join(breaks)


def test_the_orchestration_wing_holds_only_dagster_definitions():
    """Every module of orchestration/ imports Dagster or builds on one that does."""
    files = sorted((PROJECT_ROOT / "orchestration").rglob("*.py"))
    plain = [
        module_name(path)
        for path in files
        if path.name != "__init__.py"
        and not any(
            m.split(".")[0] in DAGSTER or m.startswith("orchestration.")
            for _, m in imported_modules(ast.parse(path.read_text(encoding="utf-8")), _package_of(path))
        )
    ]
    assert plain == [], f"no Dagster here: move to funnel/ — {plain}"


@pytest.mark.parametrize(
    "source, module, broken",
    [
        ("import dagster as dg", "funnel/publish.py", "the core imports dagster"),
        ("def f():\n    from dagster_dbt import DbtCliResource", "funnel/transform.py", "the core imports dagster_dbt"),
        (
            "from funnel.report import write_report",
            "funnel/checks/explain.py",
            "checks (funnel.checks.explain) imports report",
        ),
        ("from orchestration.runner import run_daily", "funnel/cli.py", "cli (funnel.cli) imports dagster launcher"),
        ("from orchestration.definitions import defs", "orchestration/lib/x.py", "imports dagster definitions"),
        (
            "from funnel.checks import slices",
            "funnel/sources/config.py",
            "sources (funnel.sources.config) imports checks",
        ),
        ("from funnel.nowhere import x", "funnel/nowhere_else.py", "is in no layer"),
    ],
)
def test_the_layer_check_finds_each_kind_of_break(tmp_path, monkeypatch, source, module, broken):
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_ROOT", tmp_path)
    path = tmp_path / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    found = rule_breaks(path)
    assert any(broken in b for b in found), found


def test_the_layer_check_lets_a_layer_import_itself_and_below(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "PROJECT_ROOT", tmp_path)
    path = tmp_path / "funnel" / "report.py"
    path.parent.mkdir(parents=True)
    path.write_text("from funnel.checks.explain import period_label\nfrom funnel.config import Settings\nimport duckdb")
    assert rule_breaks(path) == []


@pytest.mark.parametrize(
    "source",
    [
        "import orchestration",
        "import funnel.config as config",
        "from funnel.sources.hubspot_api.windows import parse_ms",
        "def later():\n    from orchestration.runner import run_daily\n",
        "class C:\n    def m(self):\n        import tests.truth\n",
        "from tests.hubspot_api.conftest import TOKEN",
        "from ... import orchestration",
        "import importlib\nimportlib.import_module('funnel.cli')",
    ],
)
def test_the_check_finds_a_forbidden_import_wherever_it_is(source):
    assert forbidden_imports(source, ("sample_company", "truth")) != []


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nfrom pathlib import Path",
        "from . import contract\nfrom ..simulate.clock import Clock",
        "from .. import salesforce_variant",
        "import testsuite\nimport orchestration_helpers",
    ],
)
def test_the_check_lets_the_package_import_itself_and_third_parties(source):
    assert forbidden_imports(source, ("sample_company", "truth")) == []
