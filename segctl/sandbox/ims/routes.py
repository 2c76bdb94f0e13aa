"""Route of the IMS token endpoint (not behind the Platform gateway)."""

from segctl.sandbox.core.web import Route
from segctl.sandbox.ims.responses import issue_token

ROUTES = [
    Route("POST", "/ims/token/v3", issue_token, gateway=False),
]
