"""Schedules that run (help/segmentation/api/schedules.md, segmentation.yaml ``Schedule``).

Every sandbox has the system "Batch Segmentation" schedule of the doc's list example (type
``batch_segmentation``, active, ``0 0 1 * * ?``: daily at 01:00 UTC, ``properties.segments``
empty = every batch audience). An active ``batch_segmentation`` schedule starts a segment job
at its cron time with ``source: scheduler`` and ``properties.scheduleId/runId`` (the spec's
segment-job example).

An active ``export`` schedule (schedules.md: "The two supported types are batch_segmentation
and export"; the spec's Schedules tag: "a recurring schedule to automatically run export jobs")
starts an export job at its cron time. Neither the doc nor the spec says what an export
schedule's ``properties`` hold, so the sandbox chooses the body ``POST /export/jobs`` takes
(export-jobs.md: ``destination``, ``schema``, ``filter``, ``fields``, ``mergePolicy``,
``additionalFields``): it is checked as that POST checks it when the schedule is created, and
each run creates the job that POST would, with the segment job's ``source: scheduler``,
``properties.scheduleId/runId`` and ``requestId`` ``<scheduleId>-<ms>`` (segmentation.yaml
SegmentJob example) added. A run whose body no longer passes (its dataset deleted) starts
nothing; the schedule stays. Due runs start in the order of their times, one worker running
them one at a time, so an export due after the nightly evaluation exports its memberships.

Time is the sandbox's clock (``Host.now``), which ``segctl sandbox
advance`` moves; a schedule whose time passed while nobody asked fires once, at the next
request or advance (AEP runs the nightly job when it is due; a sandbox that was not running
cannot, so it catches up with one run, not one per missed night).

Cron: Quartz, 6 or 7 fields, UTC. Seconds, minutes and hours are single numbers (at most once
a day, as the doc requires); day of month, month, day of week and year take ``*``, ``?``,
numbers, names, lists, ranges and ``/`` steps. ``L``, ``W`` and ``#`` are refused.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition
from segctl.sandbox.core.values import new_uuid, sandbox_object
from segctl.sandbox.core.web import HttpFailure
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND
from segctl.sandbox.exports.models import new_export_job
from segctl.sandbox.jobs.models import new_job, segment_entry

log = logging.getLogger(__name__)

SCHEDULE = "schedule"
RUNS = ("batch_segmentation", "export")  # the types whose runs start jobs
LAST_RUN = "__lastRunMs"
SYSTEM_NAME = "Batch Segmentation"
SYSTEM_CRON = "0 0 1 * * ?"
_SEEDED = "systemSchedule:"  # counter flag: the scope got its system schedule once
_CATCH_UP_DAYS = 400
_FIXED = re.compile(r"^\d{1,2}$")
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}


class CronError(ValueError):
    pass


def _field(text: str, lo: int, hi: int, names: dict[str, int]) -> Callable[[int], bool]:
    """A matcher for one Quartz field: ``*``/``?``, ``a``, ``a-b``, ``a/n``, ``a-b/n``, lists."""
    if text in ("*", "?"):
        return lambda _v: True
    allowed: set[int] = set()

    def number(token: str) -> int:
        value = names.get(token.upper()) if not token.isdigit() else int(token)
        if value is None or not lo <= value <= hi:
            raise CronError(f"{token!r} is not in {lo}-{hi}")
        return value

    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"bad step in {part!r}")
        if base in ("*", "?"):
            first, last = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = number(a), number(b)
        else:
            first = number(base)
            last = hi if step else first
        allowed.update(range(first, last + 1, step or 1))
    return allowed.__contains__


class Cron:
    """A daily Quartz expression: the time of day and the days it fires on."""

    def __init__(self, expr: Any):
        if not isinstance(expr, str):
            raise CronError("schedule must be a Quartz cron string.")
        parts = expr.split()
        if len(parts) not in (6, 7):
            raise CronError("schedule must have 6 or 7 fields (sec min hour dom month dow [year]).")
        sec, minute, hour = parts[:3]
        if not all(_FIXED.match(p) for p in (sec, minute, hour)) or int(hour) > 23 \
                or int(minute) > 59 or int(sec) > 59:
            raise CronError("A schedule may run at most once every 24 hours.")
        if any(c in p.upper() for p in parts[3:6] for c in "LW#"):
            raise CronError("L, W and # are not supported by the local sandbox.")
        self.time = (int(hour), int(minute), int(sec))
        try:
            self._dom = _field(parts[3], 1, 31, {})
            self._month = _field(parts[4], 1, 12, _MONTHS)
            self._dow = _field(parts[5], 1, 7, _DAYS)
            self._year = _field(parts[6], 1970, 2099, {}) if len(parts) == 7 \
                else (lambda _v: True)
        except (CronError, ValueError) as err:
            raise CronError(f"bad cron field: {err}") from None

    def fires_on(self, day: date) -> bool:
        quartz_dow = day.isoweekday() % 7 + 1  # Quartz: 1 = Sunday
        return (self._dom(day.day) and self._month(day.month) and self._dow(quartz_dow)
                and self._year(day.year))

    def latest(self, after_ms: int, until_ms: int) -> int | None:
        """The last fire time in ``(after_ms, until_ms]``, in ms; None if there is none."""
        until = datetime.fromtimestamp(until_ms / 1000, tz=UTC)
        hour, minute, sec = self.time
        day = until.date()
        for _ in range(_CATCH_UP_DAYS):
            fire = datetime(day.year, day.month, day.day, hour, minute, sec, tzinfo=UTC)
            fire_ms = int(fire.timestamp() * 1000)
            if fire_ms <= after_ms:
                return None
            if fire_ms <= until_ms and self.fires_on(day):
                return fire_ms
            day -= timedelta(days=1)
        return None


def check_cron(expr: Any) -> str:
    Cron(expr)
    return str(expr)


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("__")}


def new_schedule(app: Host, scope: Partition, body: dict[str, Any], *,
                 sid: str | None = None) -> dict[str, Any]:
    now = app.now_ms()
    doc = {"id": sid or new_uuid(), "imsOrgId": scope.org, "sandbox": sandbox_object(scope),
           "name": body["name"], "state": body.get("state", "inactive"), "type": body["type"],
           "schedule": check_cron(body.get("schedule", SYSTEM_CRON)),
           "properties": body.get("properties", {}),
           "createEpoch": now // 1000, "updateEpoch": now // 1000, LAST_RUN: now}
    app.store.put(SCHEDULE, scope, doc["id"], doc, name=doc["name"], created=now)
    return doc


def ensure_system_schedule(app: Host, scope: Partition) -> None:
    """Give a sandbox its "Batch Segmentation" schedule the first time it is used (once: a
    user may delete or change it afterwards)."""
    flag = f"{_SEEDED}{scope.org}/{scope.sandbox}"
    if app.store.value(flag):
        return
    with app.store.write():
        if app.store.value(flag):
            return
        sid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-schedule:{scope.org}/{scope.sandbox}"))
        new_schedule(app, scope, {"name": SYSTEM_NAME, "type": "batch_segmentation",
                                  "state": "active", "schedule": SYSTEM_CRON,
                                  "properties": {"segments": []}}, sid=sid)
        app.store.set_value(flag, 1)


def run_due(app: Host, scope: Partition) -> list[dict[str, Any]]:
    """Start the jobs of the active schedules whose time came since their last run, earliest
    time first (segment and export jobs); returns the jobs started."""
    ensure_system_schedule(app, scope)
    now = app.now_ms()
    due: list[tuple[int, str, dict[str, Any]]] = []
    for doc in app.store.all(SCHEDULE, scope):
        if doc.get("state") != "active" or doc.get("type") not in RUNS:
            continue
        try:
            fire = Cron(doc["schedule"]).latest(int(doc.get(LAST_RUN, 0)), now)
        except CronError:
            continue
        if fire is not None:
            due.append((fire, str(doc["id"]), doc))
    started = []
    for fire, _, doc in sorted(due, key=lambda d: (d[0], d[1])):
        if not _claim(app, scope, doc, fire):
            continue
        job = _start_run(app, scope, doc) if doc["type"] == "batch_segmentation" \
            else _start_export(app, scope, doc, fire)
        if job is not None:
            started.append(job)
    return started


def _claim(app: Host, scope: Partition, doc: dict[str, Any], fire: int) -> bool:
    """Record the run before starting it, so two processes never both start it."""
    with app.store.write():
        current = app.store.get(SCHEDULE, scope, doc["id"])
        if current is None or current.get(LAST_RUN) != doc.get(LAST_RUN):
            return False
        current[LAST_RUN] = fire
        app.store.put(SCHEDULE, scope, doc["id"], current, name=current["name"])
        return True


def _start_run(app: Host, scope: Partition, schedule: dict[str, Any]) -> dict[str, Any]:
    wanted = (schedule.get("properties") or {}).get("segments") or []
    entries: list[dict[str, Any]]
    if not wanted or "*" in wanted:
        entries = [{"segmentId": "*"}]
    else:
        docs = [app.store.get(DEFINITION_KIND, scope, str(s)) for s in wanted]
        entries = [segment_entry(d) for d in docs if d is not None] or [{"segmentId": "*"}]
    return new_job(app, scope, entries, source="scheduler",
                   properties={"scheduleId": schedule["id"], "runId": new_uuid()})


def _start_export(app: Host, scope: Partition, schedule: dict[str, Any],
                  fire: int) -> dict[str, Any] | None:
    """The export job ``POST /export/jobs`` would create from the schedule's properties, or
    None when they no longer pass its checks (logged)."""
    try:
        return new_export_job(
            app, scope, schedule.get("properties") or {},
            request_id=f"{schedule['id']}-{fire}",
            extra={"source": "scheduler",
                   "properties": {"scheduleId": schedule["id"], "runId": new_uuid()}})
    except HttpFailure as err:
        log.warning("export schedule %s did not run: %s %s", schedule["id"], err, err.body)
        return None
