"""The pql package by axis: no import circles between its modules (the evaluator/ and json/
subpackages included), and the public names other packages import stay as they are."""

from __future__ import annotations

import ast
from pathlib import Path

import segctl.pql
from tests.sandbox.test_layout import _cycles

ROOT = Path(segctl.pql.__file__).parent


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The pql modules ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks left out);
    ``from pkg import name`` names the submodule when ``name`` is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return found & set(modules)


def _graph() -> dict[str, set[str]]:
    modules = {".".join(["segctl.pql", *(p for p in path.relative_to(ROOT).with_suffix("").parts
                                        if p != "__init__")]): path
               for path in sorted(ROOT.rglob("*.py"))}
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_no_import_circles() -> None:
    graph = _graph()
    assert {"segctl.pql.evaluator.compiler", "segctl.pql.json.reader"} <= set(graph)
    assert _cycles(graph) == []


def test_public_names_are_stable() -> None:
    assert sorted(segctl.pql.__all__) == sorted([
        "Eligibility", "Expr", "PqlCallError", "PqlError", "PqlEvalError", "PqlJsonError",
        "PqlSyntaxError", "Predicate", "PreparedEvents", "ast", "canonical", "check",
        "classify", "compile", "evaluation_info", "from_json", "parse", "prepare_events",
        "rewrite_segment_refs", "segment_refs", "to_json", "to_text", "transform", "walk"])
