"""The pure middle of the job runner: dependency order, membership transitions, projection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from segctl.sandbox.profilestore import evaluate
from segctl.sandbox.profilestore.profiles import ProfileData

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_topological_order_puts_dependencies_first() -> None:
    refs = {"c": frozenset({"a", "b"}), "b": frozenset({"a"}), "a": frozenset()}
    assert evaluate.topological_order(["c", "b", "a"], refs) == ["a", "b", "c"]
    assert evaluate.closure(["c"], refs) == {"a", "b", "c"}
    assert evaluate.closure(["b"], {**refs, "b": frozenset({"a", "unknown"})}) == {"a", "b"}


def test_cycles_are_reported() -> None:
    refs = {"a": frozenset({"b"}), "b": frozenset({"a"})}
    with pytest.raises(evaluate.DependencyCycle) as info:
        evaluate.topological_order(["a", "b"], refs)
    assert info.value.cycle[0] == info.value.cycle[-1]


class _Flag:
    """A stand-in predicate: qualifies when the profile's ``ok`` field is true."""

    uses_segments = False

    def evaluate(self, profile: dict[str, Any], events: Any, now: datetime, member: Any) -> bool:
        return bool(profile.get("ok"))


def _data(flags: dict[str, bool]) -> ProfileData:
    ids = tuple(flags)
    return ProfileData(ids, tuple({"_id": i, "ok": f} for i, f in flags.items()),
                       tuple([] for _ in ids), 0)


def test_membership_transitions() -> None:
    previous = {"stays": ["realized", 1], "leaves": ["existing", 1], "gone": ["exited", 5]}
    data = _data({"stays": True, "leaves": False, "gone": False, "joins": True, "never": False})
    result = evaluate.evaluate_segment(data, _Flag(), previous, NOW, 99, lambda r, p: False)
    assert result.memberships == {"stays": ["existing", 99], "leaves": ["exited", 99],
                                  "gone": ["exited", 5], "joins": ["realized", 99]}
    assert result.counts == {"realized": 1, "existing": 1, "exited": 2}
    assert result.members == 2


def test_select_rows_projects_through_arrays_and_filters_status() -> None:
    profile = {"_id": "p1", "person": {"gender": "f", "age": 3},
               "identityMap": {"ECID": [{"id": "e1", "primary": True}]}}
    data = ProfileData(("p1", "p2"), (profile, {"_id": "p2"}), ([], []), 0)
    memberships = {"s": {"p1": ["realized", 0], "p2": ["exited", 0]}}
    fields = evaluate.parse_fields("person.gender, identityMap.ECID.id")
    rows, namespaces = evaluate.select_rows(
        data, [evaluate.SegmentFilter("s", ("realized", "existing"))], memberships, fields)
    assert rows == [{"person": {"gender": "f"}, "identityMap": {"ECID": [{"id": "e1"}]}}]
    assert namespaces == {"ECID": 1}
    everyone, _ = evaluate.select_rows(data, [], memberships, None)
    assert [r["_id"] for r in everyone] == ["p1"]  # p2 has no profile record: an empty profile
    with_empty, _ = evaluate.select_rows(data, [], memberships, None,
                                         profile_filter=evaluate.ProfileFilter(
                                             empty_profiles=True))
    assert [r["_id"] for r in with_empty] == ["p1", "p2"]
