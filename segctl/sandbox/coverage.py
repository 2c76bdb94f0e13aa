"""The implementation coverage table of the local sandbox (moto's IMPLEMENTATION_COVERAGE.md),
generated from the route table against the operations of Adobe's OpenAPI specs.

``aep_operations.json`` is a small extract of those specs (method, path, operationId, summary
and query parameters of each operation, with the repository, commit and path it came from);
Adobe's specs themselves are not copied. Regenerate:

    python -m segctl.sandbox.coverage                      # rewrite IMPLEMENTATION_COVERAGE.md
    python -m segctl.sandbox.coverage --check              # exit 1 when it is out of date
    python -m segctl.sandbox.coverage --extract CHECKOUT   # re-extract the operations (and the
                                                           # shapes of the audiences examples)
                                                           # from a checkout of
                                                           # experience-platform-apis

An operation is *implemented* when a route answers its method and path and honours every query
parameter the spec lists, *partial* when it ignores some of them (listed) or its route carries
a note, and *absent* when no route answers it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segctl.sandbox.core.web import Route

HERE = Path(__file__).parent
OPERATIONS_FILE = HERE / "aep_operations.json"
# the field names and JSON types (not the values) of the audiences examples, which
# tests/fidelity/test_audiences.py holds the emulator's answers to, field by field
SHAPES_FILE = HERE.parent.parent / "tests" / "fidelity" / "audience_example_shapes.json"
SHAPES_SPEC = "static/swagger-specs/segmentation.yaml"
SHAPES_PREFIX = "/audiences"
TABLE_FILE = HERE / "IMPLEMENTATION_COVERAGE.md"
SOURCE_REPO = "AdobeDocs/experience-platform-apis"
# spec file -> (title, base path of its server URL); the specs whose APIs the sandbox emulates
SPECS: dict[str, tuple[str, str]] = {
    "static/swagger-specs/segmentation.yaml": ("Segmentation Service", "/data/core/ups"),
    "static/swagger-specs/profile.yaml": ("Real-Time Customer Profile", "/data/core"),
    "static/swagger-specs/catalog.yaml": ("Catalog Service", "/data/foundation/catalog"),
    "static/swagger-specs/data-access.yaml": ("Data Access", "/data/foundation/export"),
}
_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the full path: the spec's server base plus its path
    operation_id: str
    summary: str
    query: tuple[str, ...]


# -- extraction (from a checkout of Adobe's specs) -----------------------------------------------
def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = spec
    for key in ref.lstrip("#/").split("/"):
        target = target[key]
    return dict(target)


def extract_spec(spec: dict[str, Any], base: str) -> list[dict[str, Any]]:
    """The operations of one parsed OpenAPI document, in the spec's order."""
    out = []
    for path, item in (spec.get("paths") or {}).items():
        shared = item.get("parameters") or []
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = [_resolve(spec, p) for p in [*shared, *(op.get("parameters") or [])]]
            out.append({"method": method.upper(), "path": base + path,
                        "operationId": op.get("operationId", ""),
                        "summary": " ".join(str(op.get("summary", "")).split()),
                        "query": [p["name"] for p in params if p.get("in") == "query"]})
    return out


def extract(checkout: Path) -> dict[str, Any]:
    """The extract of every spec in ``SPECS`` from a git checkout of the specs' repository."""
    import yaml

    commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    specs = []
    for rel, (title, base) in SPECS.items():
        doc = yaml.safe_load((checkout / rel).read_text(encoding="utf-8"))
        specs.append({"path": rel, "title": title, "base": base,
                      "operations": extract_spec(doc, base)})
    return {"source": {"repository": SOURCE_REPO, "commit": commit}, "specs": specs}


def shape(value: Any) -> Any:
    """A JSON value's shape: objects keep their keys, arrays the distinct shapes of their
    items (a list may mix kinds of audience), scalars become their JSON type name."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        distinct: list[Any] = []
        for item in value:
            if shape(item) not in distinct:
                distinct.append(shape(item))
        return distinct
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null" if value is None else "string"


def example_shapes(spec: dict[str, Any], prefix: str, component: str) -> dict[str, Any]:
    """``"<operationId> <status> <example name>"`` -> the shape of that response example, for
    every operation under ``prefix``, plus each request body example, plus ``"components
    <name>"`` for the shared examples whose name contains ``component``."""
    out: dict[str, Any] = {}
    for name, example in ((spec.get("components") or {}).get("examples") or {}).items():
        if component in name and isinstance(example, dict) and "value" in example:
            out[f"components {name}"] = shape(example["value"])
    for path, item in (spec.get("paths") or {}).items():
        if not path.startswith(prefix):
            continue
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            oid = op.get("operationId", f"{method} {path}")
            body = ((op.get("requestBody") or {}).get("content") or {}).get("application/json")
            for name, example in _examples(spec, body or {}).items():
                out[f"{oid} request {name}"] = shape(example)
            for status, response in (op.get("responses") or {}).items():
                content = ((response or {}).get("content") or {}).get("application/json") or {}
                for name, example in _examples(spec, content).items():
                    out[f"{oid} {status} {name}"] = shape(example)
    return out


def _examples(spec: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "example" in content:
        found["example"] = content["example"]
    for name, example in (content.get("examples") or {}).items():
        resolved = _resolve(spec, example) if isinstance(example, dict) else {}
        if "value" in resolved:
            found[name] = resolved["value"]
    return found


# -- the table -----------------------------------------------------------------------------------
def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))


def _status(op: Operation, route: Route | None) -> tuple[str, str]:
    """(mark, detail) of one operation: ``X`` implemented, ``~`` partial, `` `` absent."""
    if route is None:
        return " ", "absent"
    missing = [q for q in op.query if q not in route.query]
    parts = []
    if missing:
        parts.append("ignores " + ", ".join(f"`{q}`" for q in missing))
    extra = [q for q in route.query if q not in op.query]
    if route.note:
        parts.append(route.note)
    detail = "; ".join(parts)
    if extra:
        detail = "; ".join(p for p in (detail, "also " + ", ".join(f"`{q}`" for q in extra)) if p)
    return ("~" if missing or route.note else "X"), detail


def render(routes: Sequence[Route], data: dict[str, Any]) -> str:
    by_shape = {(r.method, _shape(r.pattern)): r for r in routes}
    used: set[tuple[str, str]] = set()
    counts = {"X": 0, "~": 0, " ": 0}
    sections = []
    for spec in data["specs"]:
        lines = [f"## {spec['title']} (`{spec['path']}`, base `{spec['base']}`)", ""]
        for raw in spec["operations"]:
            op = Operation(raw["method"], raw["path"], raw["operationId"], raw["summary"],
                           tuple(raw["query"]))
            key = (op.method, _shape(op.path))
            route = by_shape.get(key)
            if route is not None:
                used.add(key)
            mark, detail = _status(op, route)
            counts[mark] += 1
            line = f"- [{mark}] `{op.method} {op.path}` {op.operation_id}: {op.summary}"
            lines.append(f"{line} ({detail})" if detail else line)
        sections.append("\n".join(lines))
    outside = [r for r in routes if (r.method, _shape(r.pattern)) not in used]
    if outside:
        lines = ["## Routes outside these specs", ""]
        lines += [f"- `{r.method} {r.pattern}`" + (f" ({r.note})" if r.note else "")
                  for r in outside]
        sections.append("\n".join(lines))
    total = sum(counts.values())
    src = data["source"]
    head = [
        "# Implementation coverage of the local sandbox",
        "",
        "Generated by `python -m segctl.sandbox.coverage` from the route table",
        "(`segctl/sandbox/routes.py`) and the operations of Adobe's OpenAPI specs, extracted to",
        f"`segctl/sandbox/aep_operations.json` from `{src['repository']}` at commit",
        f"`{src['commit']}`. Do not edit by hand: `tests/sandbox/test_coverage_table.py`",
        "fails when this file is out of date.",
        "",
        "`[X]` implemented, `[~]` partial (the query parameters it ignores, or a note), `[ ]`",
        "absent. Which documentation each implemented behaviour follows is in `FIDELITY.md`.",
        "",
        f"{counts['X'] + counts['~']} of {total} operations answered: {counts['X']} implemented,"
        f" {counts['~']} partial, {counts[' ']} absent.",
    ]
    return "\n".join(head) + "\n\n" + "\n\n".join(sections) + "\n"


def load_operations(path: Path = OPERATIONS_FILE) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def current_table() -> str:
    from segctl.sandbox.routes import ROUTES

    return render(ROUTES, load_operations())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segctl.sandbox.coverage",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when IMPLEMENTATION_COVERAGE.md is out of date")
    parser.add_argument("--extract", metavar="CHECKOUT", type=Path,
                        help="re-extract aep_operations.json from a checkout of "
                             f"{SOURCE_REPO} first")
    args = parser.parse_args(argv)
    if args.extract is not None:
        data = extract(args.extract)
        OPERATIONS_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        import yaml

        spec = yaml.safe_load((args.extract / SHAPES_SPEC).read_text(encoding="utf-8"))
        shapes = {"source": {**data["source"], "path": SHAPES_SPEC},
                  "shapes": example_shapes(spec, SHAPES_PREFIX, "Audience")}
        SHAPES_FILE.write_text(json.dumps(shapes, indent=1) + "\n", encoding="utf-8")
    table = current_table()
    if args.check:
        same = TABLE_FILE.is_file() and TABLE_FILE.read_text(encoding="utf-8") == table
        if not same:
            print(f"{TABLE_FILE} is out of date: run python -m segctl.sandbox.coverage",
                  file=sys.stderr)
        return 0 if same else 1
    TABLE_FILE.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
