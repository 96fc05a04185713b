"""The package's shape (issue 12): small functions and classes, imports at the top, no import circle.

Checked on the source with `ast`. Every module of the package is held to it.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "consolidator"
# Entry points, where start-up time justifies importing inside a function (pandas for one command).
LAZY_IMPORTS_ALLOWED = ("cli.py",)
# The commands' ends, the only modules above the output stage: the CLI, the demo round, and
# the web page's service (its "consolidate" button writes the workbook as the CLI does).
ENTRY_POINTS = ("cli.py", "demo.py", "web/service.py")
MOST_FUNCTION_LINES = 80
MOST_CLASS_LINES = 250


def _modules() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py"))


@lru_cache(maxsize=None)
def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / module).read_text(encoding="utf-8"), module)


def _lines(node: ast.AST) -> int:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    return node.end_lineno - first + 1


def _too_long(module: str) -> list[str]:
    found = []
    for node in ast.walk(_tree(module)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _lines(node) > MOST_FUNCTION_LINES:
            found.append(f"{module}: def {node.name} (line {node.lineno}) has {_lines(node)} lines")
        elif isinstance(node, ast.ClassDef) and _lines(node) > MOST_CLASS_LINES:
            found.append(f"{module}: class {node.name} (line {node.lineno}) has {_lines(node)} lines")
    return found


def _imports_inside_functions(module: str) -> list[str]:
    if module in LAZY_IMPORTS_ALLOWED:
        return []
    return [f"{module}: an import inside {fn.name} (line {node.lineno})"
            for fn in ast.walk(_tree(module)) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn) if isinstance(node, (ast.Import, ast.ImportFrom))]


def _circle(module: str) -> list[str]:
    cycle = _cycle_from(module, _graph())
    return [f"{module}: an import circle " + " → ".join(cycle)] if cycle else []


def _shape_problems(module: str) -> list[str]:
    return _too_long(module) + _imports_inside_functions(module) + _circle(module)


@pytest.mark.parametrize("module", _modules())
def test_a_module_has_small_functions_and_classes_its_imports_at_the_top_and_no_circle(module):
    assert not _shape_problems(module)


@lru_cache(maxsize=1)
def _graph() -> dict[str, set[str]]:
    return {m: _imports(m) for m in _modules()}


def _imports(module: str) -> set[str]:
    """The package's modules `module` imports at its top level, as paths relative to the package."""
    here = Path(module).parent
    found = set()
    for node in _tree(module).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here
            for _ in range(node.level - 1):
                base = base.parent
            target = base.joinpath(*node.module.split(".")) if node.module else base
            # `from . import x` imports x; `from .x import y`, x (and y, when it is a module)
            names = ([target] if node.module else []) + [target / alias.name for alias in node.names]
            for name in names:
                for candidate in (name.with_suffix(".py"), name / "__init__.py"):
                    if (PACKAGE / candidate).exists():
                        found.add(str(candidate))
    return found - {module}


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    path, seen = [start], set()

    def visit(node: str) -> list[str] | None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                found = visit(nxt)
                if found:
                    return found
                path.pop()
        return None

    return visit(start)


def test_the_output_stage_is_imported_only_by_the_entry_points():
    # the direction of flow: catalog → generate → read → validate → consolidate → write
    importers = {m for m in _modules() if not m.startswith("write/") and any(
        i.startswith("write/") for i in _imports(m) | _lazy_imports(m))}
    assert importers <= set(ENTRY_POINTS), importers


def _lazy_imports(module: str) -> set[str]:
    return {f"{node.module.replace('.', '/')}/__init__.py" for node in ast.walk(_tree(module))
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}


def test_the_checks_see_what_they_must():
    # an honest test can fail: the measures find a long function, a lazy import and a circle
    long_fn = ast.parse("def f():\n" + "    x = 1\n" * 90)
    assert _lines(long_fn.body[0]) == 91
    graph = {"a.py": {"b.py"}, "b.py": {"a.py"}, "c.py": {"a.py"}}
    assert _cycle_from("a.py", graph) == ["a.py", "b.py", "a.py"] and _cycle_from("c.py", graph) is None
    assert "write/outputs.py" in _imports("write/__init__.py")
