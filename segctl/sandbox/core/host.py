"""``Host``: what a service's handlers and jobs may use of the running sandbox.

Services type their ``app`` argument with this protocol instead of importing ``LocalSandbox``,
so no service module imports the module that assembles them (no import circle).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from segctl.aep.ration import OnDemandRation
    from segctl.sandbox.core.runner import JobRunner
    from segctl.sandbox.core.store import Store
    from segctl.sandbox.faults import FaultConfig, FaultInjector
    from segctl.sandbox.profilestore.data import Profiles


class Host(Protocol):
    store: Store
    runner: JobRunner
    faults: FaultInjector
    fault_config: FaultConfig
    ration: OnDemandRation  # AEP's on-demand evaluation ration (jobs.ration enforces it)
    credentials: tuple[str, str] | None
    org_id: str | None
    base_url: str
    data_dir: Path
    embedded: set[tuple[str, str]]  # (org, sandbox) the embedded target provides (w17a)

    def now(self) -> datetime: ...

    def now_ms(self) -> int: ...

    def profile_data(self) -> Profiles: ...
