"""Estimates of a segment's size (AEP-API §10; help/segmentation/api/previews-and-estimates.md,
segmentation.yaml ``EstimateResponse``): the typed answer and the polling contract.

An estimate job is created with its preview (same id). It is ``NEW``, then ``RUNNING`` while
it reads a sample of the profile store ("beginning with a rough estimate and refining as more
records are read", 10-15 s on AEP), then ``RESULT_READY`` or ``FAILED`` (``error.description``).
``confidenceInterval`` is the confidence *level* ("95%"); the interval itself is
``estimatedSize`` ± z·``standardError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from segctl.aep._clock import Clock
from segctl.errors import SegctlError

READY = "RESULT_READY"
# FAILED is documented; aepp also checks ERROR; a cancelled job may say so before it is gone
FAILED_STATES = frozenset({"FAILED", "ERROR", "CANCELLED", "KILLED"})
TERMINAL_STATES = FAILED_STATES | {READY}
MAX_POLL_INTERVAL = 5.0
_Z = {"80%": 1.2816, "90%": 1.6449, "95%": 1.9600, "98%": 2.3263, "99%": 2.5758}


def _count(value: Any) -> int:
    """A count as the API sends it: an int, a numeric string or nothing (0)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value)
    if isinstance(value, str):
        try:
            return round(float(value))
        except ValueError:
            return 0
    return 0


@dataclass(frozen=True)
class Estimate:
    """One reading of ``GET /estimate/{previewId}``."""

    preview_id: str
    state: str
    estimated_size: int = 0
    standard_error: int = 0
    confidence: str = "95%"  # the API's confidenceInterval: a level, not a width
    profiles_read: int = 0
    profiles_matched: int = 0
    rows_to_read: int = 0
    total_rows: int = 0
    error: str = ""

    @classmethod
    def from_api(cls, preview_id: str, doc: Mapping[str, Any]) -> Estimate:
        error = doc.get("error")
        description = error.get("description") if isinstance(error, Mapping) else error
        return cls(
            preview_id=preview_id,
            state=str(doc.get("state") or "UNKNOWN").upper(),
            estimated_size=_count(doc.get("estimatedSize")),
            standard_error=_count(doc.get("standardError")),
            confidence=str(doc.get("confidenceInterval") or "95%"),
            profiles_read=_count(doc.get("profilesReadSoFar")),
            profiles_matched=_count(doc.get("profilesMatchedSoFar")),
            rows_to_read=_count(doc.get("numRowsToRead")),
            total_rows=_count(doc.get("totalRows")),
            error=str(description or ""),
        )

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def ready(self) -> bool:
        return self.state == READY

    @property
    def margin(self) -> int | None:
        """Half the width of the confidence interval, in profiles (None: an unknown level)."""
        z = _Z.get(self.confidence.strip())
        return None if z is None else round(z * self.standard_error)

    @property
    def exact(self) -> bool:
        """Every profile of the store was read (no sampling), so the size is a count."""
        return (self.ready and self.standard_error == 0 and self.total_rows > 0
                and self.profiles_read >= self.total_rows)

    def progress(self) -> str:
        """The state and how far the read got, for a progress line."""
        if self.rows_to_read and not self.done:
            return f"{self.state}, {self.profiles_read}/{self.rows_to_read} profiles read"
        return self.state


class EstimateTimeout(SegctlError):
    """An estimate did not finish in time; ``last`` is the last reading (None: never read)."""

    def __init__(self, message: str, last: Estimate | None) -> None:
        super().__init__(message)
        self.last = last


def poll_estimate(
    read: Callable[[], Estimate],
    clock: Clock,
    *,
    timeout: float,
    interval: float = 1.0,
    on_reading: Callable[[Estimate, float], None] | None = None,
) -> Estimate:
    """Read until the estimate is done: waits start at ``interval`` and grow by half up to
    5 s; each reading goes to ``on_reading`` with the seconds elapsed. Raises
    :class:`EstimateTimeout` when the next wait would pass ``timeout``."""
    started = clock.monotonic()
    delay = interval
    while True:
        current = read()
        elapsed = clock.monotonic() - started
        if on_reading is not None:
            on_reading(current, elapsed)
        if current.done:
            return current
        if elapsed + delay > timeout:
            raise EstimateTimeout(
                f"timed out after {timeout:g}s; the estimate is still {current.progress()}",
                current)
        clock.sleep(delay)
        delay = min(delay * 1.5, MAX_POLL_INTERVAL)
