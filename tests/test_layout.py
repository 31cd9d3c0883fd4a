"""The sample company stays independent of the product it checks.

sample_company/ is the oracle the warehouse is compared with: if it imported the product's
loaders, contract compiler or timestamp parsing, a bug there could make both sides agree. It
must not import tests/ either, since bench/ and the installed `funnel generate` use it without
them. Every import counts, including the lazy ones inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT_ROOT / "sample_company"
FORBIDDEN = ("orchestration", "tests")


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
    assert not offenders, "sample_company/ imports from orchestration or tests:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "import orchestration",
        "import orchestration.config as config",
        "from orchestration.sources.hubspot_api.windows import parse_ms",
        "def later():\n    from orchestration.runner import run_daily\n",
        "class C:\n    def m(self):\n        import tests.truth\n",
        "from tests.hubspot_api.conftest import TOKEN",
        "from ... import orchestration",
        "import importlib\nimportlib.import_module('orchestration.cli')",
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
