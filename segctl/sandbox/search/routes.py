"""Routes of segment search (segmentation.yaml, /search/namespaces|entities|taxonomy)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.search.responses import entities, namespaces, taxonomy

ROUTES = [
    Route("GET", f"{UPS_BASE}/search/namespaces", namespaces, query=("schema.name", "s")),
    Route("GET", f"{UPS_BASE}/search/entities", entities,
          query=("schemaClass", "namespace", "s", "entityId", "limit", "page")),
    Route("GET", f"{UPS_BASE}/search/taxonomy", taxonomy,
          query=("schema.name", "namespace", "entityId")),
]
