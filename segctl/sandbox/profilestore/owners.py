"""Who is who in the sample: a profile's id, its identity keys, and the profile an event
belongs to (shared by the object loader and the compact store's builder)."""

from __future__ import annotations

from typing import Any

_EVENT_OWNER_KEYS = ("profileId", "_profileId", "profile_id")


def profile_id(profile: dict[str, Any]) -> str:
    """A profile's stable id: ``_id``/``id`` or else its first (primary) identity."""
    for key in ("_id", "id", "profileId"):
        if isinstance(profile.get(key), str):
            return str(profile[key])
    identity_map = profile.get("identityMap") or {}
    for namespace, entries in sorted(identity_map.items()):
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("primary") and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    for namespace, entries in sorted(identity_map.items()):
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    raise ValueError("profile has no _id and no identity")


def identity_keys(record: dict[str, Any]) -> list[str]:
    keys = []
    for namespace, entries in (record.get("identityMap") or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                keys.append(f"{namespace}:{entry['id']}")
    return keys


def event_owner(event: dict[str, Any]) -> str | None:
    """The profile an event belongs to: an owner key, else its first identity."""
    for key in _EVENT_OWNER_KEYS:
        value = event.get(key)
        if isinstance(value, str):
            return str(value)
    for namespace, entries in (event.get("identityMap") or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("id"):
                return f"{namespace}:{entry['id']}"
    return None
