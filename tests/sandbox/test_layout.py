"""The sandbox is laid out one folder per AEP service (as moto lays out AWS): each service's
route table, request/response handling and state live in their own modules, shared code sits
below them in ``core`` and ``profilestore``, and no two files import each other in a circle.

Every import counts, including those under ``if TYPE_CHECKING:`` and inside functions: a
circle hidden behind either is still a circle a reader has to untangle."""

from __future__ import annotations

import ast
from pathlib import Path

import segctl.sandbox

ROOT = Path(segctl.sandbox.__file__).parent
PACKAGE = "segctl.sandbox"
SERVICES = ("definitions", "audiences", "jobs", "exports", "previews", "mergepolicies",
            "schedules", "catalog", "dataaccess", "ims", "search", "profileaccess")
SHARED = ("core", "profilestore")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The sandbox modules ``path`` imports: ``from pkg import name`` names the submodule when
    ``name`` is one, else the package itself."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in modules:
                    found.add(sub)
                elif node.module in modules:
                    found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_each_service_has_its_routes_responses_and_state_apart() -> None:
    for service in SERVICES:
        folder = ROOT / service
        assert (folder / "routes.py").is_file(), service
        assert (folder / "responses.py").is_file(), service


def test_shared_code_imports_no_service() -> None:
    services = tuple(f"{PACKAGE}.{s}" for s in SERVICES)
    for name, deps in _graph().items():
        if name.startswith(tuple(f"{PACKAGE}.{s}" for s in SHARED)):
            assert not [d for d in deps if d.startswith(services)], name


def test_services_do_not_import_the_assembly() -> None:
    """Services see the sandbox through ``core.host.Host``, never ``app`` or ``routes``."""
    top = {f"{PACKAGE}.app", f"{PACKAGE}.routes", PACKAGE}
    for name, deps in _graph().items():
        if name.startswith(tuple(f"{PACKAGE}.{s}." for s in (*SERVICES, *SHARED))):
            assert not deps & top, name


def test_public_names_are_stable() -> None:
    assert sorted(segctl.sandbox.__all__) == ["FaultConfig", "LocalSandbox", "SandboxServer",
                                              "default_data_dir", "faults_from_env",
                                              "parse_faults"]
