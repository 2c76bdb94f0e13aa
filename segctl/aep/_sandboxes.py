"""Sandbox management (Sandbox API, help/sandboxes/api/sandboxes.md): list, look up, create.

Org-level calls: the sandbox named in ``x-sandbox-name`` does not matter to them, so a client
configured for a sandbox that does not exist yet can create it.
"""

from __future__ import annotations

from typing import Any

from segctl.aep._base import ResourceBase, expect_object, seg
from segctl.aep._errors import NotFoundError

SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
SANDBOX_TYPES = ("development", "production")
_PAGE = 50  # the API's default limit (appendix.md); limit and offset go together


class SandboxesApi(ResourceBase):
    def list_sandboxes(self) -> list[dict[str, Any]]:
        """Every sandbox of the org (``sandboxes`` pages of ``limit``/``offset``)."""
        found: list[dict[str, Any]] = []
        while True:
            page = self._object("GET", SANDBOXES, params={"limit": _PAGE, "offset": len(found)})
            items = [s for s in page.get("sandboxes") or [] if isinstance(s, dict)]
            found += items
            if len(items) < _PAGE:
                return found

    def get_sandbox(self, name: str) -> dict[str, Any] | None:
        """The sandbox called ``name``, or None when the org has none."""
        try:
            return self._object("GET", f"{SANDBOXES}/{seg(name)}")
        except NotFoundError:
            return None

    def create_sandbox(self, name: str, title: str, sandbox_type: str = "development"
                       ) -> dict[str, Any]:
        """Create a sandbox (202, ``state: creating``); after an unanswered POST the name is
        looked up before anything is sent again."""
        body = {"name": name, "title": title, "type": sandbox_type}
        return self._create(SANDBOXES, body, parse=expect_object,
                            recover=lambda: self.get_sandbox(name))
