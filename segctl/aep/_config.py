"""Connection settings for one AEP target: credentials, org, sandbox and URLs.

Resolution order for every field: environment variable, then the project's ``Environment``
document (passed as a plain mapping with ``sandbox``, ``orgId``, ``platformUrl``), then the
default. With no platform URL anywhere the target is the embedded local sandbox.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from segctl.aep._redact import Secret
from segctl.errors import ConfigError

DEFAULT_PLATFORM_URL = "https://platform.adobe.io"
DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
DEFAULT_SCOPES: tuple[str, ...] = (
    "openid",
    "session",
    "AdobeID",
    "read_organizations",
    "additional_info.projectedProductContext",
)
DEFAULT_SANDBOX = "prod"
LOCAL_PLATFORM_URL = "http://local.sandbox"
LOCAL_IMS_PATH = "/ims/token/v3"
LOCAL_CLIENT_ID = "local-client-id"
LOCAL_CLIENT_SECRET = "local-client-secret"
LOCAL_ORG_ID = "LOCAL0000000000000000000@AdobeOrg"

ENV_CLIENT_ID = "AEP_CLIENT_ID"
ENV_CLIENT_SECRET = "AEP_CLIENT_SECRET"
ENV_ORG_ID = "AEP_ORG_ID"
ENV_SCOPES = "AEP_SCOPES"
ENV_SANDBOX = "AEP_SANDBOX"
ENV_PLATFORM_URL = "AEP_PLATFORM_URL"
ENV_IMS_URL = "AEP_IMS_URL"


@dataclass(frozen=True)
class AepConfig:
    """Everything the client needs to reach one sandbox. The secret never shows in ``repr``."""

    client_id: str
    client_secret: Secret
    org_id: str
    sandbox: str = DEFAULT_SANDBOX
    platform_url: str = DEFAULT_PLATFORM_URL
    ims_url: str = DEFAULT_IMS_URL
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    timeout: float = 30.0
    is_local: bool = field(default=False)

    def __post_init__(self) -> None:
        secret: object = self.client_secret
        if isinstance(secret, str):  # tolerate a plain string; store it wrapped
            object.__setattr__(self, "client_secret", Secret(secret))
        object.__setattr__(self, "platform_url", _check_url(self.platform_url, "platform URL"))
        object.__setattr__(self, "ims_url", _check_url(self.ims_url, "IMS URL"))
        if self.timeout <= 0:
            raise ConfigError(f"timeout must be positive, got {self.timeout}")

    @property
    def scope(self) -> str:
        """The comma-separated scope string IMS expects."""
        return ",".join(self.scopes)

    @classmethod
    def local(
        cls,
        platform_url: str = LOCAL_PLATFORM_URL,
        *,
        sandbox: str = DEFAULT_SANDBOX,
        org_id: str = LOCAL_ORG_ID,
        ims_url: str | None = None,
    ) -> AepConfig:
        """Settings for the local sandbox: obviously fake credentials, IMS on the same host."""
        base = _check_url(platform_url, "platform URL")
        return cls(
            client_id=LOCAL_CLIENT_ID,
            client_secret=Secret(LOCAL_CLIENT_SECRET),
            org_id=org_id,
            sandbox=sandbox,
            platform_url=base,
            ims_url=ims_url or base + LOCAL_IMS_PATH,
            is_local=True,
        )

    @classmethod
    def from_env(
        cls,
        environment: Mapping[str, Any] | None = None,
        *,
        env: Mapping[str, str] | None = None,
    ) -> AepConfig:
        """Resolve settings from environment variables (``env``, default ``os.environ``) and
        an ``Environment`` document's fields; variables win.

        No platform URL anywhere → the embedded local sandbox (``is_local=True``). A loopback
        URL (``segctl sandbox serve``) needs no credentials either. Any other target raises
        :class:`ConfigError` naming each missing variable (never a value).
        """
        if env is None:
            import os

            env = os.environ
        doc = environment or {}
        sandbox = _first(env.get(ENV_SANDBOX), doc.get("sandbox")) or DEFAULT_SANDBOX
        org_id = _first(env.get(ENV_ORG_ID), doc.get("orgId"))
        platform_url = _first(env.get(ENV_PLATFORM_URL), doc.get("platformUrl"))
        ims_url = _first(env.get(ENV_IMS_URL))

        platform_source = ENV_PLATFORM_URL if _first(env.get(ENV_PLATFORM_URL)) else \
            "platformUrl (Environment document)"
        _check_target_urls(platform_url, platform_source, ims_url)
        client_id, secret = _first(env.get(ENV_CLIENT_ID)), _first(env.get(ENV_CLIENT_SECRET))

        if platform_url is None or _is_loopback(platform_url):
            base = platform_url or LOCAL_PLATFORM_URL
            local = cls.local(base, sandbox=sandbox, org_id=org_id or LOCAL_ORG_ID, ims_url=ims_url)
            if client_id and secret:
                local = replace(local, client_id=client_id, client_secret=Secret(secret))
            return local

        missing = [
            name
            for name, value in (
                (ENV_CLIENT_ID, client_id),
                (ENV_CLIENT_SECRET, secret),
                (ENV_ORG_ID, org_id),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"missing credentials for {platform_url}: set {', '.join(missing)}",
                hint="credentials come from environment variables, never from files; "
                "AEP_ORG_ID may also be given as `orgId` in the Environment document",
            )
        assert client_id and secret and org_id
        return cls(
            client_id=client_id,
            client_secret=Secret(secret),
            org_id=org_id,
            sandbox=sandbox,
            platform_url=platform_url,
            ims_url=ims_url or DEFAULT_IMS_URL,
            scopes=_scopes(_first(env.get(ENV_SCOPES))),
        )


def _check_target_urls(platform_url: str | None, platform_source: str,
                       ims_url: str | None) -> None:
    """Refuse a malformed URL first (naming where it came from), then plain HTTP."""
    for url, source in ((platform_url, platform_source), (ims_url, ENV_IMS_URL)):
        if url is not None:
            _check_url(url, source)
    for url, what in ((platform_url, "the platform URL"), (ims_url, "the IMS URL")):
        if url is not None:
            _require_tls(url, what)


def _scopes(text: str | None) -> tuple[str, ...]:
    """``AEP_SCOPES`` as a tuple (comma-separated), else the default scopes."""
    if not text:
        return DEFAULT_SCOPES
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _first(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _check_url(url: str, what: str) -> str:
    """``url`` without a trailing slash; a :class:`ConfigError` naming ``what`` (the variable or
    field it came from) unless it is http(s)://host[:port][/path]."""
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        example = (DEFAULT_IMS_URL if "IMS" in what else
                   f"{DEFAULT_PLATFORM_URL}, or http://127.0.0.1:8765 for `segctl sandbox serve`")
        raise ConfigError(f"invalid {what} {_shown(url)!r}: expected http(s)://host[:port]",
                          hint=f"e.g. {example}")
    return url.rstrip("/")


def _shown(url: str) -> str:
    """``url`` fit for a message: no user:password, query or fragment."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url.split("?", 1)[0].split("#", 1)[0]
    return parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment="").geturl()


def _require_tls(url: str, what: str) -> None:
    """Tokens and the client secret travel over TLS; plain HTTP only to the local sandbox."""
    parts = urlsplit(url)
    if parts.scheme == "http" and not _is_loopback(url):
        raise ConfigError(
            f"{what} {parts.scheme}://{parts.hostname} is plain HTTP: segctl sends credentials "
            "only over TLS",
            hint="use an https:// URL (plain http:// is for the local sandbox on 127.0.0.1, "
            "::1 or localhost)",
        )


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host in ("localhost", urlsplit(LOCAL_PLATFORM_URL).hostname):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
