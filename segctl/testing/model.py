"""``kind: SegmentTest``: the frozen document, its builder and its project-level checks.

The builder is registered in the project's kind table; it resolves NDJSON fixture files
(relative to the test file) at load time, so a missing or malformed fixture is reported by
``segctl validate`` with the file, line and column of the offending line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from segctl.errors import Diagnostic, Location
from segctl.project.kinds import DocumentError, field_locations
from segctl.project.model import Project
from segctl.project.source import RawDocument

KIND = "SegmentTest"
KEY_PREFIX = "key:"
_NOWHERE = Location()  # frozen, so one shared default is safe


@dataclass(frozen=True)
class FixtureProfile:
    """One fixture profile: the merged profile data and its ExperienceEvents."""

    id: str
    data: Mapping[str, Any] = field(hash=False)
    events: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)
    location: Location = _NOWHERE


@dataclass(frozen=True)
class Expectation:
    """One test case: what ``segment`` (a key) must do over the fixture profiles."""

    segment: str
    members: tuple[str, ...] | None = None  # exact member set, when given
    non_members: tuple[str, ...] = ()
    location: Location = _NOWHERE
    # where each listed profile id is written (first mention), for located diagnostics
    id_locations: Mapping[str, Location] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SegmentTest:
    """``kind: SegmentTest``: fixtures, a fixed ``now``, and one expectation per segment."""

    name: str
    now: datetime
    profiles: tuple[FixtureProfile, ...]
    expectations: tuple[Expectation, ...]
    description: str = ""
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def field_location(self, name: str) -> Location:
        return self.field_locations.get(name, self.location)


def parse_now(text: str) -> datetime:
    """An ISO 8601 instant; naive values are UTC."""
    moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_ndjson(doc: RawDocument, field_name: str) -> Iterator[tuple[Any, Location]]:
    """Each object of the NDJSON file named by ``field_name``, with where its line is."""
    relative = doc.data[field_name]
    path = doc.source.path.parent / relative
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else (
            err.strerror or type(err).__name__).lower()
        looked = "" if Path(relative).is_absolute() else \
            f" (paths are relative to this file: looked for {_display(path)})"
        raise DocumentError([Diagnostic(
            f"{field_name}: cannot read fixture file {relative!r}: {reason}{looked}",
            doc.value_location((field_name,)),
        )]) from None
    shown = _display(path)
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = Location(shown, number, 1, line)
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Diagnostic(f"invalid JSON: {err.msg}",
                                       Location(shown, number, err.colno, line)))
            continue
        if not isinstance(value, dict):
            problems.append(Diagnostic("each line must be a JSON object", where))
            continue
        yield value, where
    if problems:
        raise DocumentError(problems)


def _items(doc: RawDocument, field_name: str) -> list[tuple[Any, Location]]:
    value = doc.data.get(field_name)
    if value is None:
        return []
    if isinstance(value, str):
        return list(_read_ndjson(doc, field_name))
    return [(item, doc.value_location((field_name, i))) for i, item in enumerate(value)]


def _require_id(item: Any, name: str, where: Location) -> str:
    ident = item.get(name)
    if not isinstance(ident, str) or not ident:
        raise DocumentError([Diagnostic(f"missing string field '{name}'", where)])
    return ident


def _profiles(doc: RawDocument) -> tuple[FixtureProfile, ...]:
    seen: dict[str, Location] = {}
    data: dict[str, dict[str, Any]] = {}
    events: dict[str, list[Mapping[str, Any]]] = {}
    problems: list[Diagnostic] = []
    for item, where in _items(doc, "profiles"):
        ident = _require_id(item, "id", where)
        if ident in seen:
            problems.append(Diagnostic(f"duplicate fixture profile id {ident!r} "
                                       f"(first at {seen[ident]})", where))
            continue
        seen[ident] = where
        own = item.get("events") or []
        if not isinstance(own, list) or not all(isinstance(e, dict) for e in own):
            problems.append(Diagnostic("events must be a list of objects", where))
            own = []
        data[ident] = {k: v for k, v in item.items() if k != "events"}
        events[ident] = [MappingProxyType(dict(e)) for e in own]
    for item, where in _items(doc, "events"):
        owner = _require_id(item, "profileId", where)
        if owner not in events:
            problems.append(Diagnostic(f"event for unknown fixture profile {owner!r}", where))
            continue
        events[owner].append(MappingProxyType({k: v for k, v in item.items() if k != "profileId"}))
    if problems:
        raise DocumentError(problems)
    return tuple(
        FixtureProfile(ident, MappingProxyType(data[ident]), tuple(events[ident]), seen[ident])
        for ident in data
    )


def _expectations(doc: RawDocument) -> tuple[Expectation, ...]:
    cases = []
    for key, spec in doc.data["expect"].items():
        members = spec.get("members")
        where: dict[str, Location] = {}
        for field_name in ("members", "nonMembers"):
            for i, ident in enumerate(spec.get(field_name) or ()):
                where.setdefault(ident, doc.value_location(("expect", key, field_name, i)))
        cases.append(Expectation(
            segment=key,
            members=tuple(members) if members is not None else None,
            non_members=tuple(spec.get("nonMembers", ())),
            location=doc.key_location(("expect", key)),
            id_locations=MappingProxyType(where),
        ))
    return tuple(cases)


def build_segment_test(doc: RawDocument) -> SegmentTest:
    """The kind-table builder: a schema-valid document to a :class:`SegmentTest`."""
    d = doc.data
    try:
        now = parse_now(str(d["now"]))
    except ValueError as err:
        raise DocumentError([Diagnostic(f"now: not an ISO 8601 time ({err})",
                                        doc.value_location(("now",)))]) from None
    return SegmentTest(
        name=d["name"],
        now=now,
        profiles=_profiles(doc),
        expectations=_expectations(doc),
        description=d.get("description", ""),
        location=doc.start,
        field_locations=field_locations(doc),
    )


def segment_tests(project: Project) -> tuple[SegmentTest, ...]:
    """The SegmentTest documents of ``project``, in file order."""
    return tuple(t for t in project.of_kind(KIND) if isinstance(t, SegmentTest))


def check_segment_tests(project: Project) -> Iterable[Diagnostic]:
    """Project-level checks: known segment keys and fixture ids, unique names, no overlaps."""
    keys = {s.key for s in project.segments}
    names: dict[str, Location] = {}
    for test in segment_tests(project):
        if test.name in names:
            yield Diagnostic(f"duplicate SegmentTest name {test.name!r} "
                             f"(first at {names[test.name]})", test.field_location("name"))
        names.setdefault(test.name, test.field_location("name"))
        ids = {p.id for p in test.profiles}
        for case in test.expectations:
            if case.segment not in keys:
                yield Diagnostic(f"expect: unknown segment key {case.segment!r}", case.location)
            listed = [*(case.members or ()), *case.non_members]
            for ident in dict.fromkeys(listed):
                if ident not in ids:
                    yield Diagnostic(f"expect.{case.segment}: {ident!r} is not a fixture "
                                     f"profile id", case.id_locations.get(ident, case.location))
            both = set(case.members or ()) & set(case.non_members)
            if both:
                yield Diagnostic(f"expect.{case.segment}: listed as both members and nonMembers: "
                                 f"{', '.join(sorted(both))}", case.location)
