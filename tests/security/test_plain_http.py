"""Credentials only travel over TLS: a client secret (to IMS) or a token (to Platform) is never
sent over plain HTTP, except to the local sandbox on the loopback interface."""

from __future__ import annotations

import pytest

from segctl.aep import AepConfig
from segctl.errors import ConfigError
from tests.security.conftest import SECRET

CREDENTIALS = {"AEP_CLIENT_ID": "id", "AEP_CLIENT_SECRET": SECRET,
               "AEP_ORG_ID": "ORG0000000000000000000000@AdobeOrg"}


@pytest.mark.parametrize(("platform", "ims"), [
    ("http://platform.adobe.io", None),
    ("https://platform.adobe.io", "http://ims-na1.adobelogin.com/ims/token/v3"),
    ("http://127.0.0.1:8080", "http://ims.example.com/ims/token/v3"),
    ("http://10.0.0.8:8080", "https://ims-na1.adobelogin.com/ims/token/v3"),
])
def test_plain_http_to_another_host_is_refused(platform: str, ims: str | None) -> None:
    env = {**CREDENTIALS, "AEP_PLATFORM_URL": platform}
    if ims is not None:
        env["AEP_IMS_URL"] = ims
    with pytest.raises(ConfigError) as info:
        AepConfig.from_env(env=env)
    text = info.value.format()
    assert "plain HTTP" in text and "https://" in text
    assert SECRET not in text


@pytest.mark.parametrize(("platform", "ims"), [
    ("https://platform.adobe.io", None),
    ("https://platform.adobe.io", "https://ims-na1.adobelogin.com/ims/token/v3"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/ims/token/v3"),
    ("http://localhost:8080", None),
    ("http://[::1]:8080", "http://[::1]:8080/ims/token/v3"),
])
def test_tls_or_loopback_is_accepted(platform: str, ims: str | None) -> None:
    env = {**CREDENTIALS, "AEP_PLATFORM_URL": platform}
    if ims is not None:
        env["AEP_IMS_URL"] = ims
    config = AepConfig.from_env(env=env)
    assert config.platform_url == platform
