"""segctl.aep: the AEP REST client (OAuth S2S, paging, retries, typed errors, redaction).

Every module but two is private (``_client``, ``_http``, ``_segments``, ...); the public names
are these:

- the client: :class:`AepClient` (typed methods per endpoint), :class:`AepConfig`,
  :class:`Secret`, :class:`BatchFile`, :class:`Estimate` / :class:`EstimateTimeout`,
  ``MAX_SEGMENT_IDS_PER_JOB``, ``SANDBOX_TYPES``;
- its errors: :class:`ApiError` and :class:`AuthError`, :class:`BadRequestError`,
  :class:`ForbiddenError`, :class:`NotFoundError`, :class:`ConflictError`,
  :class:`RateLimitedError`, :class:`ServerError`, :class:`TransportError`;
- retries: :class:`RetryPolicy`, ``NO_RETRY``, and the policy itself for other HTTP clients
  (segctl ci's GitHub client): :func:`decide_retry` (a :class:`RetryDecision` of a
  :class:`RetryAction`), ``IDEMPOTENT_METHODS``, :func:`parse_retry_after`;
- secrets kept out of logs: ``KNOWN_SECRETS``, :func:`remember_secret`,
  :func:`install_log_filter`;
- the clocks: :class:`Clock`, :class:`SystemClock`, :class:`ManualClock` (tests);
- the on-demand evaluation ration: :class:`OnDemandRation`, :class:`RationUsage`,
  :func:`parse_ration`, :func:`ration_from_env`;
- two public modules that need no client: ``documents`` (pure readers of AEP's JSON:
  definitions, audiences, segment and export jobs) and ``ration`` (the ration, which the
  engine plans against and the local sandbox enforces).
"""

from segctl.aep import documents, ration
from segctl.aep._catalog import BatchFile
from segctl.aep._client import AepClient
from segctl.aep._clock import Clock, ManualClock, SystemClock
from segctl.aep._config import AepConfig
from segctl.aep._errors import (
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
from segctl.aep._estimates import Estimate, EstimateTimeout
from segctl.aep._redact import KNOWN_SECRETS, Secret, install_log_filter, remember_secret
from segctl.aep._retry import (
    IDEMPOTENT_METHODS,
    NO_RETRY,
    RetryAction,
    RetryDecision,
    RetryPolicy,
    decide_retry,
    parse_retry_after,
)
from segctl.aep._sandboxes import SANDBOX_TYPES
from segctl.aep._segments import MAX_SEGMENT_IDS_PER_JOB
from segctl.aep.ration import OnDemandRation, RationUsage, parse_ration, ration_from_env

__all__ = [
    "IDEMPOTENT_METHODS",
    "KNOWN_SECRETS",
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
    "RetryAction",
    "RetryDecision",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "SystemClock",
    "TransportError",
    "decide_retry",
    "documents",
    "install_log_filter",
    "parse_ration",
    "parse_retry_after",
    "ration",
    "ration_from_env",
    "remember_secret",
]
