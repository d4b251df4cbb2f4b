"""The layering rules of docs/architecture.md, checked on the source: a broken rule fails here first."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function (``from a import b`` gives a.b
    when a.b is a module, else a)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _exists(candidate) else node.module)
    return found


def _exists(module: str) -> bool:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _graph(package: str) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_engine_has_no_import_cycle():
    assert _cycles(_graph("engine")) == []


def test_the_engine_does_not_know_the_web():
    leaks = {
        name: deps
        for name, deps in _graph_all("engine").items()
        if any(d.startswith(("web", "flask")) for d in deps)
    }
    assert leaks == {}


def _graph_all(package: str) -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in (ROOT / package).rglob("*.py")}


WEB = ["web"]
MAX_LINES = 450


def _files(paths: list[str]) -> list[Path]:
    found = []
    for name in paths:
        path = ROOT / name
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def test_the_web_reads_no_model_and_opens_no_transaction():
    offenders = {}
    for path in _files(WEB):
        found = [m for m in _imports(path) if m.startswith("engine.models")]
        if "transaction()" in path.read_text(encoding="utf-8"):
            found.append("transaction()")
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_blueprints_do_not_import_each_other():
    blueprints = {p.name for p in (ROOT / "web").iterdir() if (p / "__init__.py").is_file()}
    crossings = {}
    for blueprint in sorted(blueprints):
        for path in (ROOT / "web" / blueprint).rglob("*.py"):
            others = {
                m
                for m in _imports(path)
                if m.startswith("web.") and m.split(".")[1] in blueprints - {blueprint}
            }
            if others:
                crossings[str(path.relative_to(ROOT))] = sorted(others)
    assert crossings == {}


def test_modules_are_short_enough_to_read():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _files(["engine", "web"])
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
