"""Retry policy: which failures are retried, how long to wait, when to give up (pure).

Exponential backoff with full jitter (delay drawn uniformly from ``[0, min(cap, base·2ⁿ)]``)
unless the server said how long to wait with ``Retry-After``, which is honoured as given.
Both the number of attempts and the total time spent are bounded.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from segctl.aep._errors import ApiError, ConflictError

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` bounds a write that may not be replayed blindly (a create: it is sent
    again only after a failure that proves it was not processed, or after a lookup found
    nothing); ``read_attempts`` (default: the same) bounds requests that are safe to repeat
    (reads, PUT/PATCH/DELETE, replayable POSTs), which include the lookups after an unanswered
    create. ``max_elapsed`` bounds the time of one call either way."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_elapsed: float = 120.0
    """Total budget in seconds, waits included; a wait that would overrun it is not started."""
    read_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or (self.read_attempts is not None and self.read_attempts < 1):
            raise ValueError("max_attempts must be at least 1")

    def attempts(self, replayable: bool) -> int:
        """How many times one call may be sent."""
        if replayable and self.read_attempts is not None:
            return self.read_attempts
        return self.max_attempts

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``attempt`` (1 = first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rng.uniform(0.0, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1)

# The client's default. Tuned on the chaos suite (tests/convergence, RELIABILITY.md): with 20%
# 429s, 10% 503s and 5% dropped connections a request fails 35% of the time, so five attempts
# left one call in 200 failing and a 200-segment apply failed 17 times in 20. Ten attempts for a
# write and fourteen for a read or lookup (0.35^10 ≈ 3e-5, 0.35^14 ≈ 4e-7 per call) keep the
# first apply succeeding; the time bound (120 s per call, waits included) is unchanged.
DEFAULT_RETRY = RetryPolicy(max_attempts=10, read_attempts=14)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


class RetryAction(enum.Enum):
    RAISE = "raise"
    RETRY = "retry"  # wait, then send the same request again
    RECOVER = "recover"  # wait, then look the object up before deciding to send again


@dataclass(frozen=True)
class RetryDecision:
    action: RetryAction
    delay: float = 0.0
    reason: str = ""


def decide_retry(
    error: ApiError,
    *,
    replayable: bool,
    can_recover: bool,
    after_ambiguous: bool,
    attempt: int,
    elapsed: float,
    policy: RetryPolicy,
    rng: random.Random,
) -> RetryDecision:
    """What to do after attempt number ``attempt`` failed with ``error``.

    ``replayable``: the request may be sent again blindly (reads, PUT/PATCH/DELETE, and POSTs
    marked safe). Otherwise an *ambiguous* failure (5xx, or the connection died after the
    request went out) is only followed by a lookup (``RECOVER``) when one is available, and
    raised when not. A duplicate-name conflict on a replay after an ambiguous failure means the
    first attempt did create the object: that also goes to ``RECOVER``.
    """
    if isinstance(error, ConflictError) and after_ambiguous and can_recover:
        return RetryDecision(RetryAction.RECOVER, 0.0, "conflict after an ambiguous attempt")
    if not error.retryable:
        return RetryDecision(RetryAction.RAISE, reason="not retryable")
    if not replayable and error.ambiguous and not can_recover:
        return RetryDecision(RetryAction.RAISE,
                             reason="outcome unknown and the request is not replayable")
    if attempt >= policy.attempts(replayable):
        return RetryDecision(RetryAction.RAISE, reason=f"gave up after {attempt} attempts")
    honoured = error.retry_after
    delay = honoured if honoured is not None else policy.backoff(attempt, rng)
    if elapsed + delay > policy.max_elapsed:
        return RetryDecision(RetryAction.RAISE,
                             reason=f"retry budget of {policy.max_elapsed:g}s spent")
    action = RetryAction.RECOVER if (not replayable and error.ambiguous) else RetryAction.RETRY
    return RetryDecision(action, delay, "retryable failure")
