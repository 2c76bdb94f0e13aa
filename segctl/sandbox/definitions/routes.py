"""Routes of the segment definitions API (segmentation.yaml, /segment/definitions and
/segment/conversion)."""

from segctl.sandbox.core.values import UPS_BASE
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
    Route("GET", f"{UPS_BASE}/segment/definitions", list_,
          query=("start", "limit", "page", "sort", "evaluationInfo.continuous.enabled",
                 "evaluationInfo.synchronous.enabled", "evaluationInfo.batch.enabled")),
    Route("POST", f"{UPS_BASE}/segment/definitions", create),
    Route("POST", f"{UPS_BASE}/segment/definitions/bulk-get", bulk_get),
    Route("GET", f"{UPS_BASE}/segment/definitions/{{id}}", get),
    Route("PATCH", f"{UPS_BASE}/segment/definitions/{{id}}", patch,
          note="an object merge of the keys sent, where the spec says overwrite: FIDELITY.md"),
    Route("DELETE", f"{UPS_BASE}/segment/definitions/{{id}}", delete),
    Route("POST", f"{UPS_BASE}/segment/conversion", conversion),
]
