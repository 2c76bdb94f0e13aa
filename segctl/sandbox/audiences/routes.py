"""Routes of the audiences API (segmentation.yaml, /audiences)."""

from segctl.sandbox.audiences.responses import bulk_get, create, delete, get, list_, patch, put
from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route

ROUTES = [
    Route("GET", f"{UPS_BASE}/audiences", list_,
          query=("start", "limit", "sort", "property", "name", "description", "entityType"),
          note="property: one attr==value or attr!=value"),
    Route("POST", f"{UPS_BASE}/audiences", create),
    Route("POST", f"{UPS_BASE}/audiences/bulk-get", bulk_get),
    Route("GET", f"{UPS_BASE}/audiences/{{id}}", get),
    Route("PATCH", f"{UPS_BASE}/audiences/{{id}}", patch),
    Route("PUT", f"{UPS_BASE}/audiences/{{id}}", put),
    Route("DELETE", f"{UPS_BASE}/audiences/{{id}}", delete),
]
