"""Segment keys for imported definitions: slugs of their names, made unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_KEY_LENGTH = 100  # the Segment schema's maxLength
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def slugify(name: str) -> str:
    """``"All Female Customers (EU)"`` -> ``"all-female-customers-eu"``; never empty."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")
    return slug[:MAX_KEY_LENGTH].rstrip("-") or "segment"


def unique_key(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not in ``taken``."""
    used = set(taken)
    if wanted not in used:
        return wanted
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = wanted[: MAX_KEY_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def usable_key(key: str | None) -> bool:
    """Whether a key found in an ownership marker can be written as a Segment key."""
    if not key:
        return False
    return len(key) <= MAX_KEY_LENGTH and KEY_PATTERN.match(key) is not None
