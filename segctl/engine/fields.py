"""Export ``fields:`` against the sandbox's profile union schema (pure, plus one read).

A path is checked step by step through the resolved union (``properties``; an array steps into
its ``items``; a map such as ``identityMap`` takes any key through ``additionalProperties``).
A path the schema does not have would export empty columns, so the plan refuses it at the
export's ``fields:`` line and suggests the closest known path.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from segctl.aep import AepClient, ApiError
from segctl.engine.model import PlanWarning
from segctl.engine.normalise import PlanError
from segctl.project import Project


def known(schema: Mapping[str, Any], path: str) -> bool:
    """True when ``path`` (dot-separated) exists in the resolved ``schema``."""
    node: Any = schema
    for part in path.split("."):
        while isinstance(node, Mapping) and node.get("type") == "array":
            node = node.get("items") or {}
        if not isinstance(node, Mapping):
            return False
        properties = node.get("properties")
        if isinstance(properties, Mapping) and part in properties:
            node = properties[part]
        elif isinstance(node.get("additionalProperties"), Mapping):
            node = node["additionalProperties"]
        else:
            return False
    return True


def leaf_paths(schema: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Every named path of ``schema`` (map keys are not enumerable and are left out)."""
    node: Any = schema
    while isinstance(node, Mapping) and node.get("type") == "array":
        node = node.get("items") or {}
    properties = node.get("properties") if isinstance(node, Mapping) else None
    if not isinstance(properties, Mapping) or not properties:
        if prefix:
            yield prefix
        return
    for name, child in properties.items():
        yield from leaf_paths(child, f"{prefix}.{name}" if prefix else str(name))


def unknown_fields(schema: Mapping[str, Any], paths: Sequence[str]
                   ) -> list[tuple[str, str | None]]:
    """(path, closest known path or None) for each path ``schema`` does not have."""
    names = list(leaf_paths(schema))
    return [(p, next(iter(difflib.get_close_matches(p, names, n=1)), None))
            for p in paths if not known(schema, p)]


def check_export_fields(project: Project, client: AepClient) -> tuple[PlanWarning, ...]:
    """Raise a located :class:`PlanError` for the first export field the sandbox's profile
    schema does not have; a warning instead when the schema cannot be read."""
    exports = [e for e in project.exports if e.fields]
    if not exports:
        return ()
    try:
        schema = client.get_union_schema()
    except ApiError as err:
        return (PlanWarning("fields-unchecked", "export fields were not checked against the "
                            f"profile schema: it could not be read ({err.message})"),)
    for export in exports:
        for path, hint in unknown_fields(schema, export.fields or ()):
            raise PlanError(
                f"export {export.key!r}: the field {path!r} is not in the sandbox's profile "
                "schema (it would export an empty column)",
                location=export.field_location("fields"),
                hint=f"did you mean {hint!r}?" if hint else "check the path in the schema")
    return ()
