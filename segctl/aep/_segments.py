"""Segmentation service: segment definitions, segment jobs and export jobs (AEP-API.md §5-7)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from segctl.aep._base import UPS, ResourceBase, expect_object, seg
from segctl.aep._errors import NotFoundError
from segctl.aep._paging import Style, iterate, make_request
from segctl.aep.documents import PROFILE_SCHEMA, export_signature, job_expressions, job_segment_ids

MAX_SEGMENT_IDS_PER_JOB = 20
"""Flexible audience evaluation accepts at most this many ids per POST /segment/jobs."""
# How far back (client clock) a job found after an ambiguous create may have been created;
# generous because the service's clock and ours disagree.
_RECOVERY_WINDOW_MS = 10 * 60 * 1000
_JOB_HEADERS = {"x-profile-instance-id": "ups"}

DEFINITIONS = f"{UPS}/segment/definitions"
SEGMENT_JOBS = f"{UPS}/segment/jobs"
EXPORT_JOBS = f"{UPS}/export/jobs"


def chunk_ids(ids: Iterable[str], size: int = MAX_SEGMENT_IDS_PER_JOB) -> list[tuple[str, ...]]:
    """Distinct ids in first-seen order, in groups of at most ``size``."""
    unique = list(dict.fromkeys(ids))
    return [tuple(unique[i : i + size]) for i in range(0, len(unique), size)]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _created_since(obj: Mapping[str, Any], since_ms: int) -> bool:
    created = obj.get("creationTime")
    return isinstance(created, (int, float)) and created >= since_ms


class SegmentsApi(ResourceBase):
    # -- segment definitions ------------------------------------------------------------------

    def list_segment_definitions(
        self, *, limit: int = 100, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every segment definition, across all pages."""
        return self._all(DEFINITIONS, Style.PAGE_LINK, {"limit": limit, **(params or {})})

    def find_segment_definition_by_name(self, name: str) -> dict[str, Any] | None:
        """The definition whose ``name`` is exactly ``name`` (the API has no name filter)."""
        return next((d for d in self.list_segment_definitions() if d.get("name") == name), None)

    def get_segment_definition(self, segment_id: str) -> dict[str, Any]:
        return self._object("GET", f"{DEFINITIONS}/{seg(segment_id)}")

    def create_segment_definition(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """POST a new definition. After an ambiguous failure the name is looked up first, so a
        definition is never created twice."""
        name = definition.get("name")
        recover = (lambda: self.find_segment_definition_by_name(name)) if name else None
        return self._create(DEFINITIONS, dict(definition), parse=expect_object, recover=recover)

    def update_segment_definition(
        self, segment_id: str, definition: Mapping[str, Any]
    ) -> dict[str, Any]:
        """PATCH with the complete desired object (the API overwrites; it is not JSON Patch)."""
        body = {**definition, "id": segment_id}
        return self._object("PATCH", f"{DEFINITIONS}/{seg(segment_id)}", json_body=body)

    def delete_segment_definition(self, segment_id: str) -> None:
        self._delete(f"{DEFINITIONS}/{seg(segment_id)}")

    def bulk_get_segment_definitions(self, segment_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{id: definition}`` for the ids the service knows (answered with 207).

        An id the service does not know comes back as an error entry (``{"requestId",
        "errors": {"404": [...]}}``, segmentation.yaml bulk-get examples) and is left out; when
        none is known the answer is a 404, which means an empty result here.
        """
        if not segment_ids:
            return {}
        body = {"ids": [{"id": i} for i in dict.fromkeys(segment_ids)]}
        try:
            result = self._object(
                "POST", f"{DEFINITIONS}/bulk-get", json_body=body, replayable=True
            )
        except NotFoundError:
            return {}
        results = result.get("results")
        if not isinstance(results, dict):
            return {}
        return {
            k: v
            for k, v in results.items()
            if isinstance(v, dict) and not isinstance(v.get("errors"), dict)
        }

    def convert_segment_definition(self, definition: Mapping[str, Any]) -> dict[str, Any]:
        """POST /segment/conversion: the expression comes back in the other PQL format."""
        return self._object(
            "POST", f"{UPS}/segment/conversion", json_body=dict(definition), replayable=True
        )

    # -- segment jobs -------------------------------------------------------------------------

    def create_segment_jobs(self, segment_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Evaluate ``segment_ids``: one job per group of at most 20 ids (the service's limit).

        Job runs are rationed, so a POST whose outcome is unknown is followed by a lookup for a
        just-created job with the same ids before it is ever sent again.
        """
        jobs = []
        for group in chunk_ids(segment_ids):
            body = [{"segmentId": i} for i in group]
            jobs.append(self._create_segment_job(body, frozenset(group)))
        return jobs

    def create_segment_job_for_all(self, schema_name: str = PROFILE_SCHEMA) -> dict[str, Any]:
        """The ``"*"`` form: one job over every definition of ``schema_name``."""
        body = {"schema": {"name": schema_name}, "segments": [{"segmentId": "*"}]}
        return self._create_segment_job(body, frozenset({"*"}))

    def _create_segment_job(self, body: Any, ids: frozenset[str]) -> dict[str, Any]:
        since = self._now_ms() - _RECOVERY_WINDOW_MS
        return self._create(
            SEGMENT_JOBS,
            body,
            parse=expect_object,
            recover=lambda: self._find_segment_job(ids, since),
            headers=_JOB_HEADERS,
        )

    def _find_segment_job(self, ids: frozenset[str], since_ms: int) -> dict[str, Any] | None:
        for job in self.list_segment_jobs(params={"sort": "creationTime:desc"}):
            if (
                job.get("source", "api") == "api"
                and job_segment_ids(job) == ids
                and _created_since(job, since_ms)
                and self._evaluates_current_definitions(job)
            ):
                return job
        return None

    def _evaluates_current_definitions(self, job: Mapping[str, Any]) -> bool:
        """False for a job that snapshotted an expression the definition no longer has: an
        earlier run from before an update, not the job whose create just went unanswered."""
        snapshots = job_expressions(job)
        if not snapshots:
            return True  # nothing to compare: the ids and the creation time have to do
        current = self.bulk_get_segment_definitions(sorted(snapshots))
        return all(
            _dict(current.get(sid)).get("expression") == expression
            for sid, expression in snapshots.items()
        )

    def get_segment_job(self, job_id: str) -> dict[str, Any]:
        return self._object("GET", f"{SEGMENT_JOBS}/{seg(job_id)}")

    def list_segment_jobs(
        self,
        *,
        status: str | None = None,
        limit: int = 100,
        params: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        query = {"limit": limit, "status": status, **(params or {})}
        return self._all(SEGMENT_JOBS, Style.UNDERSCORE, query)

    def recent_segment_jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` segment jobs (one request, newest first)."""
        return self._first_page(
            SEGMENT_JOBS, Style.UNDERSCORE, {"limit": limit, "sort": "creationTime:desc"}
        )

    def segment_job_history(self, since_ms: int | Callable[[], int], *, max_pages: int = 50
                            ) -> list[dict[str, Any]]:
        """Segment jobs created at or after ``since_ms`` (epoch ms), newest first: pages are
        read until one reaches back past ``since_ms`` (or ``max_pages``). A callable is asked
        once the first page has answered, so it can read the service's clock from that
        answer (``service_time``)."""
        jobs: list[dict[str, Any]] = []
        pages = iterate(self._get_page, make_request(
            SEGMENT_JOBS, {"limit": 100, "sort": "creationTime:desc"}), Style.UNDERSCORE,
            max_pages=max_pages)
        cut = since_ms if isinstance(since_ms, int) else None
        for job in pages:
            if cut is None:
                assert callable(since_ms)
                cut = since_ms()
            created = job.get("creationTime")
            if isinstance(created, (int, float)) and 0 < created < cut:
                break
            jobs.append(job)
        return jobs

    def cancel_segment_job(self, job_id: str) -> dict[str, Any] | None:
        """Request cancellation (asynchronous: CANCELLING, then CANCELLED)."""
        return self._delete(f"{SEGMENT_JOBS}/{seg(job_id)}")

    # -- export jobs (integer ids) ------------------------------------------------------------

    def create_export_job(self, job: Mapping[str, Any]) -> dict[str, Any]:
        """POST an export job; an ambiguous failure is followed by a lookup for a job with the
        same destination dataset and segments created since this call began.

        The same export may well have run minutes ago (an earlier apply), so the jobs that
        already match are noted first (one request) and never taken for this call's job."""
        signature = export_signature(job)
        since = self._now_ms() - _RECOVERY_WINDOW_MS
        earlier = {found.get("id") for found in self.recent_export_jobs()
                   if export_signature(found) == signature}

        def recover() -> dict[str, Any] | None:
            for found in self.list_export_jobs():
                if (export_signature(found) == signature and _created_since(found, since)
                        and found.get("id") not in earlier):
                    return found
            return None

        return self._create(
            EXPORT_JOBS, dict(job), parse=expect_object, recover=recover, headers=_JOB_HEADERS
        )

    def get_export_job(self, job_id: int) -> dict[str, Any]:
        return self._object("GET", f"{EXPORT_JOBS}/{int(job_id)}")

    def list_export_jobs(
        self,
        *,
        status: str | None = None,
        limit: int = 100,
        params: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        query = {"limit": limit, "status": status, **(params or {})}
        return self._all(EXPORT_JOBS, Style.RECORDS, query)

    def recent_export_jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` export jobs (one request; the API lists newest first)."""
        return self._first_page(EXPORT_JOBS, Style.RECORDS, {"limit": limit})

    def cancel_export_job(self, job_id: int) -> dict[str, Any] | None:
        return self._delete(f"{EXPORT_JOBS}/{int(job_id)}")
