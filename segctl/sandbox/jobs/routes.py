"""Routes of the segment jobs API (segmentation.yaml, /segment/jobs)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.jobs.responses import bulk_get, cancel, create, get, list_

ROUTES = [
    Route("GET", f"{UPS_BASE}/segment/jobs", list_,
          query=("start", "limit", "status", "sort", "property"),
          note="property: only segments~segmentId==ID"),
    Route("POST", f"{UPS_BASE}/segment/jobs", create),
    Route("POST", f"{UPS_BASE}/segment/jobs/bulk-get", bulk_get),
    Route("GET", f"{UPS_BASE}/segment/jobs/{{id}}", get),
    Route("DELETE", f"{UPS_BASE}/segment/jobs/{{id}}", cancel),
]
