"""The on-demand evaluation ration (flexible audience evaluation) on ``POST /segment/jobs``.

``help/segmentation/methods/flexible-audience-evaluation.md`` (Guardrails, FAQ): 20 ids per job
(checked with the body in ``jobs.responses``), two on-demand runs a day per sandbox reset at
midnight UTC, 50 a year per production sandbox and 100 per development sandbox; the nightly
scheduled run does not count. ``segmentation.yaml`` documents the refusal as 429 "There are too
many segmentation jobs in processing at the moment". The day is the sandbox's own clock
(``Host.now_ms``); the limits are ``Host.ration`` (``SEGCTL_ONDEMAND_RATION``, on by default).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

from segctl.aep import ration
from segctl.sandbox.core.values import sandbox_object
from segctl.sandbox.core.web import Ctx, problem
from segctl.sandbox.jobs.models import KIND
from segctl.sandbox.sandboxes import models as sandboxes

RATION_CODE = "UPAPI-113429-429"
RATION_LOCK = threading.Lock()  # held from the check to the stored job (one process)


def check_ration(ctx: Ctx) -> None:
    """Refuse an on-demand job beyond the sandbox's ration; call under ``RATION_LOCK`` up to
    the job being stored, so two racing POSTs cannot both take the last run."""
    app = ctx.app
    limits = app.ration
    if app.fault_config.job_quota:  # the older fault setting: a daily limit only
        limits = replace(limits, per_day=app.fault_config.job_quota)
    if not limits.enforced:
        return
    now = app.now_ms()
    spent = ration.usage(limits, app.store.all(KIND, ctx.scope), now, _sandbox_type(ctx))
    if spent.available:
        return
    if limits.per_day is not None and spent.used_today >= limits.per_day:
        wait_ms = ration.day_start(now) + ration.DAY_MS - now
        what = f"{limits.per_day} per day"
    else:
        next_year = datetime.fromtimestamp(now / 1000, tz=UTC).year + 1
        wait_ms = int(datetime(next_year, 1, 1, tzinfo=UTC).timestamp() * 1000) - now
        what = f"{spent.per_year} per year for a {spent.sandbox_type} sandbox"
    failure = problem(429, RATION_CODE,
                      "There are too many segmentation jobs in processing at the moment. "
                      f"Try again at a later time. (On-demand evaluation ration: {what}.)")
    failure.headers["Retry-After"] = str(wait_ms // 1000 + 1)
    raise failure


def _sandbox_type(ctx: Ctx) -> str:
    """The type the Sandbox API reports (a sandbox made with ``sandbox create --type``), else
    what the resources' ``sandbox`` block says (``prod`` production, others development)."""
    found = sandboxes.find(ctx.app, ctx.scope.org, ctx.scope.sandbox)
    kind = found.get("type") if found else None
    return str(kind) if kind in ("production", "development") else str(
        sandbox_object(ctx.scope)["type"])
