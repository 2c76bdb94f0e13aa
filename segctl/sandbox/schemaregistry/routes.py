"""Routes of the Schema Registry API (the profile union only)."""

from segctl.sandbox.core.web import Route
from segctl.sandbox.schemaregistry.responses import SCHEMA_REGISTRY_BASE, get_union

ROUTES = [
    Route("GET", f"{SCHEMA_REGISTRY_BASE}/tenant/unions/{{id}}", get_union),
]
