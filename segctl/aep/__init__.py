"""segctl.aep: the AEP REST client (OAuth S2S, paging, retries, typed errors, redaction).

Public names: :class:`AepConfig`, :class:`AepClient`, the :class:`ApiError` family,
:class:`RetryPolicy` (and ``NO_RETRY``), the clocks, :class:`Secret`, :class:`BatchFile`,
:class:`Estimate` / :class:`EstimateTimeout`, ``MAX_SEGMENT_IDS_PER_JOB``, ``SANDBOX_TYPES``,
``is_platform_audience`` (which listed audiences are segment definitions) and the on-demand
evaluation ration (:class:`OnDemandRation`, :class:`RationUsage`, :func:`parse_ration`,
:func:`ration_from_env`; module ``ration``). Everything else is private.
"""

from segctl.aep._catalog import BatchFile
from segctl.aep._estimates import Estimate, EstimateTimeout
from segctl.aep._sandboxes import SANDBOX_TYPES
from segctl.aep._segments import MAX_SEGMENT_IDS_PER_JOB
from segctl.aep.client import AepClient
from segctl.aep.clock import Clock, ManualClock, SystemClock
from segctl.aep.config import AepConfig
from segctl.aep.documents import export_signature, is_platform_audience, job_expressions
from segctl.aep.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from segctl.aep.ration import (
    OnDemandRation,
    RationUsage,
    parse_ration,
    ration_from_env,
)
from segctl.aep.redact import Secret
from segctl.aep.retry import NO_RETRY, RetryPolicy

__all__ = [
    "MAX_SEGMENT_IDS_PER_JOB",
    "NO_RETRY",
    "SANDBOX_TYPES",
    "AepClient",
    "AepConfig",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "BatchFile",
    "Clock",
    "ConflictError",
    "Estimate",
    "EstimateTimeout",
    "ForbiddenError",
    "ManualClock",
    "NotFoundError",
    "OnDemandRation",
    "RateLimitedError",
    "RationUsage",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "SystemClock",
    "TransportError",
    "export_signature",
    "is_platform_audience",
    "job_expressions",
    "parse_ration",
    "ration_from_env",
]
