"""Which AEP the commands talk to.

With no platform URL from ``AEP_PLATFORM_URL`` or the selected Environment document, the target
is the embedded local sandbox whose state lives in ``$SEGCTL_SANDBOX_DIR`` or ``./.segctl``; it is
reached in-process through an httpx transport, so the client cannot tell it from real AEP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from segctl.aep import AepClient, AepConfig
from segctl.project import Environment


class _LocalClient(AepClient):
    """A client bound to an in-process local sandbox; closing it stops the sandbox too."""

    def __init__(self, config: AepConfig, sandbox: Any) -> None:
        super().__init__(config, transport=sandbox.transport())
        self._sandbox = sandbox

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._sandbox.close()


def environment_fields(environment: Environment | None) -> Mapping[str, Any]:
    """The Environment document's connection fields, in the shape ``AepConfig`` reads."""
    if environment is None:
        return {}
    fields = {"sandbox": environment.sandbox, "orgId": environment.org_id,
              "platformUrl": environment.platform_url}
    return {name: value for name, value in fields.items() if value}


def open_client(environment: Environment | None = None) -> AepClient:
    """A client for the selected environment; use it as a context manager."""
    config = AepConfig.from_env(environment_fields(environment))
    if config.is_local and config.platform_url == AepConfig.local().platform_url:
        from segctl.sandbox import LocalSandbox, default_data_dir, faults_from_env

        sandbox = LocalSandbox(default_data_dir(), faults=faults_from_env())
        sandbox.provision(config.org_id, config.sandbox)  # the embedded target's own sandbox
        return _LocalClient(config, sandbox)
    return AepClient(config)
