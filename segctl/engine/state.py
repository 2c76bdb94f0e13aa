"""Read the live state once, and fingerprint it.

Everything a plan compares against comes from paged list calls: every audience, the merge
policies, and the datasets the exports name. No per-object GET: a plan over N segments costs
about ceil(N/100) requests plus a few (merge policies, datasets, this year's segment jobs — a
page per 100 — and one page of recent export jobs).

Segments are read through ``/audiences``, not ``/segment/definitions``: a Platform audience
carries everything its definition does (expression, merge policy, evaluationInfo,
description) plus what only the audience shows (labels, lifecycleState, ttlInDays), and the
same pages list the audiences of other origins that segctl must leave alone. An org not enabled
for audiences (the spec's 403) is read through ``/segment/definitions`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from segctl.aep import AepClient, ForbiddenError
from segctl.aep.documents import is_platform_audience
from segctl.aep.ration import RationUsage, ration_from_env, usage, year_start
from segctl.engine.marker import DATASET_TAG
from segctl.engine.normalise import stable_json


@dataclass(frozen=True)
class LiveState:
    """What the sandbox holds, as the API returned it."""

    segments: tuple[Mapping[str, Any], ...]
    merge_policies: tuple[Mapping[str, Any], ...]
    datasets: Mapping[str, Mapping[str, Any]]  # dataset name -> object (with "id")
    owned_datasets: tuple[Mapping[str, Any], ...] = ()  # tagged by segctl (read for prune)
    # segment jobs created since ``history_from_ms`` (newest first; None: no history was read,
    # so no segment is known to await evaluation) and the newest page of export jobs
    segment_jobs: tuple[Mapping[str, Any], ...] = ()
    export_jobs: tuple[Mapping[str, Any], ...] = ()
    history_from_ms: int | None = None
    ration: RationUsage | None = None  # the on-demand ration spent so far (None: not read)
    # audiences of other origins: listed, never managed
    other_origins: tuple[Mapping[str, Any], ...] = ()
    # the segmentation schedules (read only when the project declares a kind: Schedule)
    schedules: tuple[Mapping[str, Any], ...] = ()

    def fingerprint(self) -> str:
        """A digest of what a saved plan was computed from: ids plus update times."""
        rows = sorted((str(s.get("id")), str(s.get("updateTime"))) for s in self.segments)
        sets = sorted(
            (name, str(d.get("id")), str(d.get("updated", ""))) for name, d in self.datasets.items()
        ) + sorted((str(d.get("name")), str(d.get("id")), "owned") for d in self.owned_datasets)
        policies = sorted(f"{p.get('id')}:{p.get('default')}" for p in self.merge_policies)
        parts: list[Any] = [rows, sets, policies]
        if self.schedules:
            parts.append(sorted(f"{s.get('id')}:{s.get('schedule')}:{s.get('state')}"
                                for s in self.schedules))
        digest = hashlib.sha256(stable_json(parts).encode()).hexdigest()
        return f"sha256:{digest}"


def read_live_state(
    client: AepClient, dataset_names: Iterable[str], *, owned: bool = False,
    schedules: bool = False,
) -> LiveState:
    """One paged pass over audiences (or definitions), merge policies and the named datasets,
    this year's segment jobs (what is evaluated, and the on-demand ration spent), the first page
    of export jobs; with ``owned`` (prune) also the datasets carrying segctl's tag; with
    ``schedules`` (a project declaring ``kind: Schedule``) one list of the segmentation
    schedules."""
    names = tuple(dataset_names)
    reads: dict[str, Callable[[], Any]] = {
        "segments": lambda: read_segments(client),
        "policies": lambda: tuple(client.list_merge_policies()),
        "datasets": lambda: find_datasets(client, names),
        # this year by the sandbox's clock, asked once the first page answered with its Date
        "segment_jobs": lambda: tuple(client.segment_job_history(
            lambda: year_start(_service_ms(client)))),
        "export_jobs": lambda: tuple(client.recent_export_jobs()),
    }
    if owned:
        reads["mine"] = lambda: tuple(client.list_datasets(
            params={"tags": f"{DATASET_TAG}:*", "properties": _PROPERTIES}))
    if schedules:
        reads["schedules"] = lambda: tuple(client.list_schedules())
    got = _read_together(reads, client.read_concurrency)
    segments, other_origins = got["segments"]
    # "today" and "this year" are the sandbox's, not this machine's: AEP (or a local sandbox
    # whose clock `segctl sandbox advance` moved) counts its ration by its own day
    now_ms = _service_ms(client)
    since = year_start(now_ms)  # the ration's year, and the evaluations the plan can see
    spent = usage(ration_from_env(), got["segment_jobs"], now_ms)
    return LiveState(segments, got["policies"], got["datasets"], got.get("mine", ()),
                     got["segment_jobs"], got["export_jobs"], history_from_ms=since,
                     ration=spent, other_origins=other_origins,
                     schedules=got.get("schedules", ()))


def _service_ms(client: AepClient) -> int:
    """The sandbox's time now (epoch ms): the Date of its latest answer, moved on locally."""
    return int(client.service_time() * 1000)


def _read_together(reads: Mapping[str, Callable[[], Any]], concurrency: int) -> dict[str, Any]:
    """Each read's result; independent reads overlap (up to ``concurrency`` at a time), as
    over HTTP each is mostly a wait. A failure is raised once every read has ended (the first
    failed read in ``reads``' order, so the error does not depend on timing)."""
    if concurrency <= 1:
        return {name: read() for name, read in reads.items()}
    with ThreadPoolExecutor(max_workers=min(concurrency, len(reads)),
                            thread_name_prefix="segctl-read") as pool:
        futures = {name: pool.submit(read) for name, read in reads.items()}
    return {name: future.result() for name, future in futures.items()}


def read_segments(
    client: AepClient,
) -> tuple[tuple[Mapping[str, Any], ...], tuple[Mapping[str, Any], ...]]:
    """(Platform audiences, audiences of other origins), one paged pass over /audiences."""
    try:
        audiences = client.list_audiences()
    except ForbiddenError:  # "The IMS Org is not enabled for External Segment" (403)
        return tuple(client.list_segment_definitions()), ()
    platform = tuple(a for a in audiences if is_platform_audience(a))
    return platform, tuple(a for a in audiences if not is_platform_audience(a))


# up to this many distinct dataset names are looked up one by one; beyond, one paged list
_LOOKUPS = 3
_PROPERTIES = "name,tags,updated,lastSuccessfulBatch"


def find_datasets(client: AepClient, names: Iterable[str]) -> dict[str, Mapping[str, Any]]:
    """Dataset name -> live dataset, for the names that exist."""
    wanted = sorted(set(names))
    found: dict[str, Mapping[str, Any]] = {}
    if len(wanted) <= _LOOKUPS:
        for name in wanted:
            hit = client.find_dataset_by_name(name, properties=_PROPERTIES)
            if hit is not None:
                found[name] = hit
        return found
    chosen = set(wanted)
    for dataset in client.list_datasets(params={"properties": _PROPERTIES}):
        label = dataset.get("name")
        if isinstance(label, str) and label in chosen and label not in found:
            found[label] = dataset
    return found
