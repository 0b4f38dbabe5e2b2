"""The benchmarks import salesperf inside their functions (each contender runs in a process of
its own); a name that moved must fail here, not at the first step of `make bench`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

# importing the whole product (the server, the analyses) costs seconds: make test runs it
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _imports() -> list[tuple[str, str, int, str]]:
    found = []
    for path in sorted(BENCH.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("salesperf"):
                found += [(path.name, node.module or "", node.lineno, a.name) for a in node.names]
    return found


def test_the_benchmarks_import_salesperf() -> None:
    assert len(_imports()) > 10  # the benchmarks do import salesperf (in their functions)


@pytest.mark.parametrize(("file", "module", "line", "name"), _imports())
def test_each_name_a_benchmark_imports_exists(file: str, module: str, line: int, name: str) -> None:
    mod = importlib.import_module(module)
    if not hasattr(mod, name):  # a submodule imported by name
        importlib.import_module(f"{module}.{name}")
