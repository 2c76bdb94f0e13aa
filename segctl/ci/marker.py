"""The hidden marker that makes a comment (or an issue) sticky.

``<!-- segctl:v1 {"key": ..., "sha": ..., "digest": ..., ...} -->`` on the first line of the
body. A comment is ours when it *starts* with a marker of our key **and** the bot wrote it: a
human quote-reply (``> <!-- segctl:v1 ...``) or a copied body from another author never
matches. The JSON never contains ``<``, ``>`` or ``&`` (escaped as ``\\u003c``...), so a path
or key cannot close the HTML comment early.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

PREFIX = "<!-- segctl:v1 "
SUFFIX = " -->"
_MARKER = re.compile(r"\A<!-- segctl:v1 (\{.*?\}) -->", re.DOTALL)


def render_marker(fields: Mapping[str, Any]) -> str:
    """The marker line for ``fields`` (JSON-able; ``key`` is required)."""
    text = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return PREFIX + text + SUFFIX


def read_marker(body: str | None) -> dict[str, Any] | None:
    """The marker's fields when ``body`` starts with one, else None."""
    if not body:
        return None
    found = _MARKER.match(body.lstrip("\ufeff"))
    if not found:
        return None
    try:
        fields = json.loads(found.group(1))
    except ValueError:
        return None
    return fields if isinstance(fields, dict) and isinstance(fields.get("key"), str) else None


def is_ours(item: Mapping[str, Any], key: str, bot_login: str) -> bool:
    """A comment or issue whose body starts with our marker for ``key``, written by the bot."""
    user = item.get("user")
    login = user.get("login") if isinstance(user, Mapping) else None
    if login != bot_login:
        return False
    fields = read_marker(str(item.get("body") or ""))
    return fields is not None and fields.get("key") == key
