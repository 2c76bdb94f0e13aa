"""The local sandbox: an emulator of the AEP REST API (segment definitions, segment and export
jobs, Catalog, Data Access, merge policies, schedules, previews) over SQLite state, sample
profiles and the real PQL engine. In-process it is an httpx transport; ``serve`` puts the same
handler on loopback.

Public names: :class:`LocalSandbox` (``handle``, ``transport``, ``serve``, ``close``),
:func:`default_data_dir`, :class:`SandboxServer`, and fault injection (:class:`FaultConfig`,
:func:`parse_faults`, :func:`faults_from_env`). FIDELITY.md records which documentation each
behaviour follows.
"""

from segctl.sandbox.app import LocalSandbox, default_data_dir
from segctl.sandbox.faults import FaultConfig, faults_from_env, parse_faults
from segctl.sandbox.server import SandboxServer

__all__ = ["FaultConfig", "LocalSandbox", "SandboxServer", "default_data_dir", "faults_from_env",
           "parse_faults"]
