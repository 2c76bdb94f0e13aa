"""Routes of the Profile access API (profile.yaml, /access/entities)."""

from segctl.sandbox.core.values import UPS_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.profileaccess.responses import get_entity, get_profile_model

ROUTES = [
    Route("GET", f"{UPS_BASE}/access/entities", get_entity,
          query=("schema.name", "entityId", "entityIdNS", "fields"),
          note="profiles only; ExperienceEvent look-ups answer 422"),
    # a preview result's _href (previews-and-estimates.md): the profile it names
    Route("GET", f"{UPS_BASE}/models/profile/{{id}}", get_profile_model),
]
