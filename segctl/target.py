"""Which AEP the commands talk to, and where the embedded local sandbox keeps its state.

With no platform URL from ``AEP_PLATFORM_URL`` or the selected Environment document, the target
is the embedded local sandbox; it is reached in-process through an httpx transport, so the
client cannot tell it from real AEP. Its state directory is ``$SEGCTL_SANDBOX_DIR`` when set,
else found from the **project root**, not the current directory (:func:`sandbox_dir`), so
``cd segments && segctl plan .`` sees the same sandbox as ``segctl plan segments``. Read-only
commands never create it: without one they read an empty, throw-away sandbox instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segctl.aep import AepClient, AepConfig
from segctl.project import Environment

STATE_DIR = ".segctl"
ENV_DATA_DIR = "SEGCTL_SANDBOX_DIR"


class _LocalClient(AepClient):
    """A client bound to an in-process local sandbox; closing it stops the sandbox too (and
    removes a throw-away one)."""

    def __init__(self, config: AepConfig, sandbox: Any, *, throwaway: Path | None = None,
                 held: tuple[str, ...] | None = None) -> None:
        # pages one at a time: the in-process sandbox answers on this interpreter (one GIL),
        # so concurrent pages only add thread switches (4,000 definitions: 0.18 s one at a
        # time, 0.21-0.28 s eight at a time); over HTTP they overlap (bench/bench_live_read.py)
        super().__init__(config, transport=sandbox.transport(), read_concurrency=1)
        self._sandbox = sandbox
        self.data_dir: Path = Path(sandbox.data_dir)
        self.throwaway = throwaway is not None  # no sandbox existed: an empty one was read
        self._throwaway = throwaway
        # the sandboxes the data directory has, when it lacks the Environment's (else None)
        self.held = held

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._sandbox.close()
            if self._throwaway is not None:
                shutil.rmtree(self._throwaway, ignore_errors=True)


def environment_fields(environment: Environment | None) -> Mapping[str, Any]:
    """The Environment document's connection fields, in the shape ``AepConfig`` reads."""
    if environment is None:
        return {}
    fields = {"sandbox": environment.sandbox, "orgId": environment.org_id,
              "platformUrl": environment.platform_url}
    return {name: value for name, value in fields.items() if value}


def sandbox_dir(project_root: Path | None = None, *, cwd: Path | None = None
                ) -> tuple[Path, bool]:
    """(the embedded sandbox's state directory, whether it exists already).

    ``$SEGCTL_SANDBOX_DIR`` wins. Otherwise the nearest ``.segctl`` directory in the project
    root or above it (not above the enclosing git repository). When there is none, the
    directory it would be created in: beside the repository's ``.git``, else in the current
    directory when that contains the project, else beside the project folder.
    """
    here = (cwd or Path.cwd()).resolve()
    configured = os.environ.get(ENV_DATA_DIR)
    if configured:
        path = Path(configured)
        # a path that exists, or cannot become a directory, is opened (and refused) as given
        return path, path.exists() or any(p.exists() and not p.is_dir() for p in path.parents)
    if project_root is None:
        path = here / STATE_DIR
        return path, path.is_dir()
    start = (project_root if project_root.is_absolute() else here / project_root).resolve()
    repo: Path | None = None
    for folder in (start, *start.parents):
        if (folder / STATE_DIR).is_dir():
            return folder / STATE_DIR, True
        if (folder / ".git").exists():
            repo = folder
            break
    if repo is not None:
        anchor = repo
    elif here == start or here in start.parents:
        anchor = here
    else:
        anchor = start.parent
    return anchor / STATE_DIR, False


def open_client(environment: Environment | None = None, *, project_root: Path | None = None,
                read_only: bool = False) -> AepClient:
    """A client for the selected environment; use it as a context manager.

    ``project_root`` locates the embedded sandbox's state (see :func:`sandbox_dir`);
    ``read_only`` (plan, import, preview...) never creates it: when none exists the client
    reads an empty throw-away sandbox and ``client.throwaway`` is True.
    """
    config = AepConfig.from_env(environment_fields(environment))
    if config.is_local and config.platform_url == AepConfig.local().platform_url:
        from segctl.sandbox import LocalSandbox, faults_from_env

        path, exists = sandbox_dir(project_root)
        throwaway: Path | None = None
        if read_only and not exists:
            throwaway = Path(tempfile.mkdtemp(prefix="segctl-empty-"))
            path = throwaway / STATE_DIR
        sandbox = LocalSandbox(path, faults=faults_from_env())
        held = _held_without(sandbox, config.org_id, config.sandbox)
        sandbox.provision(config.org_id, config.sandbox)  # the embedded target's own sandbox
        return _LocalClient(config, sandbox, throwaway=throwaway, held=held)
    return AepClient(config)


def _held_without(sandbox: Any, org: str, name: str) -> tuple[str, ...] | None:
    """The sandboxes the data directory has when ``name`` is not one of them, else None."""
    from segctl.sandbox.sandboxes import models as sandboxes

    if sandboxes.find(sandbox, org, name) is not None:  # prod, or created (before provision)
        return None
    held = sandboxes.held(sandbox, org)
    return None if name in held else tuple(held)


@dataclass(frozen=True)
class NewLocalSandbox:
    """The embedded target's sandbox, which its data directory does not have yet: the
    Environment names a sandbox that was never created nor applied to (a new one, or a typo)."""

    name: str
    held: tuple[str, ...]  # the sandboxes the data directory has (prod first)
    data_dir: Path | None  # None: no data directory yet (a plan reads a throw-away one)


def new_local_sandbox(client: AepClient) -> NewLocalSandbox | None:
    """For the embedded target whose data directory lacks the Environment's sandbox: what it
    has instead. None for any other target and for a sandbox it has (``prod`` always).

    The embedded target serves any sandbox name (so a project works without `segctl sandbox
    create`); served and real targets refuse an unknown one (403). This is how plan and apply
    tell a new sandbox, or a mistyped ``Environment.sandbox``, from an existing one."""
    if not isinstance(client, _LocalClient) or client.held is None:
        return None
    return NewLocalSandbox(client.config.sandbox, client.held,
                           None if client.throwaway else client.data_dir)


def record_local_sandbox(client: AepClient) -> bool:
    """Apply's first step on the embedded target: record the Environment's sandbox in the
    data directory when it lacks it (a development sandbox, as `segctl sandbox create` would
    make); True when it did."""
    if new_local_sandbox(client) is None:
        return False
    assert isinstance(client, _LocalClient)
    from segctl.sandbox.sandboxes import models as sandboxes

    sandboxes.record(client._sandbox, client.config.org_id, client.config.sandbox)
    client.held = None
    return True


def is_embedded(client: AepClient) -> bool:
    """True for the in-process local sandbox (guarded by the apply lock); False for any
    sandbox reached over HTTP, real AEP or a served one, which others may change any time."""
    return isinstance(client, _LocalClient)


def local_state_dir(client: AepClient) -> Path | None:
    """The embedded sandbox's state directory (None for any other target or a throw-away)."""
    if isinstance(client, _LocalClient) and not client.throwaway:
        return client.data_dir
    return None


def is_throwaway(client: AepClient) -> bool:
    return isinstance(client, _LocalClient) and client.throwaway
