"""Run SegmentTest documents with the local PQL engine.

Each segment is compiled once. For one fixture profile, a segment's membership is memoised, and
``inSegment("key:other")`` evaluates ``other`` first for the same profile (the dependency order
falls out of the recursion; a cycle is reported, not looped). ``inSegment("<live id>")`` reads
the fixture profile's own ``segmentMembership.ups.<id>.status``, as AEP does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl import pql
from segctl.errors import Location, SegctlError
from segctl.project.model import Project, Segment
from segctl.testing.model import (
    KEY_PREFIX,
    Expectation,
    FixtureProfile,
    SegmentTest,
    segment_tests,
)

QUALIFIED_STATUSES = ("realized", "existing")


class SegmentEvalError(SegctlError):
    """A segment could not be evaluated for a fixture (cycle, unknown key, engine error)."""


class TestsFailed(SegctlError):
    """At least one case failed (exit 1); the report was already printed."""

    __test__ = False  # not a pytest class

    def format(self) -> str:
        return f"error: {self.message}"


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one (test, segment) case."""

    test: str
    segment: str
    location: Location
    expected_members: tuple[str, ...] | None
    expected_non_members: tuple[str, ...]
    actual_members: tuple[str, ...]
    profiles: tuple[str, ...]
    error: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """Expected members that did not qualify."""
        actual = set(self.actual_members)
        return tuple(p for p in self.expected_members or () if p not in actual)

    @property
    def unexpected(self) -> tuple[str, ...]:
        """Profiles that qualified although they were not expected to."""
        banned = set(self.expected_non_members)
        if self.expected_members is not None:
            allowed = set(self.expected_members)
            return tuple(p for p in self.actual_members if p not in allowed or p in banned)
        return tuple(p for p in self.actual_members if p in banned)

    @property
    def passed(self) -> bool:
        return self.error is None and not self.missing and not self.unexpected

    @property
    def title(self) -> str:
        return f"{self.test}::{self.segment}"


@dataclass(frozen=True)
class TestReport:
    cases: tuple[CaseResult, ...]

    __test__ = False  # not a pytest class

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _expression(segment: Segment) -> pql.Expr:
    if segment.pql is not None:
        return pql.parse(segment.pql)
    return pql.from_json(dict(segment.pql_json or {}))


class _Membership:
    """Memoised membership of every segment for one fixture profile."""

    def __init__(self, engine: SegmentEngine, profile: FixtureProfile, now: Any) -> None:
        self._engine = engine
        self._profile = profile
        self._now = now
        self._known: dict[str, bool] = {}
        self._active: list[str] = []
        # sorted and timestamp-parsed once, shared by every segment evaluated for this profile
        self._profile_data = dict(profile.data)
        self._events = pql.prepare_events([dict(e) for e in profile.events])

    def of(self, key: str) -> bool:
        if key in self._known:
            return self._known[key]
        if key in self._active:
            chain = " -> ".join([*self._active[self._active.index(key):], key])
            raise SegmentEvalError(f"inSegment cycle: {chain}")
        predicate = self._engine.predicate(key)
        self._active.append(key)
        try:
            result = bool(predicate.evaluate(
                self._profile_data, self._events, self._now, self.in_segment))
        finally:
            self._active.pop()
        self._known[key] = result
        return result

    def in_segment(self, ref: str) -> bool:
        if ref.startswith(KEY_PREFIX):
            return self.of(ref[len(KEY_PREFIX):])
        return _fixture_membership(self._profile.data, ref)


def _fixture_membership(profile: Mapping[str, Any], segment_id: str) -> bool:
    """Whether the profile's own ``segmentMembership`` says it qualifies for ``segment_id``."""
    namespaces = profile.get("segmentMembership")
    if not isinstance(namespaces, Mapping):
        return False
    for entries in namespaces.values():
        entry = entries.get(segment_id) if isinstance(entries, Mapping) else None
        if isinstance(entry, Mapping) and entry.get("status") in QUALIFIED_STATUSES:
            return True
    return False


class SegmentEngine:
    """The project's segments compiled once, evaluated per fixture profile."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = {s.key: s for s in segments}
        self._compiled: dict[str, Any] = {}
        self._states: dict[tuple[str, str], _Membership] = {}

    def predicate(self, key: str) -> Any:
        if key not in self._compiled:
            segment = self._segments.get(key)
            if segment is None:
                raise SegmentEvalError(f"unknown segment key {key!r}")
            self._compiled[key] = pql.compile(_expression(segment))
        return self._compiled[key]

    def membership(self, profile: FixtureProfile, now: Any) -> Callable[[str], bool]:
        """``in_segment`` for one profile: ``key:<key>`` evaluates the project's segment
        (memoised), any other id reads the profile's own ``segmentMembership``."""
        return _Membership(self, profile, now).in_segment

    def members(self, test: SegmentTest, key: str) -> tuple[str, ...]:
        """The fixture profiles of ``test`` that qualify for segment ``key``."""
        members = []
        for profile in test.profiles:
            state = self._states.get((test.name, profile.id))
            if state is None:
                state = self._states[(test.name, profile.id)] = _Membership(self, profile, test.now)
            if state.of(key):
                members.append(profile.id)
        return tuple(members)


def run_case(engine: SegmentEngine, test: SegmentTest, case: Expectation) -> CaseResult:
    error: str | None = None
    actual: tuple[str, ...] = ()
    try:
        actual = engine.members(test, case.segment)
    except SegctlError as err:
        error = err.message
    return CaseResult(
        test=test.name,
        segment=case.segment,
        location=case.location,
        expected_members=case.members,
        expected_non_members=case.non_members,
        actual_members=actual,
        profiles=tuple(p.id for p in test.profiles),
        error=error,
    )


def run_tests(
    project: Project, select: Callable[[SegmentTest, Expectation], bool] | None = None
) -> TestReport:
    """Run every case of every SegmentTest in ``project`` (those ``select`` accepts)."""
    engine = SegmentEngine(project.segments)
    results = [
        run_case(engine, test, case)
        for test in segment_tests(project)
        for case in test.expectations
        if select is None or select(test, case)
    ]
    return TestReport(tuple(results))
