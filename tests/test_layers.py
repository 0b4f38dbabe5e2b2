"""The layers of the code and the one direction of its imports (docs/architecture.md).

Every module of `salesperf` belongs to one layer; a module may import from its own layer and
the layers below, never from a layer above, and no set of modules imports itself in a circle.
Imports inside functions count as much as those at the top of a module; only imports under
`if TYPE_CHECKING:` are left out (they are read by the type checker, never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

import salesperf

PACKAGE = Path(salesperf.__file__).parent

#: The layers, lowest first. A module belongs to the layer of the longest name below that is
#: its own name or a package above it. A new module is placed here, or this test fails.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("salesperf", "errors", "text", "cells", "schema", "i18n")),
    (
        "definitions",
        (
            "metrics",  # the package itself; its modules are below or in "metrics"
            "metrics.declare",
            "metrics.nulls",
            "metrics.activity_metrics",
            "metrics.performance_metrics",
            "metrics.effectiveness_metrics",
            "metrics.registry",
            "metrics.measures",
            "metrics.periods",
            "contexts",
            "settings",
            "fx",
        ),
    ),
    ("store", ("store",)),
    (
        "metrics",
        (
            "metrics.facts",
            "metrics.rows",
            "metrics.query",
            "metrics.levels",
            "metrics.targets",
            "metrics.comparisons",
            "metrics.plan",
            "metrics.measuring",
            "metrics.compiler",
            "metrics.docs",
        ),
    ),
    ("ingest and auth", ("ingest", "auth")),
    ("sync", ("sync",)),
    ("analysis", ("analysis", "scorecard", "demo")),
    ("server and command line", ("server", "cli")),
    ("entry point", ("__main__",)),
)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name without the leading `salesperf.`
    (the package itself is `salesperf`)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts) or "salesperf"] = path
    return out


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, name: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """The package's modules that the module `name` imports, wherever in it (functions too),
    except under `if TYPE_CHECKING:`. `from pkg import sub` counts as importing `pkg.sub`."""
    known = set(known)
    found: set[str] = set()

    def resolve(dotted: str) -> str | None:
        if dotted != "salesperf" and not dotted.startswith("salesperf."):
            return None
        rest = dotted.removeprefix("salesperf").removeprefix(".") or "salesperf"
        while rest not in known and "." in rest:
            rest = rest.rpartition(".")[0]
        return rest if rest in known else None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(filter(None, (resolve(a.name) for a in node.names)))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                own = ["salesperf", *name.split(".")] if name != "salesperf" else ["salesperf"]
                if not is_package:
                    own = own[:-1]
                own = own[: len(own) - (node.level - 1)]
                base = ".".join([*own, *([base] if base else [])])
            for a in node.names:
                sub = resolve(f"{base}.{a.name}")
                whole = resolve(base)
                # `from salesperf.x import sub`: the submodule; otherwise the module itself
                found.update(filter(None, [sub if sub not in (None, whole) else whole]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(name)
    return found


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module's imports of the package's modules."""
    mods = modules(root)
    return {
        name: imported(
            ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", mods
        )
        for name, path in mods.items()
    }


def layer_of(module: str) -> int | None:
    """The index of the module's layer, or None when no layer holds it."""
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for i, (_, names) in enumerate(LAYERS):
        for n in names:
            mine = module == n or module.startswith(n + ".")
            if mine and (best is None or len(n) > best[0]):
                best = (len(n), i)
    return None if best is None else best[1]


def upward(g: dict[str, set[str]]) -> list[str]:
    """Every import from a layer above the importing module's own."""
    out = []
    for m, deps in sorted(g.items()):
        for d in sorted(deps):
            lm, ld = layer_of(m), layer_of(d)
            if lm is not None and ld is not None and ld > lm:
                out.append(f"{m} ({LAYERS[lm][0]}) imports {d} ({LAYERS[ld][0]})")
    return out


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """The sets of modules that import each other in a circle (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(g):
        if v not in index:
            strong(v)
    return out


@pytest.fixture(scope="module")
def the_graph() -> dict[str, set[str]]:
    return graph()


def test_every_module_has_a_layer(the_graph: dict[str, set[str]]) -> None:
    assert [m for m in the_graph if layer_of(m) is None] == []
    assert "store.engines.local" in the_graph and "server.api.routes" in the_graph


def test_no_module_imports_from_a_layer_above_its_own(the_graph: dict[str, set[str]]) -> None:
    assert upward(the_graph) == []


def test_no_modules_import_each_other_in_a_circle(the_graph: dict[str, set[str]]) -> None:
    assert circles(the_graph) == []


def _planted(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    root = tmp_path / "salesperf"
    for rel, code in {"__init__.py": "", **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(code, encoding="utf-8")
    return graph(root)


def test_the_check_sees_an_upward_import_inside_a_function(tmp_path: Path) -> None:
    g = _planted(
        tmp_path,
        {
            "errors.py": "def f():\n    from salesperf.analysis.windows import resolve_window\n",
            "analysis/__init__.py": "",
            "analysis/windows.py": "",
        },
    )
    assert upward(g) == ["errors (base) imports analysis.windows (analysis)"]


def test_the_check_leaves_type_checking_imports_out(tmp_path: Path) -> None:
    g = _planted(
        tmp_path,
        {
            "errors.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from salesperf.store import Store\n",
            "store/__init__.py": "",
        },
    )
    assert upward(g) == []


def test_the_check_sees_a_circle_through_a_submodule_import(tmp_path: Path) -> None:
    g = _planted(
        tmp_path,
        {
            "server/__init__.py": "",
            "server/deps.py": "from salesperf.server import services\n",
            "server/services.py": "def f():\n    from .render import x\n",
            "server/render.py": "from salesperf.server.deps import View\n",
        },
    )
    assert circles(g) == [["server.deps", "server.render", "server.services"]]


def test_the_architecture_document_names_the_layers_in_order() -> None:
    text = (Path(__file__).parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    places = [text.find(f"**{name}**") for name, _ in LAYERS]
    assert -1 not in places and places == sorted(places), places


#: No module of the package is longer than this: a longer one holds more than one thing.
MAX_LINES = 400


def test_no_module_is_longer_than_400_lines() -> None:
    lines = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert len(lines) > 100  # the package's modules were found
    too_long = {str(p.relative_to(PACKAGE)): n for p, n in lines.items() if n > MAX_LINES}
    assert too_long == {}
