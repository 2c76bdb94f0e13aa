"""Routes of the segmentation schedules API (segmentation.yaml, /config/schedules)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.schedules.responses import (
    create_schedule,
    delete_schedule,
    get_schedule,
    list_schedules,
    patch_schedule,
)

ROUTES = [
    Route("GET", f"{UPS_BASE}/config/schedules", list_schedules, query=("start", "limit")),
    Route("POST", f"{UPS_BASE}/config/schedules", create_schedule),
    Route("GET", f"{UPS_BASE}/config/schedules/{{id}}", get_schedule),
    Route("PATCH", f"{UPS_BASE}/config/schedules/{{id}}", patch_schedule),
    Route("DELETE", f"{UPS_BASE}/config/schedules/{{id}}", delete_schedule),
]
