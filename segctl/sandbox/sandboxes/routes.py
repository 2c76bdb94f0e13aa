"""Routes of the Sandbox API (sandbox.yaml, /data/foundation/sandbox-management)."""

from segctl.sandbox.core.web import Route
from segctl.sandbox.sandboxes.responses import (
    BASE,
    create_sandbox,
    get_sandbox,
    list_sandboxes,
)

ROUTES = [
    Route("GET", f"{BASE}/sandboxes", list_sandboxes, query=("limit", "offset")),
    Route("POST", f"{BASE}/sandboxes", create_sandbox),
    Route("GET", f"{BASE}/sandboxes/{{name}}", get_sandbox),
]
