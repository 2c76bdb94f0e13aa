"""Masking of secrets (client secret, access tokens, Authorization) in text, headers and JSON.

Everything the client logs or puts into an exception passes through here. Two layers:
known secret values (the configured client secret, tokens issued so far) are replaced wherever
they occur, and patterns (``Bearer …``, ``"access_token": "…"``, ``client_secret=…``) catch
values this process never saw, such as a token echoed by a server.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
SENSITIVE_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "token",
        "password",
        "authorization",
    }
)

# Values shorter than this are not replaced verbatim: masking "a" everywhere helps nobody.
_MIN_SECRET_LEN = 4

# Loggers of the HTTP stack under the client. httpcore logs response headers verbatim at DEBUG,
# so a server that echoes a credential in a header would otherwise put it in the log.
HTTP_LOGGERS = (
    "segctl.aep",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_MAX_KNOWN = 64

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1" + MASK),
    (
        re.compile(
            r"(?i)([\"']?(?:access_token|refresh_token|id_token|client_secret|password)[\"']?"
            r"\s*[:=]\s*[\"']?)[^\"'&\s,}]+"
        ),
        r"\1" + MASK,
    ),
)


class Secret:
    """A string that never shows itself in ``str``, ``repr`` or f-strings; ``reveal()`` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})" if self._value else "Secret('')"

    def __str__(self) -> str:
        return MASK


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret value and every secret-looking pattern masked."""
    for value in sorted({s for s in secrets if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_headers(headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> dict[str, str]:
    """Header name → value with sensitive headers masked (the scheme of Authorization kept)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, str] = {}
    for name, value in items:
        if name.lower() in SENSITIVE_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            out[name] = f"{scheme} {MASK}".strip()
        else:
            out[name] = value
    return out


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with the values of secret-named keys masked, at any depth."""
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and k.lower() in SENSITIVE_KEYS else redact_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    return value


class _KnownSecrets:
    """Secret values this process holds (client secrets, tokens issued), newest last, so log
    records can be masked by value as well as by pattern. Never log what ``values`` returns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, None] = {}

    def add(self, value: str) -> None:
        if len(value) < _MIN_SECRET_LEN:
            return
        with self._lock:
            self._values.pop(value, None)
            self._values[value] = None
            while len(self._values) > _MAX_KNOWN:
                del self._values[next(iter(self._values))]

    def values(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._values)


KNOWN_SECRETS = _KnownSecrets()


def remember_secret(value: str) -> None:
    """Mask ``value`` in every record of the HTTP loggers from now on."""
    KNOWN_SECRETS.add(value)


class RedactingFilter(logging.Filter):
    """Last line of defence on the HTTP loggers: masks every formatted record, by the known
    secret values and by pattern."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        cleaned = redact_text(message, KNOWN_SECRETS.values())
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


def install_log_filter(logger: logging.Logger) -> None:
    """Attach one :class:`RedactingFilter` to ``logger`` (idempotent)."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


def install_log_filters() -> None:
    """Attach the filter to the client's logger and to httpx's and httpcore's (idempotent)."""
    for name in HTTP_LOGGERS:
        install_log_filter(logging.getLogger(name))
