"""Turn live segment definitions into declared segments (pure; ``segctl import``).

They are read as Platform audiences (``engine.read_live_state``), so labels, TTL and the
lifecycle state come from where AEP keeps them; audiences of other origins are never imported.

The engine's normalisation is reused, so an imported file plans as no difference: the ownership
marker is split off the description, PQL goes through the local parser and canonical printer
(``pql/json`` becomes text), ``inSegment("<id>")`` becomes ``inSegment("key:<key>")``, and
server defaults (default merge policy, the profile schema, batch evaluation, empty labels) are
left out of the files.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any

from segctl.adopt.keys import slugify, unique_key, usable_key
from segctl.engine.normalise import (
    LiveSegment,
    MergePolicies,
    live_pql,
    live_refs,
    live_segment,
    parse_live_expression,
)
from segctl.errors import SegctlError
from segctl.project import DEFAULT_LIFECYCLE, DEFAULT_SCHEMA, LIFECYCLES


@dataclass(frozen=True)
class ImportedSegment:
    """One live definition as it will be declared."""

    key: str
    live_id: str
    name: str
    description: str = ""
    pql: str | None = None
    pql_json: Mapping[str, Any] | None = field(default=None, hash=False)
    schema: str = DEFAULT_SCHEMA
    ttl_in_days: int | None = None
    merge_policy: str | None = None  # None: the sandbox default
    evaluation: str = "batch"
    protect: bool = False
    labels: tuple[str, ...] = ()
    dependency_of: tuple[str, ...] = ()  # keys that pulled it in although --match did not
    lifecycle: str = DEFAULT_LIFECYCLE

    def document(self) -> dict[str, Any]:
        """The YAML document (schema field names), defaults left out."""
        doc: dict[str, Any] = {"kind": "Segment", "key": self.key, "name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.pql is not None:
            doc["pql"] = self.pql
        else:
            doc["pqlJson"] = dict(self.pql_json or {})
        if self.schema != DEFAULT_SCHEMA:
            doc["schema"] = self.schema
        if self.ttl_in_days is not None:
            doc["ttlInDays"] = self.ttl_in_days
        if self.merge_policy is not None:
            doc["mergePolicy"] = self.merge_policy
        if self.evaluation != "batch":
            doc["evaluation"] = self.evaluation
        if self.protect:
            doc["protect"] = True
        if self.labels:
            doc["labels"] = list(self.labels)
        if self.lifecycle != DEFAULT_LIFECYCLE:
            doc["lifecycle"] = self.lifecycle
        return doc


@dataclass(frozen=True)
class ImportResult:
    segments: tuple[ImportedSegment, ...]
    already_declared: tuple[str, ...] = ()  # live names the project declares already
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declared:
    """What the target project already declares (so import adds only what is missing)."""

    keys: frozenset[str] = frozenset()
    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # name->key

    def key_of(self, live: LiveSegment) -> str | None:
        if live.key is not None and live.key in self.keys:
            return live.key
        return self.names.get(live.name)


def _merge_policy(live: LiveSegment, policies: MergePolicies) -> str | None:
    policy_id = live.merge_policy_id
    if policy_id is None or policy_id == policies.default_id(live.schema):
        return None
    names = [p.get("name") for p in policies.policies]
    label = policies.label(policy_id)
    return label if label is not None and names.count(label) == 1 else policy_id


def _with_dependencies(
    chosen: Sequence[LiveSegment], by_id: Mapping[str, LiveSegment], skip: Collection[str]
) -> dict[str, list[str]]:
    """id -> names of the chosen segments that need it, for every transitive dependency."""
    pulled: dict[str, list[str]] = {s.id: [] for s in chosen}
    pending = list(chosen)
    while pending:
        current = pending.pop()
        for ref in sorted(live_refs(current)):
            if ref in by_id and ref not in skip:
                if ref not in pulled:
                    pulled[ref] = []
                    pending.append(by_id[ref])
                if current.id not in pulled[ref]:
                    pulled[ref].append(current.id)
    chosen_ids = {s.id for s in chosen}
    return {i: ([] if i in chosen_ids else deps) for i, deps in pulled.items()}


def _assign_keys(picked: Sequence[LiveSegment], declared: Declared) -> dict[str, str]:
    """live id -> key: a usable marker key first, else a unique slug of the name."""
    taken = set(declared.keys)
    keys: dict[str, str] = {}
    for live in picked:
        if usable_key(live.key) and live.key not in taken:
            keys[live.id] = str(live.key)
            taken.add(str(live.key))
    for live in picked:
        if live.id not in keys:
            keys[live.id] = unique_key(slugify(live.name), taken)
            taken.add(keys[live.id])
    return keys


def _expression(live: LiveSegment, id_to_key: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """``{"pql": text}`` or, when unreadable locally, the raw expression and a warning."""
    try:
        parse_live_expression(live.expression)
    except SegctlError as err:
        value = live.expression.get("value", "")
        warning = f"{live.name!r}: expression kept verbatim, the local parser cannot read it " \
                  f"({err.message}); `segctl validate` will point at it"
        if str(live.expression.get("format", "")).lower() == "pql/json":
            try:
                tree = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                tree = None
            if isinstance(tree, dict):
                return {"pql_json": MappingProxyType(tree)}, warning
        return {"pql": str(value)}, warning
    return {"pql": live_pql(live, id_to_key)}, ""


def plan_import(
    definitions: Sequence[Mapping[str, Any]],
    merge_policies: Sequence[Mapping[str, Any]] = (),
    *,
    match: str | None = None,
    declared: Declared = Declared(),
) -> ImportResult:
    """The segments to declare for ``definitions`` whose name matches the glob ``match``.

    Segments referenced through ``inSegment`` are imported too (a file set must be complete);
    definitions the project already declares are skipped but still resolve references.
    """
    lives = sorted((live_segment(d) for d in definitions), key=lambda s: (s.name, s.id))
    by_id = {s.id: s for s in lives}
    policies = MergePolicies(tuple(merge_policies))
    id_to_key = {s.id: k for s in lives if (k := declared.key_of(s)) is not None}
    wanted = [s for s in lives if match is None or fnmatchcase(s.name, match)]
    skipped = [s for s in wanted if s.id in id_to_key]
    chosen = [s for s in wanted if s.id not in id_to_key]
    needed = _with_dependencies(chosen, by_id, set(id_to_key))
    picked = [s for s in lives if s.id in needed]
    keys = _assign_keys(picked, declared)
    id_to_key.update(keys)

    warnings: list[str] = []
    imported: list[ImportedSegment] = []
    for live in picked:
        expression, warning = _expression(live, id_to_key)
        if warning:
            warnings.append(warning)
        lifecycle = live.lifecycle or DEFAULT_LIFECYCLE
        if lifecycle not in LIFECYCLES:
            warnings.append(f"{live.name!r}: its audience is {lifecycle}; declared as "
                            f"{DEFAULT_LIFECYCLE} (a project declares {' or '.join(LIFECYCLES)}), "
                            "so the next apply publishes it")
            lifecycle = DEFAULT_LIFECYCLE
        dangling = sorted(r for r in live_refs(live) if r not in id_to_key)
        if dangling:
            warnings.append(f"{live.name!r}: inSegment refers to unknown segment id(s) "
                            f"{', '.join(dangling)}; kept as written")
        imported.append(ImportedSegment(
            key=keys[live.id],
            live_id=live.id,
            name=live.name,
            description=live.description,
            protect=live.protect,
            schema=live.schema,
            ttl_in_days=live.ttl_in_days,
            merge_policy=_merge_policy(live, policies),
            evaluation=live.evaluation,
            labels=live.labels,
            dependency_of=tuple(keys[i] for i in needed[live.id]),
            lifecycle=lifecycle,
            **expression,
        ))
    return ImportResult(tuple(imported), tuple(s.name for s in skipped), tuple(warnings))
