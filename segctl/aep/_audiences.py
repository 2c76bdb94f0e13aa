"""Audiences (AEP-API.md §12; segmentation.yaml ``/audiences``; audiences.md).

A Platform-generated audience is the segment definition with the same id, seen with what only
the audience shows: ``labels``, ``lifecycleState``, ``ttlInDays`` (audiences.md), the
dependency links, ``originName`` and ``metrics``. The list also holds audiences of other
origins (custom uploads, Audience Orchestration...), which have no definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from segctl.aep._base import UPS, ResourceBase, expect_object, seg
from segctl.aep._errors import NotFoundError
from segctl.aep._paging import Style

AUDIENCES = f"{UPS}/audiences"


def add_ops(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A JSON-Patch body setting each field (audiences.md: "op ... is always add")."""
    return [{"op": "add", "path": f"/{name}", "value": value} for name, value in fields.items()]


class AudiencesApi(ResourceBase):
    def list_audiences(
        self, *, limit: int = 100, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every audience of the sandbox, of every origin, across all pages (``start`` /
        ``limit`` with ``_page`` and ``_links.next``)."""
        return self._all(AUDIENCES, Style.UNDERSCORE, {"limit": limit, **(params or {})})

    def get_audience(self, audience_id: str) -> dict[str, Any]:
        """By ``id`` (not ``audienceId``); for a Platform audience, the definition's id."""
        return self._object("GET", f"{AUDIENCES}/{seg(audience_id)}")

    def create_audience(self, audience: Mapping[str, Any]) -> dict[str, Any]:
        """POST an audience (201 in the spec, 200 in the docs: both accepted). An ambiguous
        failure is followed by a lookup by name, so an audience is never created twice."""
        name = audience.get("name")
        recover = (lambda: self._find_audience_by_name(str(name))) if name else None
        return self._create(AUDIENCES, dict(audience), parse=expect_object, recover=recover)

    def _find_audience_by_name(self, name: str) -> dict[str, Any] | None:
        for found in self.list_audiences(params={"name": name}):
            if found.get("name") == name:
                return found
        return None

    def patch_audience(self, audience_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Set ``fields`` with JSON-Patch ``add`` operations (idempotent, so safe to replay)."""
        return self._object("PATCH", f"{AUDIENCES}/{seg(audience_id)}",
                            json_body=add_ops(fields), replayable=True)

    def put_audience(self, audience_id: str, audience: Mapping[str, Any]) -> dict[str, Any]:
        """Overwrite an audience (``namespace`` cannot change)."""
        return self._object("PUT", f"{AUDIENCES}/{seg(audience_id)}",
                            json_body=dict(audience), replayable=True)

    def delete_audience(self, audience_id: str) -> None:
        """DELETE (204); AEP refuses (400) while other audiences depend on it."""
        self._delete(f"{AUDIENCES}/{seg(audience_id)}")

    def bulk_get_audiences(self, audience_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{id: audience}`` for the ids the service knows (207); a 404 (none known) is an
        empty result. At most 100 ids per request (spec: "Cannot be 0 or exceed 100")."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(audience_ids))
        for start in range(0, len(unique), 100):
            body = {"ids": [{"id": i} for i in unique[start:start + 100]]}
            try:
                result = self._object("POST", f"{AUDIENCES}/bulk-get", json_body=body,
                                      replayable=True)
            except NotFoundError:
                continue
            results = result.get("results")
            if isinstance(results, dict):
                found.update({k: v for k, v in results.items()
                              if isinstance(v, dict) and "errors" not in v})
        return found
