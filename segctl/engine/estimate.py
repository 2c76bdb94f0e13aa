"""``segctl plan --estimate``: how many profiles each new or changed segment would hold.

For each segment the plan creates, updates or replaces, AEP's preview/estimate endpoints are
asked (AEP-API §10: one POST starts both, the estimate is polled until RESULT_READY or FAILED,
then the preview is deleted), and the answer is set beside the size the segment had at its last
evaluation. Previews write nothing a plan compares or apply reads, so ``--estimate`` stays
read-only and changes neither the plan's diff nor its exit code. An estimate that fails, times
out or cannot be asked becomes an *unavailable* :class:`SizeEstimate` with the reason: it never
fails the plan.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from segctl.aep import AepClient, ApiError, Estimate, EstimateTimeout
from segctl.engine.model import Action, LastSize, Plan, SegmentChange, SizeEstimate
from segctl.engine.normalise import definition_payload
from segctl.engine.progress import NullProgress, Progress

ESTIMATED_ACTIONS = frozenset({Action.CREATE, Action.UPDATE, Action.REPLACE})
ESTIMATE_TIMEOUT = 120.0  # AEP: "Estimates generally take 10 to 15 seconds to run"


def segments_to_estimate(plan: Plan) -> tuple[SegmentChange, ...]:
    """The new or changed segments, in plan order (adopt-only stamps change nothing)."""
    return tuple(c for c in plan.actionable if c.action in ESTIMATED_ACTIONS
                 and c.desired is not None and not c.adopt_only)


class _NotLive(Exception):
    """A referenced segment has no live definition whose members an estimate could read."""


def preview_pql(change: SegmentChange, plan: Plan) -> str:
    """The PQL to estimate: the declared expression with ``inSegment("key:x")`` pointing at x's
    live id, as apply would write it. Raises ``_NotLive`` when x is created or replaced by this
    plan (its members do not exist yet)."""
    assert change.desired is not None
    live = {c.key: c.id for c in plan.changes
            if c.id and c.action in (Action.UPDATE, Action.NOOP)}

    def key_to_id(key: str) -> str:
        if key not in live:
            raise _NotLive(key)
        return str(live[key])

    return str(definition_payload(change.desired, key_to_id)["expression"]["value"])


def last_sizes(client: AepClient, ids: Iterable[str] = ()) -> dict[str, LastSize]:
    """Segment id -> its size at the last evaluation.

    The one place the "last evaluated size" comes from: the audiences' ``metrics`` (one
    bulk-get per 100 of ``ids``: it knows every audience, however long ago it was evaluated;
    segmentation.yaml ``AudiencesListWithMetrics``), and for the ids whose audience carries no
    metrics, the newest page of segment jobs (``metrics.segmentedProfileCounter``, AEP-API
    §6.2)."""
    wanted = list(dict.fromkeys(ids))
    found = sizes_from_audiences(client.bulk_get_audiences(wanted).values()) if wanted else {}
    if not wanted or any(i not in found for i in wanted):
        found = {**sizes_from_jobs(client.recent_segment_jobs()), **found}
    return found


def sizes_from_audiences(audiences: Iterable[Mapping[str, Any]]) -> dict[str, LastSize]:
    """Pure: audience id -> ``metrics.data.totalProfiles`` with the job and time it names."""
    found: dict[str, LastSize] = {}
    for audience in audiences:
        metrics = audience.get("metrics")
        data = metrics.get("data") if isinstance(metrics, Mapping) else None
        count = data.get("totalProfiles") if isinstance(data, Mapping) else None
        if not isinstance(count, int | str) or not str(count).isdigit():
            continue
        assert isinstance(metrics, Mapping)
        epoch = metrics.get("updateEpoch")
        when = _iso(int(epoch) * 1000) if isinstance(epoch, int) else ""
        found[str(audience.get("id"))] = LastSize(int(count), str(metrics.get("jobId", "")), when)
    return found


def sizes_from_jobs(jobs: Iterable[Mapping[str, Any]]) -> dict[str, LastSize]:
    """Pure: the newest SUCCEEDED job that counted each segment (``jobs`` newest first)."""
    found: dict[str, LastSize] = {}
    for job in jobs:
        if job.get("status") != "SUCCEEDED":
            continue
        metrics = job.get("metrics")
        if not isinstance(metrics, Mapping):
            continue
        counter = metrics.get("segmentedProfileCounter")
        if not isinstance(counter, Mapping):
            continue
        total_time = metrics.get("totalTime")
        ended = total_time.get("endTimeInMs") if isinstance(total_time, Mapping) else None
        when = _iso(ended or job.get("updateTime"))
        for sid, count in counter.items():
            if sid not in found and isinstance(count, int | str) and str(count).isdigit():
                found[str(sid)] = LastSize(int(count), str(job.get("id", "")), when)
    return found


def _iso(ms: Any) -> str:
    try:
        return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def estimate_plan(
    plan: Plan,
    client: AepClient,
    *,
    timeout: float = ESTIMATE_TIMEOUT,
    interval: float = 1.0,
    progress: Progress | None = None,
) -> Plan:
    """``plan`` with ``estimates`` for its new and changed segments. Every estimate is started
    first (AEP runs them side by side), then each is polled until done or until ``timeout``
    seconds after the first start."""
    prog = progress or NullProgress()
    targets = segments_to_estimate(plan)
    if not targets:
        return replace(plan, estimates=())
    try:
        before = last_sizes(client, [c.id for c in targets if c.id])
    except ApiError:
        before = {}
    results: dict[str, SizeEstimate] = {}
    started: dict[str, str] = {}
    for change in targets:
        last = before.get(change.id) if change.id else None
        try:
            text = preview_pql(change, plan)
            assert change.desired is not None
            started[change.key] = client.start_estimate(text, model=change.desired.schema)
        except _NotLive as err:
            results[change.key] = unavailable(
                change.key, f"it uses segment {str(err)!r}, which this plan creates or "
                            "replaces, so there are no members to count yet", last)
        except ApiError as err:
            results[change.key] = unavailable(change.key, f"could not start: {err.message}",
                                              last)
    deadline = time.monotonic() + timeout
    pending = dict(started)
    try:
        for number, change in enumerate((c for c in targets if c.key in started), 1):
            last = before.get(change.id) if change.id else None
            label = f"estimate {number}/{len(started)} {change.key}"
            results[change.key] = _wait(client, started[change.key], change.key, label, last,
                                        max(0.0, deadline - time.monotonic()), interval, prog)
            _cancel(client, pending.pop(change.key))
    finally:  # interrupted: the previews still running are cancelled too
        for preview_id in pending.values():
            _cancel(client, preview_id)
    return replace(plan, estimates=tuple(results[c.key] for c in targets))


def _wait(client: AepClient, preview_id: str, key: str, label: str, last: LastSize | None,
          timeout: float, interval: float, progress: Progress) -> SizeEstimate:
    def show(reading: Estimate, elapsed: float) -> None:
        progress.status(f"{label}: {reading.progress()} ({elapsed:.0f}s)")

    try:
        final = client.wait_estimate(preview_id, timeout=timeout, interval=interval,
                                     on_reading=show)
    except EstimateTimeout as err:
        return unavailable(key, str(err), last)
    except ApiError as err:
        return unavailable(key, f"could not be read: {err.message}", last)
    finally:
        progress.clear()
    if not final.ready:
        return unavailable(key, f"estimate {final.state}: {final.error or 'no reason given'}",
                           last)
    return SizeEstimate(key, True, profiles=final.estimated_size, margin=final.margin,
                        confidence=final.confidence, exact=final.exact,
                        profiles_read=final.profiles_read, total_profiles=final.total_rows,
                        last=last)


def _cancel(client: AepClient, preview_id: str) -> None:
    """Delete a preview once read (or abandoned). Clean-up only: a leftover preview is
    harmless, so a failure here is ignored."""
    with contextlib.suppress(Exception):
        client.cancel_estimate(preview_id)


def unavailable(key: str, reason: str, last: LastSize | None = None) -> SizeEstimate:
    """An estimate that could not be had; ``reason`` may quote the API, so control characters
    (a line break, a terminal escape) become spaces."""
    clean = "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in reason)
    return SizeEstimate(key, False, reason=clean.strip(), last=last)
