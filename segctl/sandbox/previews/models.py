"""Previews' and estimates' state and behaviour (AEP-API §10;
help/segmentation/api/previews-and-estimates.md, "How estimates are generated").

The worker moves a job to RUNNING and reads a sample of the profile store chosen by AEP's table
(the full store under 1 million entities, 1 million up to 20 million, 5% above) in a few steps,
refining ``estimatedSize`` and ``standardError`` as it reads ("beginning with a rough estimate and
refining as more records are read"), then RESULT_READY, or FAILED with ``error.description``. A
job deleted meanwhile (cancelled) is never written back."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from segctl import pql
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition
from segctl.sandbox.profilestore import evaluate

KIND = "preview"
MAX_RESULTS = 1000
STEPS = 4  # reads per estimate: each one refines estimatedSize and standardError
CONFIDENCE = "95%"  # the level every documented estimate states


@dataclass(frozen=True)
class Sampling:
    """How many profiles an estimate reads, from the table in previews-and-estimates.md: the
    full data set below ``full_below`` entities, ``fixed`` entities up to ``fraction_above``,
    ``fraction`` of the store beyond. Tests scale it down to exercise sampling on a small store."""

    full_below: int = 1_000_000
    fixed: int = 1_000_000
    fraction_above: int = 20_000_000
    fraction: float = 0.05

    def size(self, population: int) -> int:
        if population < self.full_below:
            return population
        if population <= self.fraction_above:
            return min(self.fixed, population)
        return max(1, round(population * self.fraction))


SAMPLING = Sampling()


def refine(matched: int, read: int, population: int) -> tuple[int, int]:
    """(estimatedSize, standardError) after ``read`` sampled profiles of which ``matched``
    qualified: the sample proportion scaled to the store, and its standard error (with the
    finite-population correction, so a full read has an error of 0), in profiles."""
    if read <= 0 or population <= 0:
        return 0, 0
    share = matched / read
    estimated = round(share * population)
    if read >= population:
        return estimated, 0
    correction = (population - read) / (population - 1)
    error = population * math.sqrt(share * (1 - share) / read * correction)
    return estimated, round(error)


def _member(lookup: Callable[[str, str], bool], pid: str, ref: str) -> bool:
    return lookup(ref, pid)


def _write(app: Host, scope: Partition, pid: str, **changes: Any) -> dict[str, Any] | None:
    """Read-modify-write the job; None once it was cancelled (deleted): the worker stops and
    never writes a cancelled job back."""
    with app.store.write():
        doc = app.store.get(KIND, scope, pid)
        if doc is None:
            return None
        doc.update(changes)
        if "state" in changes:
            doc["previewQueryStatus"] = changes["state"]
        app.store.put(KIND, scope, pid, doc)
        return doc


def sample_order(population: int, size: int, seed: str) -> list[int]:
    """Which profiles (by position) an estimate reads: all in store order for a full read,
    else a uniform random sample, fixed by the job's query id so a resumed job reads the same."""
    if size >= population:
        return list(range(population))
    return sorted(random.Random(seed).sample(range(population), size))


def execute(app: Host, scope: Partition, pid: str) -> None:
    doc = _write(app, scope, pid, state="RUNNING", read=0, matched=0, estimated=0,
                 standardError=0, namespaces=[], members=[])
    if doc is None:
        return
    if app.faults.job_should_fail():
        _write(app, scope, pid, state="FAILED", error="Estimate failed (injected fault)")
        return
    try:
        _run(app, scope, doc)
    except Exception as err:
        _write(app, scope, pid, state="FAILED", error=f"{type(err).__name__}: {err}",
               traceback=type(err).__name__)  # no server stack to show


def _run(app: Host, scope: Partition, doc: dict[str, Any]) -> None:
    pid = str(doc["id"])
    predicate = pql.compile(pql.parse(doc["predicateExpression"]))
    data = app.profile_data()
    population = len(data)
    order = sample_order(population, SAMPLING.size(population), str(doc["previewQueryId"]))
    # numRowsToRead / totalRows: the sample and the store, as profile.yaml's
    # PreviewSampleStatusPageResponse defines them ("merged profiles in the sample" / "total")
    if _write(app, scope, pid, rowsToRead=len(order), totalRows=population) is None:
        return
    now = app.now()
    lookup = evaluate.membership_lookup({}, lambda sid: app.store.memberships(scope, sid))
    members: list[str] = []
    namespaces: dict[str, int] = {}
    matched = 0
    chunk = max(1, math.ceil(len(order) / STEPS))
    for start in range(0, max(len(order), 1), chunk):
        if app.runner.closing:
            return  # left RUNNING: the next sandbox on this data directory runs it again
        for ref, profile, events in data.rows_at(order[start:start + chunk],
                                                 events=predicate.uses_events):
            if predicate.evaluate(profile, events, now, functools.partial(_member, lookup, ref)):
                matched += 1
                if len(members) < MAX_RESULTS:
                    members.append(ref)
                for ns in profile.get("identityMap") or {}:
                    namespaces[ns] = namespaces.get(ns, 0) + 1
        read = min(start + chunk, len(order))
        estimated, error = refine(matched, read, population)
        progress = _write(app, scope, pid, read=read, matched=matched, estimated=estimated,
                          standardError=error, members=members,
                          namespaces=[{"namespaceId": ns, "profilesMatchedSoFar": n}
                                      for ns, n in sorted(namespaces.items())])
        if progress is None:
            return
    _write(app, scope, pid, state="RESULT_READY")
