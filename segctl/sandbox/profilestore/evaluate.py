"""Pure functions behind segment and export jobs: dependency order, membership transitions,
field projection and the selection of exported profiles. No I/O here."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from segctl.sandbox.profilestore.data import Profiles, Row

REALIZED, EXISTING, EXITED = "realized", "existing", "exited"
MEMBER_STATUSES = (REALIZED, EXISTING)

CHECK_EVERY = 16  # blocks of profiles between two cancellation checks of a job

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
    namespaces: dict[str, int] = field(default_factory=dict)  # members per identity namespace

    @property
    def members(self) -> int:
        return self.counts[REALIZED] + self.counts[EXISTING]


Predicate = Any  # segctl.pql Predicate: .evaluate(profile, events, now, in_segment)


class _Run:
    """One segment's evaluation, fed a block of rows at a time: qualifying now → ``realized``
    (new) or ``existing`` (was a member), with this run's time; a member that no longer
    qualifies → ``exited`` at this run; an earlier exit is kept with its time; a profile that
    never qualified gets no entry. Members are counted per identity namespace as they come."""

    def __init__(self, predicate: Predicate, previous: Memberships, now: datetime,
                 now_ms: int, in_segment: Callable[[str, str], bool]):
        self.predicate, self.previous, self.now, self.now_ms = predicate, previous, now, now_ms
        self.in_segment = in_segment
        self.memberships: Memberships = {}
        self.counts = {REALIZED: 0, EXISTING: 0, EXITED: 0}
        self.groups: dict[tuple[str, ...], int] = {}
        # one entry per status, shared by every profile that gets it in this run (entries are
        # never changed in place; a million members would otherwise be a million lists)
        self.entries: dict[str, list[Any]] = {
            status: [status, now_ms] for status in (REALIZED, EXISTING, EXITED)}

    def add(self, rows: Sequence[Row], groups: Sequence[tuple[str, ...] | None]) -> None:
        evaluate = self.predicate.evaluate
        uses_segments = getattr(self.predicate, "uses_segments", True)
        in_segment, now = self.in_segment, self.now
        result, counts, members = self.memberships, self.counts, self.groups
        realized, existing, exited = (self.entries[s] for s in (REALIZED, EXISTING, EXITED))
        get_prev = self.previous.get
        for (pid, profile, events), group in zip(rows, groups, strict=True):
            membership = functools.partial(_member, in_segment, pid) if uses_segments else _never
            qualifies = evaluate(profile, events, now, membership)
            prev = get_prev(pid)
            if qualifies is True or (qualifies is not False and qualifies):
                entry = existing if prev is not None and prev[0] in MEMBER_STATUSES \
                    else realized
                result[pid] = entry
                counts[entry[0]] += 1
                if group is not None:
                    members[group] = members.get(group, 0) + 1
            elif prev is not None:
                result[pid] = exited if prev[0] in MEMBER_STATUSES else prev
                counts[EXITED] += 1

    def result(self) -> SegmentResult:
        namespaces: dict[str, int] = {}
        for group, n in self.groups.items():
            for ns in group:
                namespaces[ns] = namespaces.get(ns, 0) + n
        return SegmentResult(self.memberships, self.counts, namespaces)


def _groups(rows: Sequence[Row], shared: dict[tuple[str, ...], tuple[str, ...]]
            ) -> list[tuple[str, ...] | None]:
    """Each row's identity namespaces (None without an ``identityMap``), one tuple per set."""
    out: list[tuple[str, ...] | None] = []
    for _pid, profile, _events in rows:
        identity_map = profile.get("identityMap")
        if identity_map:
            group = tuple(identity_map)
            out.append(shared.setdefault(group, group))
        else:
            out.append(None)
    return out


def evaluate_segments(data: Profiles, predicates: Sequence[tuple[str, Predicate]],
                      previous: Callable[[str], Memberships], now: datetime, now_ms: int,
                      stored: Callable[[str], Memberships],
                      check: Callable[[], None] | None = None) -> dict[str, SegmentResult]:
    """Evaluate segments (``(id, predicate)`` in dependency order) over every profile, one
    block of profiles at a time: each block is decoded once for all of them (its events only
when one of them reads ``xEvent``), and a segment's
    ``inSegment`` reads what the segments before it decided for the same profile. Segments
    outside this run answer from ``stored``; ``previous(id)`` is a segment's stored
    memberships; ``check`` runs before every ``CHECK_EVERY`` blocks (cancellation: a check
    writes the job document)."""
    current: dict[str, Memberships] = {}
    lookup = membership_lookup(current, stored)
    runs: list[tuple[str, _Run]] = []
    for sid, predicate in predicates:
        run = _Run(predicate, previous(sid), now, now_ms, lookup)
        current[sid] = run.memberships
        runs.append((sid, run))
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    events = any(getattr(p, "uses_events", True) for _, p in predicates)
    with _collector_paused():
        for number, rows in enumerate(data.blocks(events=events)):
            if check is not None and number % CHECK_EVERY == 0:
                check()
            groups = _groups(rows, shared)
            for _sid, run in runs:
                run.add(rows, groups)
    return {sid: run.result() for sid, run in runs}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a job runs: it allocates millions of short-lived,
    acyclic rows and membership entries, and every full collection would walk all of them.
    Reference counting frees each block; a collection at the end catches any cycle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate_segment(data: Profiles, predicate: Predicate, previous: Memberships,
                     now: datetime, now_ms: int,
                     in_segment: Callable[[str, str], bool]) -> SegmentResult:
    """Evaluate one segment over every profile (see ``_Run`` for the transitions)."""
    run = _Run(predicate, previous, now, now_ms, in_segment)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    for rows in data.blocks():
        run.add(rows, _groups(rows, shared))
    return run.result()


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


def select_rows(data: Profiles, filters: list[SegmentFilter],
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
