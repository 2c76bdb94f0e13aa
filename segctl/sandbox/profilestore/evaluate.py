"""Pure functions behind segment and export jobs: dependency order, membership transitions,
field projection and the selection of exported profiles. No I/O here."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from segctl.sandbox.profilestore.profiles import ProfileData

REALIZED, EXISTING, EXITED = "realized", "existing", "exited"
MEMBER_STATUSES = (REALIZED, EXISTING)

# profile id -> [status, lastQualificationTime ms]
Memberships = dict[str, list[Any]]


class DependencyCycle(Exception):
    def __init__(self, cycle: list[str]):
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def closure(requested: Iterable[str], refs: Mapping[str, frozenset[str]]) -> set[str]:
    """The requested segments plus every segment they reach through inSegment (known ones)."""
    seen: set[str] = set()
    stack = list(requested)
    while stack:
        sid = stack.pop()
        if sid in seen or sid not in refs:
            continue
        seen.add(sid)
        stack.extend(refs[sid])
    return seen


def topological_order(segments: Iterable[str], refs: Mapping[str, frozenset[str]]) -> list[str]:
    """Dependencies first; ties keep the given order. Raises DependencyCycle."""
    wanted = list(dict.fromkeys(segments))
    members = set(wanted)
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(sid: str, path: list[str]) -> None:
        if state.get(sid) == 2:
            return
        if state.get(sid) == 1:
            raise DependencyCycle([*path[path.index(sid):], sid])
        state[sid] = 1
        for dep in sorted(refs.get(sid, frozenset())):
            if dep in members:
                visit(dep, [*path, sid])
        state[sid] = 2
        order.append(sid)

    for sid in wanted:
        visit(sid, [])
    return order


@dataclass(frozen=True)
class SegmentResult:
    memberships: Memberships
    counts: dict[str, int]  # realized / existing / exited

    @property
    def members(self) -> int:
        return self.counts[REALIZED] + self.counts[EXISTING]


Predicate = Any  # segctl.pql Predicate: .evaluate(profile, events, now, in_segment)


def evaluate_segment(data: ProfileData, predicate: Predicate, previous: Memberships,
                     now: datetime, now_ms: int,
                     in_segment: Callable[[str, str], bool]) -> SegmentResult:
    """Evaluate one segment over every profile and compute the membership transitions:
    qualifying now → ``realized`` (new) or ``existing`` (was a member), with this run's time;
    a member that no longer qualifies → ``exited`` at this run; an earlier exit is kept with
    its time; a profile that never qualified gets no entry."""
    evaluate = predicate.evaluate
    uses_segments = getattr(predicate, "uses_segments", True)
    result: Memberships = {}
    counts = {REALIZED: 0, EXISTING: 0, EXITED: 0}
    get_prev = previous.get
    for pid, profile, events in data.rows():
        membership = functools.partial(_member, in_segment, pid) if uses_segments else _never
        qualifies = evaluate(profile, events, now, membership)
        prev = get_prev(pid)
        if qualifies is True or (qualifies is not False and qualifies):
            status = EXISTING if prev is not None and prev[0] in MEMBER_STATUSES else REALIZED
            result[pid] = [status, now_ms]
            counts[status] += 1
        elif prev is not None:
            new = [EXITED, now_ms] if prev[0] in MEMBER_STATUSES else prev
            result[pid] = new
            counts[EXITED] += 1
    return SegmentResult(result, counts)


def _member(in_segment: Callable[[str, str], bool], pid: str, ref: str) -> bool:
    return in_segment(ref, pid)


def _never(ref: str) -> bool:
    return False


def membership_lookup(current: Mapping[str, Memberships], stored: Callable[[str], Memberships]
                      ) -> Callable[[str, str], bool]:
    """inSegment answered from this run's results first, then from stored memberships."""
    loaded: dict[str, Memberships] = {}

    def in_segment(ref: str, pid: str) -> bool:
        table = current.get(ref)
        if table is None:
            table = loaded.get(ref)
            if table is None:
                table = loaded[ref] = stored(ref)
        entry = table.get(pid)
        return entry is not None and entry[0] in MEMBER_STATUSES

    return in_segment


# -- export ----------------------------------------------------------------------------------
def parse_fields(fields: str | None) -> list[list[str]] | None:
    if fields is None or not str(fields).strip():
        return None
    return [p.strip().split(".") for p in str(fields).split(",") if p.strip()]


def _project_path(source: Any, path: list[str], target: dict[str, Any]) -> None:
    if not isinstance(source, dict) or not path:
        return
    head, rest = path[0], path[1:]
    if head not in source:
        return
    value = source[head]
    if not rest:
        target[head] = value
    elif isinstance(value, list):  # a path through an array projects into each element
        out = target.setdefault(head, [{} for _ in value])
        for item, slot in zip(value, out, strict=False):
            _project_path(item, rest, slot)
    elif isinstance(value, dict):
        _project_path(value, rest, target.setdefault(head, {}))


def project(profile: dict[str, Any], paths: list[list[str]] | None) -> dict[str, Any]:
    if paths is None:
        return profile
    out: dict[str, Any] = {}
    for path in paths:
        _project_path(profile, path, out)
    return out


@dataclass(frozen=True)
class ProfileFilter:
    """An export job's profile-level filters and event list (export-jobs.md): ``emptyProfiles``
    keeps profiles with no profile record (only events); ``fromIngestTimestamp`` keeps
    profiles ingested since then; ``additionalFields.eventList`` adds each profile's events
    (projected on its ``fields``, ingested within its window) as ``eventList``. Times are
    epoch microseconds. The sample has no ingestion log: an event's ingestion time is its
    ``timestamp``, a profile's is its latest event's (or its ``_repo.modifyDate``)."""

    empty_profiles: bool = False
    ingested_after_us: int | None = None
    events: bool = False
    event_fields: list[list[str]] | None = None
    events_from_us: int | None = None
    events_to_us: int | None = None


_RECORD_KEYS = frozenset({"_id", "identityMap", "identities"})


def is_empty_profile(profile: dict[str, Any]) -> bool:
    """No profile record, only identities (known from ExperienceEvents alone)."""
    return not (set(profile) - _RECORD_KEYS)


def _ingested_us(profile: dict[str, Any], events: Any) -> int | None:
    times = [t for t in getattr(events, "times", ()) if t is not None]
    latest = max(times) if times else None
    modified = (profile.get("_repo") or {}).get("modifyDate")
    if isinstance(modified, str):
        try:
            stamp = int(datetime.fromisoformat(modified.replace("Z", "+00:00")).timestamp()
                        * 1_000_000)
        except ValueError:
            stamp = None
        if stamp is not None:
            latest = stamp if latest is None else max(latest, stamp)
    return latest


def _event_list(events: Any, flt: ProfileFilter) -> list[dict[str, Any]]:
    out = []
    for event, at in zip(getattr(events, "events", ()), getattr(events, "times", ()),
                         strict=False):
        if at is not None and flt.events_from_us is not None and at <= flt.events_from_us:
            continue
        if at is not None and flt.events_to_us is not None and at >= flt.events_to_us:
            continue
        out.append(project(dict(event), flt.event_fields))
    return out


@dataclass(frozen=True)
class SegmentFilter:
    segment_id: str
    statuses: tuple[str, ...]


def select_rows(data: ProfileData, filters: list[SegmentFilter],
                memberships: Mapping[str, Memberships], fields: list[list[str]] | None,
                window: tuple[int | None, int | None] = (None, None),
                iso: Callable[[int], str] = str, profile_filter: ProfileFilter | None = None
                ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Rows of the profiles that match any filter (all profiles with no filter), projected,
    each with the ``segmentMembership`` of the filtered segments when that field is wanted;
    plus the count of exported profiles per identity namespace."""
    lo, hi = window
    flt = profile_filter or ProfileFilter()
    rows = []
    namespaces: dict[str, int] = {}
    want_membership = fields is None or any(p[0] == "segmentMembership" for p in fields)
    for pid, profile, events in data.rows():
        if not flt.empty_profiles and is_empty_profile(profile):
            continue
        if flt.ingested_after_us is not None:
            ingested = _ingested_us(profile, events)
            if ingested is None or ingested <= flt.ingested_after_us:
                continue
        matched: dict[str, Any] = {}
        for f in filters:
            entry = memberships.get(f.segment_id, {}).get(pid)
            if entry is None or entry[0] not in f.statuses:
                continue
            if (lo is not None and entry[1] < lo) or (hi is not None and entry[1] > hi):
                continue
            matched[f.segment_id] = {"status": entry[0], "lastQualificationTime": iso(entry[1])}
        if filters and not matched:
            continue
        row = project(profile, fields)
        if want_membership and matched:
            row = {**row, "segmentMembership": {"ups": matched}}
        if flt.events:
            row = {**row, "eventList": _event_list(events, flt)}
        rows.append(row)
        for namespace in profile.get("identityMap") or {}:
            namespaces[namespace] = namespaces.get(namespace, 0) + 1
    return rows, namespaces
