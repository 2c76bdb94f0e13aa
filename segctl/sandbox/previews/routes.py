"""Routes of the preview and estimate APIs (segmentation.yaml, /preview and /estimate)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.previews.responses import create, delete, get_estimate, get_preview

ROUTES = [
    Route("POST", f"{UPS_BASE}/preview", create),
    Route("GET", f"{UPS_BASE}/preview/{{id}}", get_preview, query=("offset", "limit")),
    Route("DELETE", f"{UPS_BASE}/preview/{{id}}", delete),
    Route("GET", f"{UPS_BASE}/estimate/{{id}}", get_estimate),
    # the estimate's _links.preview (previews-and-estimates.md): the preview's execution
    Route("GET", f"{UPS_BASE}/preview/{{id}}/execution/{{execution}}", get_preview,
          query=("offset", "limit", "previewQueryId")),
]
