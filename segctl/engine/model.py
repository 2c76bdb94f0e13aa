"""The frozen values a plan is made of.

A :class:`Plan` is the whole outcome of the pure diff: one :class:`SegmentChange` per declared or
pruned segment (in apply order), the datasets the exports need, the segment jobs and export runs
apply will start, and warnings. Renderers and ``engine.apply`` walk the same values, so what the
plan shows is what apply does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """The closed set of things a plan can do to one object."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    NOOP = "no-op"

    @property
    def glyph(self) -> str:
        return _GLYPHS[self]


_GLYPHS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.DELETE: "-",
    Action.NOOP: " ",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one object: its live value and its declared value (JSON-able)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class DesiredSegment:
    """A declared segment, normalised: everything apply needs to write it.

    ``pql`` is canonical text in which references to declared segments are ``key:<key>``;
    ``refs`` are those keys. ``evaluation`` is what will be requested (batch when the
    expression is not eligible for the declared type).
    """

    key: str
    name: str
    description: str
    pql: str
    schema: str
    ttl_in_days: int | None
    merge_policy: str
    merge_policy_id: str | None
    evaluation: str
    labels: tuple[str, ...]
    protect: bool
    refs: tuple[str, ...] = ()
    source: str = ""  # file:line of the declaration, for messages
    lifecycle: str = "published"  # the audience's lifecycleState
    project: str = ""  # the owning project, stamped into the marker
    previous_keys: tuple[str, ...] = ()  # earlier keys (a declared move keeps the live id)


@dataclass(frozen=True)
class SegmentChange:
    """What the plan does to one segment definition.

    ``id`` is the live id (None for a create). ``depends_on`` lists keys whose live ids this
    change needs (they are written first); ``blocks`` lists keys that must be gone or updated
    before this one is deleted.
    """

    action: Action
    key: str
    name: str
    id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    desired: DesiredSegment | None = None
    depends_on: tuple[str, ...] = ()
    reason: str = ""
    adopted: bool = False
    evaluation: str = "batch"

    @property
    def adopt_only(self) -> bool:
        """An unmarked live definition that already matches the files: apply only stamps the
        ownership marker, so it is not a change (``segctl import`` then ``plan`` is empty)."""
        return self.action is Action.UPDATE and self.adopted and not self.fields


@dataclass(frozen=True)
class DatasetChange:
    """An export's target dataset: created (and tagged) when missing, else reused by name;
    with prune, a dataset segctl created for an export no longer declared is deleted."""

    action: Action  # CREATE, NOOP, DELETE, or UPDATE (re-stamp its ownership tag only)
    name: str
    export: str
    id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class ScheduleChange:
    """A live schedule against its ``kind: Schedule``: CREATE when the sandbox has none (never
    a second batch one), UPDATE with the changed ``schedule``/``state`` fields, NOOP when they
    match; for an export schedule, REPLACE (delete, then create) when its export changed
    (``export.*`` fields: the API patches only state and time). ``schedule``, ``state`` and
    ``name`` are the declared values; ``id`` the live schedule's."""

    action: Action
    key: str
    type: str
    name: str
    schedule: str
    state: str
    id: str | None = None
    fields: tuple[FieldChange, ...] = ()
    export: str | None = None  # an export schedule: the Export key it runs
    # an export schedule: the export job body its runs post (``key:`` and ``dataset:`` in
    # place of the live ids, filled in when apply sends it)
    properties: Any = None


@dataclass(frozen=True)
class SegmentJob:
    """One on-demand segment job: at most 20 segment keys, in dependency order."""

    segments: tuple[str, ...]


@dataclass(frozen=True)
class RunningJob:
    """A segment job already running in the sandbox for current definitions: apply waits for
    it instead of starting a second job for the same segments."""

    id: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Awaiting:
    """A declared batch segment whose current definition has not been evaluated yet (read
    from the sandbox's job history), whatever this plan writes."""

    key: str
    reason: str  # never evaluated | changed since its last evaluation | ...


@dataclass(frozen=True)
class Ration:
    """AEP's on-demand evaluation ration as the plan sees it (AEP-API §14): runs allowed per
    day and per year (None = no limit), runs already used, and what apply will spend."""

    per_day: int | None
    per_year: int | None
    used_today: int
    used_this_year: int
    spends: int
    sandbox_type: str = "unknown"

    @property
    def left_today(self) -> int | None:
        """Runs still available today after this plan's (None = no limit)."""
        left = [limit - used for limit, used in ((self.per_day, self.used_today),
                                                 (self.per_year, self.used_this_year))
                if limit is not None]
        return max(0, min(left) - self.spends) if left else None

    def describe(self) -> str:
        def part(used: int, limit: int | None, when: str) -> str:
            return f"{used} of {limit} used {when}" if limit is not None else \
                f"{used} used {when} (no limit)"
        left = self.left_today
        return (f"apply starts {_count(self.spends, 'on-demand segment job')}; "
                f"{part(self.used_today, self.per_day, 'today')}, "
                f"{part(self.used_this_year, self.per_year, 'this year')}"
                + (f" ({_KINDS.get(self.sandbox_type, self.sandbox_type + ' sandbox')})"
                   if self.per_year is not None else "")
                + (f"; {left} left today after apply" if left is not None else ""))


@dataclass(frozen=True)
class ExportRun:
    """One export job: the members of ``segments`` into ``dataset``."""

    export: str
    dataset: str
    segments: tuple[str, ...]
    fields: tuple[str, ...] | None
    status: tuple[str, ...]
    reason: str
    job: int | None = None  # an export job already running for it: apply waits for that one


@dataclass(frozen=True)
class PlanWarning:
    code: str
    message: str
    key: str | None = None


@dataclass(frozen=True)
class Foreign:
    """A live object another segctl project owns: shown, counted, never touched."""

    kind: str  # "segment" | "dataset"
    name: str
    project: str


@dataclass(frozen=True)
class LastSize:
    """A segment's size at its last evaluation: the qualified profiles a segment job counted."""

    profiles: int
    job_id: str = ""
    evaluated_at: str = ""  # ISO 8601 (UTC) when the job finished, "" when unknown


@dataclass(frozen=True)
class SizeEstimate:
    """``plan --estimate``: what AEP's estimate says a new or changed segment will hold.

    ``profiles`` ± ``margin`` at ``confidence``; ``exact`` when every profile was read (no
    sampling: the number is a count). Unavailable estimates carry the ``reason`` instead.
    """

    key: str
    available: bool
    profiles: int | None = None
    margin: int | None = None
    confidence: str = ""
    exact: bool = False
    profiles_read: int | None = None
    total_profiles: int | None = None
    reason: str = ""
    last: LastSize | None = None


@dataclass(frozen=True)
class Target:
    """Where the plan was made: the environment name and sandbox (None = local defaults)."""

    environment: str | None = None
    sandbox: str | None = None
    platform_url: str | None = None


@dataclass(frozen=True)
class Plan:
    changes: tuple[SegmentChange, ...]
    datasets: tuple[DatasetChange, ...] = ()
    segment_jobs: tuple[SegmentJob, ...] = ()
    export_runs: tuple[ExportRun, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    unmanaged: tuple[str, ...] = ()  # names of owned live segments not declared (prune candidates)
    prune: bool = False
    project: str = ""  # the project's name, stamped into every marker apply writes
    unclaimed: tuple[str, ...] = ()  # live segments no project owns, not matched (never pruned)
    foreign: tuple[Foreign, ...] = ()  # live objects owned by other projects (never touched)
    # audiences of other origins (custom uploads, Audience Orchestration...): "name (ORIGIN)";
    # segctl lists them and never adopts, updates or prunes them
    other_origins: tuple[str, ...] = ()
    target: Target = field(default_factory=Target)
    project_root: str = ""
    files_hash: str = ""
    fingerprint: str = ""
    targets: tuple[str, ...] = ()  # --target keys (a partial plan); () = the whole project
    estimates: tuple[SizeEstimate, ...] | None = None  # None: not asked (plan without --estimate)
    # evaluation work read from live state (not written by this plan's changes)
    running_jobs: tuple[RunningJob, ...] = ()
    awaiting: tuple[Awaiting, ...] = ()
    deferred: tuple[str, ...] = ()  # keys left to the scheduled run (ration spent)
    ration: Ration | None = None
    schedules: tuple[ScheduleChange, ...] = ()  # kind: Schedule against the live schedules

    def estimate_for(self, key: str) -> SizeEstimate | None:
        return next((e for e in self.estimates or () if e.key == key), None)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def actionable(self) -> tuple[SegmentChange, ...]:
        return tuple(c for c in self.changes if c.action is not Action.NOOP)

    @property
    def has_changes(self) -> bool:
        """True when the sandbox's definitions or datasets differ from the files (the wording
        "No changes" of the renderings). Stamping a marker and jobs are not differences; use
        :attr:`has_work` for "would apply do anything"."""
        return bool(
            any(not c.adopt_only for c in self.actionable)
            or any(d.action not in (Action.NOOP, Action.UPDATE) for d in self.datasets)
            or self.schedules_to_write
        )

    @property
    def has_work(self) -> bool:
        """THE predicate "apply would do anything": write a definition or dataset (creates,
        updates, replaces, deletes), stamp or adopt a marker, or start a segment job or an
        export — or evaluation work remains that it cannot do today. ``--detailed-exitcode``
        exits 2 exactly when this is true, and apply stops before its first call when it is
        false. Extend it here (one place) when the plan learns about new kinds of work.

        Evaluation work (read from the job history): segment jobs already running that apply
        waits for, segments awaiting evaluation, and those left to the scheduled run because
        the on-demand ration is spent (apply cannot evaluate them today, but the work remains).
        """
        return bool(
            self.actionable
            or any(d.action is not Action.NOOP for d in self.datasets)
            or self.schedules_to_write
            or self.segment_jobs
            or self.export_runs
            or self.running_jobs
            or self.awaiting
            or self.deferred
        )

    @property
    def awaiting_evaluation(self) -> tuple[str, ...]:
        """Every declared segment whose current definition is not evaluated yet: those this
        plan changes and evaluates, those live state shows awaiting, those in running jobs."""
        keys = [k for job in self.segment_jobs for k in job.segments]
        keys += [k for job in self.running_jobs for k in job.segments]
        keys += [a.key for a in self.awaiting] + list(self.deferred)
        return tuple(dict.fromkeys(keys))

    @property
    def schedules_to_write(self) -> tuple[ScheduleChange, ...]:
        return tuple(s for s in self.schedules if s.action is not Action.NOOP)

    @property
    def updates(self) -> int:
        """Updates that change something: segments (not marker-only adoptions) and
        schedules."""
        return (self.count(Action.UPDATE) - sum(1 for c in self.changes if c.adopt_only)
                + self.schedule_count(Action.UPDATE))

    def schedule_count(self, action: Action) -> int:
        return sum(1 for s in self.schedules if s.action is action)

    @property
    def datasets_to_create(self) -> int:
        return sum(1 for d in self.datasets if d.action is Action.CREATE)

    @property
    def datasets_to_delete(self) -> int:
        return sum(1 for d in self.datasets if d.action is Action.DELETE)

    def summary(self) -> str:
        creates = (self.count(Action.CREATE) + self.datasets_to_create
                   + self.schedule_count(Action.CREATE))
        deletes = self.count(Action.DELETE) + self.datasets_to_delete
        adopts = sum(1 for change in self.changes if change.adopt_only) + sum(
            1 for d in self.datasets if d.action is Action.UPDATE)
        adopting = f", {adopts} to adopt" if adopts else ""
        return (
            f"Plan: {creates} to create, "
            f"{self.updates} "
            "to update, "
            f"{self.count(Action.REPLACE) + self.schedule_count(Action.REPLACE)} to replace, "
            f"{deletes} to delete{adopting}; "
            f"{_count(len(self.segment_jobs), 'segment job')}, "
            f"{_count(len(self.export_runs), 'export')}"
            + (f", {_count(len(self.running_jobs), 'running job')} to wait for"
               if self.running_jobs else "")
            + (f", {len(self.deferred)} left to the scheduled run" if self.deferred else "")
            + f".{self.others_summary()}"
        )

    def others_summary(self) -> str:
        """" Left alone: N unmanaged, M owned by other projects." (empty when both are 0)."""
        if not (self.unclaimed or self.foreign):
            return ""
        return (f" Left alone: {len(self.unclaimed)} unmanaged, "
                f"{len(self.foreign)} owned by other projects.")


_KINDS = {"unknown": "sandbox type not known yet: a production sandbox's allowance"}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
