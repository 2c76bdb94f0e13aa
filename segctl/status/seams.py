"""Where ``segctl status`` takes three answers that other parts of segctl own. Each is one
function, so that a better source replaces exactly one place:

- :func:`owner_of`: who owns a live segment, from the project-scoped ownership marker
  (``engine.marker``: project + key).
- :func:`awaiting_evaluation`: whether the live rule still waits for an evaluation: the
  engine's own assessment (``engine.evaluation.assess_all``, the one plan uses to put a
  segment in a job), over the same year of segment jobs plan reads. A batch segment awaits
  when no job since its creation covered it, or the newest one evaluated an older rule;
  streaming and edge segments are evaluated continuously and never wait.
- :func:`last_known_size`: the segment's size, from the engine's ``last_sizes`` (the same
  source as plan's "last evaluated size": the audience's own metrics, else the newest
  successful segment job's count).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from segctl.aep.documents import evaluation_of, job_segment_ids
from segctl.engine import LastSize
from segctl.engine.evaluation import SegmentEvaluation, assess_all
from segctl.engine.marker import parse as parse_marker

THIS_PROJECT = "this project"
ANOTHER_PROJECT = "another project"
UNMANAGED = "unmanaged"


def owner_of(definition: Mapping[str, Any], project: str, declared_keys: Collection[str]
             ) -> tuple[str, str | None]:
    """(:data:`THIS_PROJECT`, :data:`ANOTHER_PROJECT` or :data:`UNMANAGED`, the owning
    project's name). The marker names its project; a marker from before projects (no
    ``project=``) is unclaimed: this project's when it declares the key (the next apply
    re-stamps it), else unmanaged."""
    _, mark = parse_marker(definition.get("description"))
    if mark is None:
        return UNMANAGED, None
    if mark.project is None:
        return (THIS_PROJECT if mark.key in declared_keys else UNMANAGED), None
    return (THIS_PROJECT if mark.owned_by(project) else ANOTHER_PROJECT), mark.project


def last_evaluation(definition: Mapping[str, Any], jobs_newest_first: Sequence[Mapping[str, Any]]
                    ) -> Mapping[str, Any] | None:
    """The newest successful segment job that evaluated ``definition``."""
    segment_id = str(definition.get("id"))
    for job in jobs_newest_first:
        if job.get("status") == "SUCCEEDED" and segment_id in job_segment_ids(job):
            return job
    return None


def evaluations(definitions: Sequence[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]],
                history_from_ms: int | None) -> Mapping[str, SegmentEvaluation]:
    """Live segment id -> the engine's evaluation state, for the batch definitions (``None``:
    no job history was read, so nothing is known to await)."""
    if history_from_ms is None:
        return {}
    batch = [d for d in definitions if evaluation_of(d.get("evaluationInfo")) == "batch"]
    return assess_all(batch, jobs, history_from_ms)


def awaiting_evaluation(definition: Mapping[str, Any],
                        assessed: Mapping[str, SegmentEvaluation]) -> bool:
    """Streaming and edge rules are evaluated continuously: they never wait for a job (and
    :func:`evaluations` leaves them out)."""
    found = assessed.get(str(definition.get("id")))
    return found is not None and found.awaiting


def last_known_size(definition: Mapping[str, Any], sizes: Mapping[str, LastSize]) -> int | None:
    """From ``sizes``, what the engine's ``last_sizes(client)`` returns: the single place
    plan's "last evaluated size" comes from too (segment job metrics today)."""
    found = sizes.get(str(definition.get("id")))
    return found.profiles if found is not None else None
