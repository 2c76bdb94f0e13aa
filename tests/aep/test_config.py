from __future__ import annotations

import pytest

from segctl.aep import AepConfig, Secret
from segctl.aep._config import DEFAULT_IMS_URL, LOCAL_CLIENT_SECRET
from segctl.errors import ConfigError

REAL_ENV = {
    "AEP_CLIENT_ID": "cid-123",
    "AEP_CLIENT_SECRET": "p8e-SECRET-value",
    "AEP_ORG_ID": "ENVORG@AdobeOrg",
    "AEP_PLATFORM_URL": "https://platform.adobe.io",
}


def test_environment_variables_win_over_the_environment_document() -> None:
    doc = {
        "sandbox": "doc-sandbox",
        "orgId": "DOCORG@AdobeOrg",
        "platformUrl": "https://doc.example",
    }
    env = {**REAL_ENV, "AEP_SANDBOX": "env-sandbox", "AEP_SCOPES": "openid, AdobeID"}
    config = AepConfig.from_env(doc, env=env)
    assert config.sandbox == "env-sandbox"
    assert config.org_id == "ENVORG@AdobeOrg"
    assert config.platform_url == "https://platform.adobe.io"
    assert config.scopes == ("openid", "AdobeID")
    assert config.scope == "openid,AdobeID"
    assert config.ims_url == DEFAULT_IMS_URL
    assert not config.is_local


def test_document_fields_fill_what_the_environment_does_not_set() -> None:
    env = {"AEP_CLIENT_ID": "cid", "AEP_CLIENT_SECRET": "shh-secret"}
    doc = {
        "sandbox": "prod",
        "orgId": "DOCORG@AdobeOrg",
        "platformUrl": "https://platform.adobe.io/",
    }
    config = AepConfig.from_env(doc, env={**env, "AEP_IMS_URL": "https://ims.example/token"})
    assert (config.sandbox, config.org_id) == ("prod", "DOCORG@AdobeOrg")
    assert config.platform_url == "https://platform.adobe.io"  # trailing slash dropped
    assert config.ims_url == "https://ims.example/token"


def test_missing_credentials_name_the_variables_never_the_values() -> None:
    env = {"AEP_PLATFORM_URL": "https://platform.adobe.io", "AEP_CLIENT_SECRET": "hush-hush-42"}
    with pytest.raises(ConfigError) as info:
        AepConfig.from_env(env=env)
    text = info.value.format()
    assert "AEP_CLIENT_ID" in text and "AEP_ORG_ID" in text
    assert "AEP_CLIENT_SECRET" not in str(info.value)  # it is set, so not reported missing
    assert "hush-hush-42" not in text
    assert info.value.exit_code == 1


def test_empty_variables_count_as_missing() -> None:
    env = {**REAL_ENV, "AEP_CLIENT_SECRET": "  "}
    with pytest.raises(ConfigError, match="AEP_CLIENT_SECRET"):
        AepConfig.from_env(env=env)


def test_no_platform_url_means_the_local_sandbox_with_fake_credentials() -> None:
    config = AepConfig.from_env({"sandbox": "dev"}, env={})
    assert config.is_local
    assert config.platform_url == "http://local.sandbox"
    assert config.ims_url == "http://local.sandbox/ims/token/v3"
    assert config.client_secret.reveal() == LOCAL_CLIENT_SECRET
    assert config.sandbox == "dev"


def test_loopback_server_needs_no_credentials_and_serves_ims_itself() -> None:
    config = AepConfig.from_env(env={"AEP_PLATFORM_URL": "http://127.0.0.1:8765"})
    assert config.is_local
    assert config.ims_url == "http://127.0.0.1:8765/ims/token/v3"


def test_local_constructor() -> None:
    config = AepConfig.local("http://localhost:9000", sandbox="qa")
    assert config.is_local and config.sandbox == "qa"
    assert config.ims_url == "http://localhost:9000/ims/token/v3"


def test_repr_and_str_mask_the_secret() -> None:
    config = AepConfig.from_env(env=REAL_ENV)
    assert "p8e-SECRET-value" not in repr(config)
    assert "p8e-SECRET-value" not in str(config)
    assert "p8e-SECRET-value" not in f"{config.client_secret}"
    assert config.client_secret.reveal() == "p8e-SECRET-value"


def test_plain_string_secret_is_wrapped() -> None:
    config = AepConfig(client_id="c", client_secret="plain-secret", org_id="o")  # type: ignore[arg-type]
    assert isinstance(config.client_secret, Secret)
    assert "plain-secret" not in repr(config)


def test_config_is_frozen_and_validates_urls() -> None:
    config = AepConfig.local()
    with pytest.raises(AttributeError):
        config.sandbox = "other"  # type: ignore[misc]
    with pytest.raises(ConfigError, match="invalid AEP_PLATFORM_URL"):
        AepConfig.from_env(env={**REAL_ENV, "AEP_PLATFORM_URL": "platform.adobe.io"})


@pytest.mark.parametrize("url", ["not a url", "http://", "https://:443", "https://h:abc",
                                 "ftp://x"])
def test_malformed_platform_url_names_the_variable_before_anything_else(url: str) -> None:
    """QA: 'not a url' said 'missing credentials for not a url'; http:// said 'http://None'."""
    with pytest.raises(ConfigError) as caught:
        AepConfig.from_env(env={"AEP_PLATFORM_URL": url})
    assert caught.value.message == (f"invalid AEP_PLATFORM_URL {url!r}: "
                                    "expected http(s)://host[:port]")


def test_malformed_urls_from_the_document_and_ims_and_no_password_shown() -> None:
    with pytest.raises(ConfigError) as doc:
        AepConfig.from_env({"platformUrl": "platform.adobe.io"}, env={})
    assert doc.value.message.startswith(
        "invalid platformUrl (Environment document) 'platform.adobe.io'")
    with pytest.raises(ConfigError) as ims:
        AepConfig.from_env(env={**REAL_ENV, "AEP_IMS_URL": "nope"})
    assert ims.value.message.startswith("invalid AEP_IMS_URL 'nope'")
    assert ims.value.hint == f"e.g. {DEFAULT_IMS_URL}"
    with pytest.raises(ConfigError) as userinfo:
        AepConfig.from_env(env={"AEP_PLATFORM_URL": "https://user:pw-123@host:x/p?token=t1"})
    assert "pw-123" not in userinfo.value.format() and "t1" not in userinfo.value.format()
    assert "'https://host:x/p'" in userinfo.value.message


def test_malformed_platform_url_exits_1_from_plan(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from segctl.cli import main

    monkeypatch.setenv("AEP_PLATFORM_URL", "not a url")
    with pytest.raises(SystemExit) as exited:
        main(["plan", str(Path(__file__).resolve().parents[2] / "segments")])
    assert exited.value.code == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "error: invalid AEP_PLATFORM_URL 'not a url': expected http(s)://host[:port]")
