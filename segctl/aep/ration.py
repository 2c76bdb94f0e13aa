"""AEP's ration of on-demand segment jobs ("flexible audience evaluation"), and how much of it
a job history has spent (pure).

Source: ``help/segmentation/methods/flexible-audience-evaluation.md`` (AdobeDocs/
experience-platform.en), section Guardrails and FAQ; AEP-API.md §14:

- at most 20 segment definition ids per ``POST /segment/jobs`` (``MAX_SEGMENT_IDS_PER_JOB``);
- two on-demand runs per day per sandbox, reset at midnight UTC;
- 50 runs a year per production sandbox, 100 per development sandbox (reset on the contract's
  anniversary, which no API reports: segctl counts calendar years, UTC);
- runs created through the API or the UI count; the nightly scheduled evaluation
  (``source: scheduler``) does not.

More runs can be bought, so the numbers are a setting: ``SEGCTL_ONDEMAND_RATION`` (``off``, or
``day=N,year=M``, or ``day=N,production=M,development=K``). The local sandbox enforces the same
setting, so segctl plans against exactly what the sandbox it talks to allows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from segctl.errors import UsageError

ENV_VAR = "SEGCTL_ONDEMAND_RATION"
DAY_MS = 86_400_000


@dataclass(frozen=True)
class OnDemandRation:
    """Runs allowed per UTC day and per calendar year (by sandbox type); None = no limit."""

    per_day: int | None = 2
    production_per_year: int | None = 50
    development_per_year: int | None = 100

    @property
    def enforced(self) -> bool:
        return not (self.per_day is None and self.production_per_year is None
                    and self.development_per_year is None)

    def per_year(self, sandbox_type: str) -> int | None:
        if sandbox_type == "development":
            return self.development_per_year
        return self.production_per_year  # production, or unknown: the stricter allowance


UNLIMITED = OnDemandRation(None, None, None)
AEP_DEFAULT = OnDemandRation()


def parse_ration(spec: str) -> OnDemandRation:
    """``off`` | ``default`` | comma-separated ``day``/``year``/``production``/``development``
    = a count (or ``off`` for no limit on that one)."""
    text = spec.strip().lower()
    if text in ("off", "none", "unlimited"):
        return UNLIMITED
    if text in ("", "default", "on", "aep"):
        return AEP_DEFAULT
    values: dict[str, int | None] = {}
    names = {"day": ("per_day",), "year": ("production_per_year", "development_per_year"),
             "production": ("production_per_year",), "development": ("development_per_year",)}
    for raw in text.split(","):
        key, sep, value = (p.strip() for p in raw.partition("="))
        if not sep or key not in names:
            raise UsageError(f"bad {ENV_VAR} setting {raw.strip()!r}",
                             hint="use off, or key=count with key in: day, year, production, "
                                  "development (e.g. day=2,year=50)")
        try:
            count = None if value == "off" else int(value)
        except ValueError:
            raise UsageError(f"bad count in {ENV_VAR} setting {raw.strip()!r}") from None
        if count is not None and count < 0:
            raise UsageError(f"{ENV_VAR}: {key} must not be negative")
        for field in names[key]:
            values[field] = count
    defaults = {"per_day": AEP_DEFAULT.per_day,
                "production_per_year": AEP_DEFAULT.production_per_year,
                "development_per_year": AEP_DEFAULT.development_per_year}
    return OnDemandRation(**{**defaults, **values})


def ration_from_env(environ: Mapping[str, str] | None = None) -> OnDemandRation:
    """The ration named by ``$SEGCTL_ONDEMAND_RATION``; AEP's documented one when unset."""
    return parse_ration((os.environ if environ is None else environ).get(ENV_VAR, ""))


@dataclass(frozen=True)
class RationUsage:
    """What a sandbox's job history shows of the ration at ``now_ms``."""

    ration: OnDemandRation
    sandbox_type: str  # production | development | unknown
    used_today: int
    used_this_year: int

    @property
    def per_year(self) -> int | None:
        return self.ration.per_year(self.sandbox_type)

    @property
    def available(self) -> int | None:
        """Runs that can still start today (None = no limit)."""
        left = [limit - used for limit, used in ((self.ration.per_day, self.used_today),
                                                 (self.per_year, self.used_this_year))
                if limit is not None]
        return max(0, min(left)) if left else None


def day_start(now_ms: int) -> int:
    return now_ms - now_ms % DAY_MS


def year_start(now_ms: int) -> int:
    year = datetime.fromtimestamp(now_ms / 1000, tz=UTC).year
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp() * 1000)


def is_on_demand(job: Mapping[str, Any]) -> bool:
    """Counted against the ration: every job not started by a schedule."""
    return job.get("source", "api") != "scheduler"


def usage(
    ration: OnDemandRation, jobs: Iterable[Mapping[str, Any]], now_ms: int,
    sandbox_type: str | None = None,
) -> RationUsage:
    """Count the on-demand runs of ``jobs`` created today and this year (UTC)."""
    today, year = day_start(now_ms), year_start(now_ms)
    used_today = used_year = 0
    kind = sandbox_type
    for job in jobs:
        if kind is None:
            box = job.get("sandbox")
            kind = str(box.get("type")) if isinstance(box, dict) and box.get("type") else None
        created = job.get("creationTime")
        if not is_on_demand(job) or not isinstance(created, (int, float)):
            continue
        used_year += created >= year
        used_today += created >= today
    return RationUsage(ration, kind or "unknown", used_today, used_year)
