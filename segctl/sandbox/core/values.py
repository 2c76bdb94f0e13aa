"""Small shared values: the sandbox object embedded in resources, ids, timestamps."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from segctl.sandbox.core.store import Partition

PROFILE_SCHEMA = "_xdm.context.profile"
PROFILE_UNION = "https://ns.adobe.com/xdm/context/profile__union"
UPS_BASE = "/data/core/ups"
CATALOG_BASE = "/data/foundation/catalog"
EXPORT_BASE = "/data/foundation/export"


def sandbox_object(scope: Partition) -> dict[str, Any]:
    """The ``sandbox`` block AEP embeds in its resources; the id is stable per name."""
    sandbox_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-sandbox:{scope.org}/{scope.sandbox}"))
    prod = scope.sandbox == "prod"
    return {"sandboxId": sandbox_id, "sandboxName": scope.sandbox,
            "type": "production" if prod else "development", "default": prod}


def new_uuid() -> str:
    return str(uuid.uuid4())


def catalog_id() -> str:
    """Catalog ids are 24 hex digits."""
    return secrets.token_hex(12)


def batch_id() -> str:
    return secrets.token_hex(16)


def iso(ms: int) -> str:
    from datetime import UTC

    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
