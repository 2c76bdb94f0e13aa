"""The ownership marker (DESIGN §4).

Segment definitions have no free-form tags, so segctl stamps what it creates with a short
trailer in the description: ``"<description>\\n\\n[segctl:key=<key>]"`` (``;protect`` is
appended inside the brackets for protected segments). The trailer is parsed
when matching declared segments to live ones and is hidden from every diff. Datasets carry a
Catalog tag instead (``{"segctl": ["export=<key>"]}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TRAILER = re.compile(r"\s*\[segctl:key=(?P<key>[^\];\s]+)(?P<protect>;protect)?\]\s*\Z")
DATASET_TAG = "segctl"


@dataclass(frozen=True)
class Marker:
    key: str
    protect: bool = False


def stamp(description: str, key: str, *, protect: bool = False) -> str:
    """``description`` with the ownership trailer for ``key`` (replacing any earlier one).

    ``protect`` travels in the marker too, so a protected segment removed from the files is
    still never pruned.
    """
    clean, _ = parse(description)
    trailer = f"[segctl:key={key}{';protect' if protect else ''}]"
    return f"{clean}\n\n{trailer}" if clean else trailer


def parse(description: str | None) -> tuple[str, Marker | None]:
    """Split a live description into (text without the trailer, the marker or None)."""
    text = description or ""
    match = _TRAILER.search(text)
    if match is None:
        return text, None
    return text[: match.start()], Marker(match.group("key"), bool(match.group("protect")))


def dataset_tags(export_key: str) -> dict[str, list[str]]:
    """Catalog tags stamped on a dataset segctl creates for an export."""
    return {DATASET_TAG: [f"export={export_key}"]}


def dataset_owner(dataset: Mapping[str, Any]) -> str | None:
    """The export key a live dataset was created for, or None when segctl does not own it."""
    tags = dataset.get("tags") or {}
    if not isinstance(tags, Mapping):
        return None
    for value in tags.get(DATASET_TAG) or ():
        if isinstance(value, str) and value.startswith("export="):
            return value.removeprefix("export=")
    return None
