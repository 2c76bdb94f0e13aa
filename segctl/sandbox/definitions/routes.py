"""Routes of the segment definitions API (segmentation.yaml, /segment/definitions and
/segment/conversion)."""

from segctl.sandbox.core.common import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.definitions.responses import (
    bulk_get,
    conversion,
    create,
    delete,
    get,
    list_,
    patch,
)

ROUTES = [
    Route("GET", f"{UPS_BASE}/segment/definitions", list_),
    Route("POST", f"{UPS_BASE}/segment/definitions", create),
    Route("POST", f"{UPS_BASE}/segment/definitions/bulk-get", bulk_get),
    Route("GET", f"{UPS_BASE}/segment/definitions/{{id}}", get),
    Route("PATCH", f"{UPS_BASE}/segment/definitions/{{id}}", patch),
    Route("DELETE", f"{UPS_BASE}/segment/definitions/{{id}}", delete),
    Route("POST", f"{UPS_BASE}/segment/conversion", conversion),
]
