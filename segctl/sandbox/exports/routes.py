"""Routes of the export jobs API (segmentation.yaml, /export/jobs)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.exports.responses import cancel, create, get, list_

ROUTES = [
    Route("GET", f"{UPS_BASE}/export/jobs", list_, query=("limit", "offset", "status")),
    Route("POST", f"{UPS_BASE}/export/jobs", create),
    Route("GET", f"{UPS_BASE}/export/jobs/{{id}}", get),
    Route("DELETE", f"{UPS_BASE}/export/jobs/{{id}}", cancel),
]
