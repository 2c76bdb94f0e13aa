"""Routes of the merge policies API (Real-time Customer Profile API, /config/mergePolicies)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.mergepolicies.responses import (
    bulk_get_policies,
    create_policy,
    delete_policy,
    get_policy,
    list_policies,
    patch_policy,
    put_policy,
)

ROUTES = [
    Route("GET", f"{UPS_BASE}/config/mergePolicies", list_policies,
          query=("start", "limit", "default", "isActiveOnEdge")),
    Route("POST", f"{UPS_BASE}/config/mergePolicies", create_policy),
    Route("POST", f"{UPS_BASE}/config/mergePolicies/bulk-get", bulk_get_policies),
    Route("GET", f"{UPS_BASE}/config/mergePolicies/{{id}}", get_policy),
    Route("PATCH", f"{UPS_BASE}/config/mergePolicies/{{id}}", patch_policy),
    Route("PUT", f"{UPS_BASE}/config/mergePolicies/{{id}}", put_policy),
    Route("DELETE", f"{UPS_BASE}/config/mergePolicies/{{id}}", delete_policy),
]
