"""Schema Registry: the profile union schema, resolved (the fields exports may name)."""

from __future__ import annotations

from typing import Any

from segctl.aep._base import ResourceBase, seg

SCHEMA_REGISTRY = "/data/foundation/schemaregistry"
PROFILE_UNION = "_xdm.context.profile__union"  # the union's meta:altId
# full resolution: every $ref expanded into properties (help/xdm/api/getting-started.md)
XED_FULL = "application/vnd.adobe.xed-full+json; version=1"


class SchemaRegistryApi(ResourceBase):
    def get_union_schema(self, union_id: str = PROFILE_UNION) -> dict[str, Any]:
        """The union schema ``union_id`` (``meta:altId`` or ``$id``) with its fields resolved."""
        return self._object("GET", f"{SCHEMA_REGISTRY}/tenant/unions/{seg(union_id)}",
                            headers={"accept": XED_FULL})
