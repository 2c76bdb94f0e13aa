"""Fault injection for the local sandbox: throttling, server errors, dropped connections,
latency and failed jobs, all drawn from a seeded generator so a test run is reproducible.

Syntax (``--faults`` or ``SEGCTL_FAULTS``): comma-separated ``key=value`` pairs, e.g.
``rate429=0.2,rate5xx=0.1,drop=0.05,latency_ms=50,job_fail=1.0,seed=7``.

=============  =========================================================  =======
key            meaning                                                    default
=============  =========================================================  =======
rate429        share of requests answered 429 (gateway body, Retry-After)  0
rate5xx        share of requests answered 503 (service unavailable)        0
drop           share of requests whose connection is dropped: half are     0
               refused (nothing happens), half time out reading the
               answer of a request the sandbox did carry out
latency_ms     delay added to every request, in milliseconds               0
job_fail       share of segment/export jobs and estimates that end FAILED  0
retry_after    seconds sent in Retry-After with injected 429s              1
seed           seed of the generator                                       0
ims            1 = faults also hit the IMS token endpoint                  0
job_quota      on-demand segment jobs allowed per sandbox per UTC day      0 (off)
               (AEP's flexible-evaluation ration is 2); beyond it: 429
job_ms         realistic timing: a segment or export job stays PROCESSING  0 (off)
               this many ms of sandbox time after it starts (a clock moved
               by `segctl sandbox advance` counts)
job_ms_per_1k  and this many more per 1,000 sample profiles                0
=============  =========================================================  =======
"""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import Enum

from segctl.errors import UsageError

ENV_VAR = "SEGCTL_FAULTS"


@dataclass(frozen=True)
class FaultConfig:
    """What to inject. Rates are probabilities per request (or per job for ``job_fail``)."""

    rate429: float = 0.0
    rate5xx: float = 0.0
    drop: float = 0.0
    latency_ms: int = 0
    job_fail: float = 0.0
    retry_after: int = 1
    seed: int = 0
    ims: bool = False
    job_quota: int = 0
    job_ms: int = 0
    job_ms_per_1k: int = 0

    def __post_init__(self) -> None:
        for name in ("rate429", "rate5xx", "drop", "job_fail"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"fault {name}={value} is not a rate between 0 and 1")
        if self.rate429 + self.rate5xx + self.drop > 1.0:
            raise UsageError("fault rates rate429 + rate5xx + drop add up to more than 1")
        if self.latency_ms < 0 or self.retry_after < 0 or self.job_quota < 0:
            raise UsageError("fault latency_ms and retry_after must not be negative")
        if self.job_ms < 0 or self.job_ms_per_1k < 0:
            raise UsageError("job_ms and job_ms_per_1k must not be negative")

    @property
    def active(self) -> bool:
        return any((self.rate429, self.rate5xx, self.drop, self.latency_ms, self.job_fail,
                    self.job_quota, self.job_ms, self.job_ms_per_1k))

    def job_duration_ms(self, profiles: int) -> int:
        """How long a job takes in sandbox time under realistic timing (0: as fast as it
        runs)."""
        return self.job_ms + self.job_ms_per_1k * profiles // 1000

    def to_spec(self) -> str:
        """The ``key=value,...`` text that parses back to this config (non-defaults only)."""
        default = FaultConfig()
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                parts.append(f"{f.name}={int(value) if isinstance(value, bool) else value}")
        return ",".join(parts)


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


_CONVERTERS: Mapping[str, Callable[[str], object]] = {
    "rate429": float, "rate5xx": float, "drop": float, "job_fail": float,
    "latency_ms": int, "retry_after": int, "seed": int, "ims": _to_bool, "job_quota": int,
    "job_ms": int, "job_ms_per_1k": int,
}


def parse_faults(spec: str) -> FaultConfig:
    """Parse ``key=value,...``; raises UsageError naming the bad part."""
    values: dict[str, object] = {}
    for raw in spec.split(","):
        part = raw.strip()
        if not part:
            continue
        key, sep, text = part.partition("=")
        key = key.strip()
        if not sep or key not in _CONVERTERS:
            known = ", ".join(_CONVERTERS)
            raise UsageError(f"bad fault setting {part!r}",
                             hint=f"use key=value with key in: {known}")
        try:
            values[key] = _CONVERTERS[key](text.strip())
        except ValueError:
            raise UsageError(f"bad value in fault setting {part!r}") from None
    return FaultConfig(**values)  # type: ignore[arg-type]


def faults_from_env(environ: Mapping[str, str] | None = None) -> FaultConfig | None:
    spec = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return parse_faults(spec) if spec else None


class Fault(Enum):
    NONE = "none"
    THROTTLE = "429"
    SERVER_ERROR = "5xx"
    DROP = "drop"


class FaultInjector:
    """Draws faults from one seeded generator (thread-safe), so the sequence of outcomes for a
    sequence of requests is fixed by the seed."""

    def __init__(self, config: FaultConfig | None):
        self.config = config or FaultConfig()
        self._rng = random.Random(self.config.seed)
        self._job_rng = random.Random(self.config.seed + 1)
        self._lock = threading.Lock()

    def applies_to(self, path: str) -> bool:
        return self.config.ims or not path.startswith("/ims/")

    def draw(self) -> Fault:
        c = self.config
        if not (c.rate429 or c.rate5xx or c.drop):
            return Fault.NONE
        with self._lock:
            u = self._rng.random()
        if u < c.drop:
            return Fault.DROP
        if u < c.drop + c.rate429:
            return Fault.THROTTLE
        if u < c.drop + c.rate429 + c.rate5xx:
            return Fault.SERVER_ERROR
        return Fault.NONE

    def drop_kind(self) -> str:
        """"read" (the request was carried out, the answer is lost) or "connect" (refused
        before the request was sent)."""
        with self._lock:
            return "read" if self._rng.random() < 0.5 else "connect"

    def job_should_fail(self) -> bool:
        if not self.config.job_fail:
            return False
        with self._lock:
            return self._job_rng.random() < self.config.job_fail
