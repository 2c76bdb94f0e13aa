"""Normalise both sides of the diff into comparable values.

Declared segments and live definitions meet here: PQL goes through the local parser and printer
(so ``pql/json`` against ``pql/text``, or a whitespace change, is no difference), the ownership
marker is split off the description, ``default`` merge policies resolve to the sandbox default,
and the server-owned fields (ids, timestamps, ``dataGovernancePolicy``...) are simply never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from segctl import pql
from segctl.aep.documents import LiveDefinition, definition_fields
from segctl.engine import marker
from segctl.engine.model import DesiredSegment, PlanWarning
from segctl.errors import SegctlError
from segctl.project import DEFAULT_MERGE_POLICY, RuleForm, Segment

KEY_PREFIX = "key:"


class PlanError(SegctlError):
    """The declared state cannot be planned against this sandbox (unknown merge policy...)."""


@dataclass(frozen=True)
class MergePolicies:
    """The sandbox's merge policies, for resolving names and ``default``."""

    policies: tuple[Mapping[str, Any], ...] = ()

    def default_id(self, schema: str = "_xdm.context.profile") -> str | None:
        for policy in self.policies:
            schema_name = (policy.get("schema") or {}).get("name", schema)
            if policy.get("default") is True and schema_name == schema:
                return str(policy["id"])
        return None

    def resolve(self, ref: str, schema: str = "_xdm.context.profile") -> str | None:
        if ref == DEFAULT_MERGE_POLICY:
            return self.default_id(schema)
        for policy in self.policies:
            if policy.get("id") == ref:
                return ref
        for policy in self.policies:
            if policy.get("name") == ref:
                return str(policy["id"])
        return None

    def label(self, policy_id: str | None) -> str | None:
        """How a policy id is shown in a diff: its name when known."""
        if policy_id is None:
            return None
        for policy in self.policies:
            if policy.get("id") == policy_id:
                return str(policy.get("name") or policy_id)
        return policy_id

    def active_on_edge(self, policy_id: str | None) -> bool:
        return any(
            p.get("id") == policy_id and p.get("isActiveOnEdge") in (True, "true")
            for p in self.policies
        )


@dataclass(frozen=True)
class LiveSegment(LiveDefinition):
    """A live definition with the ownership marker split off its ``description``; the PQL is
    normalised lazily."""

    key: str | None = None  # from the ownership marker; None = not created or adopted by segctl
    protect: bool = False
    # the marker's project: None for an unmarked definition or a marker from before projects
    # (both unclaimed); another name = owned by that project, never touched
    project: str | None = None


def live_segment(doc: Mapping[str, Any]) -> LiveSegment:
    """A live definition or audience document, its ownership marker split off."""
    fields = definition_fields(doc)
    description, mark = marker.parse(fields["description"])
    fields["description"] = description
    return LiveSegment(**fields, key=mark.key if mark else None,
                       protect=bool(mark and mark.protect),
                       project=mark.project if mark else None)


def evaluation_info(evaluation: str) -> dict[str, Any]:
    """The ``evaluationInfo`` request for a declared evaluation type."""
    return {
        "batch": {"enabled": evaluation == "batch"},
        "continuous": {"enabled": evaluation == "streaming"},
        "synchronous": {"enabled": evaluation == "edge"},
    }


def parse_live_expression(expression: Mapping[str, Any]) -> pql.Expr:
    """Parse a live ``expression`` object whichever format the server kept."""
    value = expression.get("value", "")
    if str(expression.get("format", "pql/text")).lower() == "pql/json":
        return pql.from_json(value)
    return pql.parse(str(value))


def live_pql(live: LiveSegment, id_to_key: Mapping[str, str]) -> str:
    """Canonical text of a live expression, with references to managed ids shown as keys.

    An expression the local parser cannot read is returned verbatim (it then differs from any
    declared expression, and the update rewrites it).
    """
    try:
        expr = parse_live_expression(live.expression)
    except SegctlError:
        return str(live.expression.get("value", ""))
    if id_to_key:
        expr = pql.rewrite_segment_refs(expr, _ids_to_keys(id_to_key))
    return pql.to_text(expr)


def written_text(want: DesiredSegment, key_to_id: Mapping[str, str]) -> str | None:
    """The exact pql/text apply writes for ``want`` given these live ids (None if one is
    missing). The canonical printer prints a reference as ``inSegment("key:<key>")`` and escapes
    quotes inside string literals, so this pattern can only be a reference."""
    text = want.pql
    for ref in want.refs:
        live_id = key_to_id.get(ref)
        if live_id is None:
            return None
        text = text.replace(f'inSegment("{KEY_PREFIX}{ref}")', f'inSegment("{live_id}")')
    return text


def live_pql_against(
    live: LiveSegment,
    want: DesiredSegment,
    id_to_key: Mapping[str, str],
    key_to_id: Mapping[str, str],
) -> str:
    """``live_pql``, with a fast path: a live pql/text that is exactly what apply would write
    for ``want`` is ``want``'s expression, without parsing (the common, converged case)."""
    expression = live.expression
    if str(expression.get("format", "pql/text")).lower() == "pql/text":
        value = expression.get("value")
        if isinstance(value, str) and value == written_text(want, key_to_id):
            return want.pql
    return live_pql(live, id_to_key)


def live_refs(live: LiveSegment) -> frozenset[str]:
    """Segment ids referenced by a live expression (empty when unparsable)."""
    try:
        return frozenset(pql.segment_refs(parse_live_expression(live.expression)))
    except SegctlError:
        return frozenset()


def _ids_to_keys(id_to_key: Mapping[str, str]) -> Callable[[str], str]:
    def mapping(ref: str) -> str:
        key = id_to_key.get(ref)
        return f"{KEY_PREFIX}{key}" if key is not None else ref

    return mapping


def _keys_to_ids(key_to_id: Callable[[str], str]) -> Callable[[str], str]:
    def mapping(ref: str) -> str:
        return key_to_id(ref[len(KEY_PREFIX):]) if ref.startswith(KEY_PREFIX) else ref

    return mapping


def desired_segment(
    seg: Segment, policies: MergePolicies, project: str = "", form: RuleForm | None = None
) -> tuple[DesiredSegment, tuple[PlanWarning, ...]]:
    """Normalise a declared segment; warn when its evaluation type cannot be honoured.

    ``form`` is what loading learnt of the segment's pql/text rule (``Project.rule_forms``):
    with it, a batch segment's rule is not parsed again."""
    parsed: list[pql.Expr] = []

    def tree() -> pql.Expr:
        if not parsed:
            parsed.append(pql.parse(seg.pql) if seg.pql is not None
                          else pql.from_json(dict(seg.pql_json or {})))
        return parsed[0]

    if form is not None and seg.pql is not None:
        canonical, all_refs = form.canonical, form.refs
    else:
        canonical, all_refs = pql.to_text(tree()), tuple(pql.segment_refs(tree()))
    policy_id = policies.resolve(seg.merge_policy, seg.schema)
    if policy_id is None and seg.merge_policy == DEFAULT_MERGE_POLICY and policies.policies:
        # the cause is the schema: the sandbox has no default merge policy for that class
        classes = sorted({str((p.get("schema") or {}).get("name")) for p in policies.policies
                          if p.get("default") is True})
        raise PlanError(
            f"segment {seg.key!r}: the sandbox has no default merge policy for schema "
            f"{seg.schema!r}, so the segment cannot be evaluated",
            location=seg.field_location("schema"),
            hint=f"use a schema with a default merge policy ({', '.join(classes) or 'none'}), "
                 "or create a default merge policy for this schema in the sandbox",
        )
    if policy_id is None and (seg.merge_policy != DEFAULT_MERGE_POLICY or policies.policies):
        raise PlanError(
            f"segment {seg.key!r}: merge policy {seg.merge_policy!r} does not exist in the sandbox",
            location=seg.field_location("mergePolicy"),
            hint="use `default`, or the name or id of an existing merge policy",
        )
    evaluation, warnings = _effective_evaluation(seg, tree, policy_id, policies)
    refs = sorted(r[len(KEY_PREFIX):] for r in all_refs if r.startswith(KEY_PREFIX))
    desired = DesiredSegment(
        key=seg.key,
        name=seg.name,
        description=seg.description or "",
        pql=canonical,
        schema=seg.schema,
        ttl_in_days=seg.ttl_in_days,
        merge_policy=seg.merge_policy,
        merge_policy_id=policy_id,
        evaluation=evaluation,
        labels=tuple(sorted(seg.labels)),
        protect=seg.protect,
        refs=tuple(refs),
        source=str(seg.location),
        lifecycle=seg.lifecycle,
        project=project,
        previous_keys=tuple(seg.previous_keys),
    )
    return desired, warnings


def _effective_evaluation(
    seg: Segment, tree: Callable[[], pql.Expr], policy_id: str | None, policies: MergePolicies
) -> tuple[str, tuple[PlanWarning, ...]]:
    if seg.evaluation == "batch":
        return "batch", ()
    eligibility = pql.classify(tree())
    if not getattr(eligibility, seg.evaluation, False):
        reasons = "; ".join(eligibility.reasons) or "expression not eligible"
        return "batch", (
            PlanWarning(
                "evaluation-not-eligible",
                f"{seg.key}: declared {seg.evaluation} evaluation, but the expression is not "
                f"{seg.evaluation}-eligible ({reasons}); AEP will evaluate it in batch",
                seg.key,
            ),
        )
    if policies.policies and not policies.active_on_edge(policy_id):
        return "batch", (
            PlanWarning(
                "evaluation-merge-policy",
                f"{seg.key}: {seg.evaluation} evaluation needs the active-on-edge merge policy; "
                f"AEP will evaluate it in batch",
                seg.key,
            ),
        )
    return seg.evaluation, ()


def definition_payload(
    desired: DesiredSegment, key_to_id: Callable[[str], str]
) -> dict[str, Any]:
    """The full segment-definition body apply sends (create and PATCH alike).

    ``key:`` references are rewritten to live ids, and the ownership marker is stamped. Labels,
    TTL and lifecycle are not in it: AEP keeps them on the audience (``audience_fields``).
    """
    expr = pql.parse(desired.pql)
    if desired.refs:
        expr = pql.rewrite_segment_refs(expr, _keys_to_ids(key_to_id))
    body: dict[str, Any] = {
        "name": desired.name,
        "description": marker.stamp(desired.description, desired.key, project=desired.project,
                                    protect=desired.protect),
        "expression": {"type": "PQL", "format": "pql/text", "value": pql.to_text(expr)},
        "schema": {"name": desired.schema},
        "evaluationInfo": evaluation_info(desired.evaluation),
    }
    if desired.merge_policy_id is not None:
        body["mergePolicyId"] = desired.merge_policy_id
    return body


# the fields segctl writes through /audiences: segmentation.yaml has labels only on audiences,
# audiences.md creates and shows ttlInDays and lifecycleState there
AUDIENCE_FIELDS = {"labels": "labels", "ttlInDays": "ttlInDays", "lifecycle": "lifecycleState"}


def audience_fields(
    desired: DesiredSegment, changed: Iterable[str] | None = None
) -> dict[str, Any]:
    """The audience fields to set for ``desired``: those among ``changed`` (plan field names),
    or, for a new segment (``changed`` None), those that differ from a new audience's
    defaults (no labels, no TTL, published)."""
    values: dict[str, Any] = {"labels": list(desired.labels), "ttlInDays": desired.ttl_in_days,
                              "lifecycle": desired.lifecycle}
    if changed is None:
        wanted = [n for n, v in values.items() if v not in ([], None, "published")]
    else:
        wanted = [n for n in changed if n in AUDIENCE_FIELDS]
    return {AUDIENCE_FIELDS[n]: values[n] for n in wanted if values[n] is not None}


def stable_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
