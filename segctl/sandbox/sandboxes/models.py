"""The sandboxes of an org (help/sandboxes/api/sandboxes.md): ``prod`` always, the rest created.

Stored as kind ``sandbox`` in the org's partition (``Partition(org, "")``): sandboxes are org-level,
everything else lives inside one of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from segctl.sandbox.catalog.models import DATASET
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Partition
from segctl.sandbox.definitions.models import KIND as DEFINITION_KIND

KIND = "sandbox"
DEFAULT = "prod"  # the org's default production sandbox (always present)
TYPES = ("development", "production")
# "cannot contain any spaces, capital letters, or special characters" (create-sandbox.md);
# hyphens appear in every example (dev-2, acme-dev)
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
REGION = "VA7"


def _org(org: str) -> Partition:
    return Partition(org, "")


def _stamp(ms: int) -> str:
    """The documents' date format: ``2019-09-04 04:57:24`` (UTC)."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def default_sandbox() -> dict[str, Any]:
    return _present(DEFAULT, "Production", "production", default=True)


def _present(name: str, title: str, kind: str, *, default: bool = False) -> dict[str, Any]:
    stamp = _stamp(0)
    return {"name": name, "title": title, "state": "active", "type": kind, "region": REGION,
            "isDefault": default, "eTag": 1, "createdDate": stamp, "lastModifiedDate": stamp,
            "createdBy": "segctl", "modifiedBy": "segctl"}


def sandboxes(app: Host, org: str) -> list[dict[str, Any]]:
    """Every sandbox of ``org``: ``prod`` first, the embedded target's, then the created ones
    in creation order."""
    stored = app.store.all(KIND, _org(org))
    names = {DEFAULT, *(doc["name"] for doc in stored)}
    embedded = [_present(name, name, "development") for o, name in sorted(app.embedded)
                if o == org and name not in names]
    return [default_sandbox(), *embedded, *stored]


def find(app: Host, org: str, name: str) -> dict[str, Any] | None:
    if name == DEFAULT:
        return default_sandbox()
    found = app.store.get(KIND, _org(org), name)
    if found is None and (org, name) in app.embedded:
        return _present(name, name, "development")
    return found


def exists(app: Host, org: str, name: str) -> bool:
    """Requests may address ``name``: ``prod``, or a created sandbox that is active."""
    found = find(app, org, name)
    return found is not None and found.get("state") == "active"


# ---- issue 15: the embedded target's sandbox, noticed when the data directory lacks it ----------
# what only a client's writes put in a sandbox: segment definitions and datasets (a read, a
# plan's, seeds others at a sandbox's first request: the system schedule, the merge policy,
# the audiences of other origins)
_WRITTEN_KINDS = (DEFINITION_KIND, DATASET)


def held(app: Host, org: str) -> list[str]:
    """The sandboxes the data directory has for ``org``, sorted, ``prod`` first: ``prod``, the
    created ones, and any a project was applied to before apply recorded the embedded target's
    sandbox (it holds segment definitions or datasets). Never the names only
    provisioned in memory (``app.embedded``)."""
    created = {doc["name"] for doc in app.store.all(KIND, _org(org))}
    applied = app.store.sandboxes_holding(org, _WRITTEN_KINDS)
    return [DEFAULT, *sorted((created | set(applied)) - {DEFAULT})]


def record(app: Host, org: str, name: str) -> dict[str, Any]:
    """Record the embedded target's sandbox ``name`` as a created development sandbox (apply
    does, before its first write), so the data directory has it from now on, for a served
    sandbox on the same directory too."""
    return create(app, org, name, name, "development", "segctl")


def create(app: Host, org: str, name: str, title: str, kind: str, client: str
           ) -> dict[str, Any]:
    """Store a new sandbox; provisioning is instant here (AEP takes ~30 s), so it is active
    for every request after this one. The caller has checked the name is free and valid."""
    now = app.now_ms()
    doc = {"name": name, "title": title, "state": "active", "type": kind, "region": REGION,
           "isDefault": False, "eTag": 1, "createdDate": _stamp(now),
           "lastModifiedDate": _stamp(now), "createdBy": client, "modifiedBy": client}
    app.store.put(KIND, _org(org), name, doc, name=name, created=now)
    return doc
