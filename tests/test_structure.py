"""The shape of the code: every module imports, imports flow one way, no import cycle,
no module over 500 lines, SQL only in data/ (BRIEF: one concept, one name, one place).

The import graph is read from the source with `ast`: module-level imports make the graph
whose cycles would break an import; every import, also one deferred into a function,
counts for the direction rule (nlp and data never import crawler or each other)."""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "nlp", "data")
MAX_LINES = 500
#: other engineers' packages being split on their own issues (reported, not failed here)
ELSEWHERE = ("nlp/figures/", "nlp/entities/")


def _modules() -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found["newsmon." + ".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> tuple[set[str], set[str]]:
    """(module-level imports, all imports) of newsmon modules by module `name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top, every = set(), set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            # `from package import module` names a module; `from module import name` does not
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        for target in targets:
            if target.startswith("newsmon."):
                while target not in MODULES and "." in target:
                    target = target.rsplit(".", 1)[0]
                every.add(target)
                if node in tree.body:
                    top.add(target)
    return top - {name}, every - {name}


@functools.cache
def import_graph() -> dict[str, tuple[set[str], set[str]]]:
    """Each module's (module-level, all) newsmon imports; parsed when a test first asks,
    not at collection (every pytest-xdist worker collects this module)."""
    return {name: _imports(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_nlp_and_data_never_import_crawler_or_each_other():
    wrong = []
    for name, (_, every) in import_graph().items():
        layer = name.split(".")[1]
        forbidden = {"nlp": ("crawler", "data"), "data": ("crawler", "nlp")}.get(layer, ())
        wrong += [f"{name} -> {t}" for t in every if t.split(".")[1] in forbidden]
    assert wrong == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _parents(name: str) -> set[str]:
    """A module's import also imports its packages (their __init__)."""
    parts = name.split(".")
    return {".".join(parts[:k]) for k in range(2, len(parts))} & set(MODULES)


def test_no_import_cycle_between_modules():
    graph = {name: {t for t in top if t not in _parents(name)} for name, (top, _) in import_graph().items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    mine = {p: n for p, n in long.items() if not p.startswith(ELSEWHERE)}
    assert mine == {}, long


_SQL = re.compile(r"\b(select\s+[\w*(].*\bfrom\s+\w+|insert\s+into|delete\s+from|create\s+"
                  r"(or\s+replace\s+)?(temp\s+)?(table|view|index)|update\s+\w+\s+set|"
                  r"alter\s+table)\b", re.IGNORECASE | re.DOTALL)


def _strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, docstrings and click help excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_sql_only_in_data():
    found = []
    for name, path in MODULES.items():
        if name.startswith("newsmon.data"):
            continue
        for line, text in _strings(path):
            example = ("newsmon sql" in text or ".sql(" in text  # shown to the reader
                       or text.lstrip().startswith('"'))  # a query quoted for the shell
            if _SQL.search(text) and not example:
                found.append(f"{path.relative_to(ROOT)}:{line}")
    assert found == []
