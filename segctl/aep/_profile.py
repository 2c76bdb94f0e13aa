"""Profile configuration: merge policies, schedules, previews and estimates (§9-11)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from segctl.aep._audiences import add_ops
from segctl.aep._base import UPS, ResourceBase, expect_object, seg
from segctl.aep._errors import ApiError, NotFoundError
from segctl.aep._estimates import Estimate, poll_estimate
from segctl.aep._paging import Style

MERGE_POLICIES = f"{UPS}/config/mergePolicies"
SCHEDULES = f"{UPS}/config/schedules"
PREVIEWS = f"{UPS}/preview"
ESTIMATES = f"{UPS}/estimate"


def _is_true(value: Any) -> bool:
    # The docs show booleans and, in places, the strings "true"/"false".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _schema_name(policy: Mapping[str, Any]) -> str | None:
    schema = policy.get("schema")
    return schema.get("name") if isinstance(schema, dict) else None


class ProfileConfigApi(ResourceBase):
    # -- merge policies -----------------------------------------------------------------------

    def list_merge_policies(
        self, *, limit: int = 100, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._all(MERGE_POLICIES, Style.UNDERSCORE, {"limit": limit, **(params or {})})

    def get_default_merge_policy(
        self, schema_name: str = "_xdm.context.profile"
    ) -> dict[str, Any] | None:
        """The policy marked ``default`` for ``schema_name`` (at most one per schema class)."""
        policies = self.list_merge_policies(params={"default": True, "schema.name": schema_name})
        return next(
            (
                p
                for p in policies
                if _is_true(p.get("default")) and _schema_name(p) in (schema_name, None)
            ),
            None,
        )

    # -- schedules ----------------------------------------------------------------------------

    def list_schedules(self, *, limit: int = 100) -> list[dict[str, Any]]:
        return self._all(SCHEDULES, Style.UNDERSCORE, {"start": 0, "limit": limit})

    def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        return self._object("GET", f"{SCHEDULES}/{seg(schedule_id)}")

    def create_schedule(self, schedule: Mapping[str, Any]) -> dict[str, Any]:
        """POST a schedule (``name``, ``type``, ``properties``, ``schedule``, ``state``). A lost
        answer is recovered by finding the schedule of the same type and name, not replayed."""
        def recover() -> dict[str, Any] | None:
            return next((s for s in self.list_schedules()
                         if s.get("type") == schedule.get("type")
                         and s.get("name") == schedule.get("name")), None)

        return self._create(SCHEDULES, dict(schedule), parse=expect_object, recover=recover)

    def patch_schedule(self, schedule_id: str, fields: Mapping[str, Any]) -> None:
        """Set ``state`` and/or ``schedule`` (the cron) with JSON-Patch ``add`` operations
        (AEP-API §9: 204, no body; idempotent, so safe to replay)."""
        self._json("PATCH", f"{SCHEDULES}/{seg(schedule_id)}", json_body=add_ops(fields),
                   replayable=True)

    def delete_schedule(self, schedule_id: str) -> None:
        """DELETE a schedule (schedules.md: 204, no content)."""
        self._delete(f"{SCHEDULES}/{seg(schedule_id)}")

    # -- previews and estimates ---------------------------------------------------------------

    def create_preview(
        self,
        pql: str,
        *,
        model: str = "_xdm.context.profile",
        graph_type: str = "none",
    ) -> dict[str, Any]:
        """Start a preview (and its estimate, same id) of ``pql`` (pql/text). There is no way to
        look a preview up, so a POST with an unknown outcome is reported, not repeated."""
        body = {
            "predicateExpression": pql,
            "predicateType": "pql/text",
            "predicateModel": model,
            "graphType": graph_type,
        }
        return self._create(PREVIEWS, body, parse=expect_object, recover=None)

    def get_preview(
        self, preview_id: str, *, offset: int | None = None, limit: int | None = None
    ) -> dict[str, Any]:
        params = {"offset": offset, "limit": limit}
        return self._object("GET", f"{PREVIEWS}/{seg(preview_id)}", params=params)

    def delete_preview(self, preview_id: str) -> dict[str, Any] | None:
        return self._delete(f"{PREVIEWS}/{seg(preview_id)}")

    def get_estimate(self, preview_id: str) -> dict[str, Any]:
        return self._object("GET", f"{ESTIMATES}/{seg(preview_id)}")

    # typed estimates: start, read, wait, cancel

    def start_estimate(
        self, pql: str, *, model: str = "_xdm.context.profile", graph_type: str = "none"
    ) -> str:
        """Create a preview of ``pql`` and return its id, which is also its estimate's id."""
        created = self.create_preview(pql, model=model, graph_type=graph_type)
        preview_id = created.get("previewId") or created.get("id")
        if not isinstance(preview_id, str) or not preview_id:
            raise ApiError("the preview was created but its answer has no previewId",
                           status=201, method="POST", url=PREVIEWS)
        return preview_id

    def read_estimate(self, preview_id: str) -> Estimate:
        return Estimate.from_api(preview_id, self.get_estimate(preview_id))

    def wait_estimate(
        self,
        preview_id: str,
        *,
        timeout: float,
        interval: float = 1.0,
        on_reading: Callable[[Estimate, float], None] | None = None,
    ) -> Estimate:
        """Poll ``GET /estimate/{id}`` until RESULT_READY or a failed state (returned, not
        raised: ``Estimate.error`` says why). Raises ``EstimateTimeout`` after ``timeout``
        seconds, ``ApiError`` when a read fails after the client's retries."""
        return poll_estimate(lambda: self.read_estimate(preview_id), self._http.clock,
                             timeout=timeout, interval=interval, on_reading=on_reading)

    def cancel_estimate(self, preview_id: str) -> None:
        """Cancel (or clean up) a preview and its estimate; a 404 means it is already gone."""
        with contextlib.suppress(NotFoundError):
            self.delete_preview(preview_id)
