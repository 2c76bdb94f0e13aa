"""Extract the documented requests and answers of Adobe's OpenAPI specs that the spec-replay
suite replays (``spec_examples.json``): per operation the sandbox answers, the documented
response statuses, the first example request body and the shape (top-level keys and JSON
types) of the first example success answer. Only this small extract is kept in the repo, with
the repository, commit and path it came from; the specs themselves are not copied.

    python -m tests.fidelity.replay.extract CHECKOUT   # a clone of experience-platform-apis
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from segctl.sandbox.coverage import SPECS
from segctl.sandbox.routes import ROUTES

HERE = Path(__file__).parent
OUT = HERE / "spec_examples.json"
_METHODS = ("get", "post", "put", "patch", "delete")


def _deref(spec: dict[str, Any], node: Any, depth: int = 0) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 8:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _deref(spec, target, depth + 1)
    return node


def shape(value: Any) -> Any:
    """The JSON type of a value; for an object its keys and their types (one level)."""
    if isinstance(value, dict):
        return {k: _type(v) for k, v in value.items()}
    if isinstance(value, list):
        return ["array", _type(value[0]) if value else "any"]
    return _type(value)


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _example(spec: dict[str, Any], content: Any) -> Any:
    """The media type's example, else its first named example, else one built from the
    schema's property examples (as Swagger UI shows it)."""
    content = _deref(spec, content) or {}
    media = next(iter(content.values()), None) if isinstance(content, dict) else None
    media = _deref(spec, media) or {}
    if "example" in media:
        return media["example"]
    for example in (media.get("examples") or {}).values():
        example = _deref(spec, example)
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return _from_schema(spec, media.get("schema"), 0)


def _from_schema(spec: dict[str, Any], schema: Any, depth: int) -> Any:
    schema = _deref(spec, schema)
    if not isinstance(schema, dict) or depth > 6:
        return None
    if "example" in schema:
        return schema["example"]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            built = _from_schema(spec, part, depth + 1)
            if isinstance(built, dict):
                merged.update(built)
        return merged or None
    if schema.get("type") == "array" or "items" in schema:
        item = _from_schema(spec, schema.get("items"), depth + 1)
        return None if item is None else [item]
    props = schema.get("properties")
    if isinstance(props, dict):
        built = {k: _from_schema(spec, v, depth + 1) for k, v in props.items()}
        built = {k: v for k, v in built.items() if v is not None}
        return built or None
    return None


def _served(method: str, path: str) -> bool:
    """A route of the sandbox answers ``method path`` (the spec's ``{PARAM}`` placeholders
    stand for one path segment each, as the routes' ``{id}`` do)."""
    concrete = path.replace("{", "").replace("}", "")
    return any(route.method == method and route.compiled().match(concrete)
               for route in ROUTES)


def extract(checkout: Path) -> dict[str, Any]:
    commit = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    out: dict[str, Any] = {"source": {"repository": "AdobeDocs/experience-platform-apis",
                                      "commit": commit}, "operations": []}
    for rel, (_title, base) in SPECS.items():
        spec = yaml.safe_load((checkout / rel).read_text(encoding="utf-8"))
        for path, item in spec["paths"].items():
            for method in _METHODS:
                op = item.get(method)
                if op is None:
                    continue
                full = base + path
                if not _served(method.upper(), full):
                    continue
                responses = {str(k): v for k, v in (op.get("responses") or {}).items()}
                ok = sorted(s for s in responses if s.startswith("2"))
                body = _example(spec, (_deref(spec, op.get("requestBody") or {})
                                       ).get("content"))
                answer = _example(spec, _deref(spec, responses[ok[0]]).get("content")) \
                    if ok else None
                out["operations"].append({
                    "spec": rel, "method": method.upper(), "path": full,
                    "operationId": op.get("operationId", ""), "statuses": sorted(responses),
                    "success": ok[0] if ok else None, "request": body,
                    "response_shape": None if answer is None else shape(answer)})
    return out


def _rfc3339(value: Any) -> str:
    """YAML reads an unquoted ``2018-01-01T00:00:00Z`` as a datetime; write it back as text."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 1
    OUT.write_text(json.dumps(extract(Path(argv[0])), indent=1, sort_keys=True,
                                  default=_rfc3339)
                   + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
