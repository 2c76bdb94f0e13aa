"""How many on-demand segment jobs an apply will spend.

AEP rations on-demand (flexible) evaluation: at most 20 segment ids per job, 2 jobs a day per
sandbox, 50 a year in production (AEP-API.md §14, "Flexible audience evaluation" guardrails).

:func:`quota_figure` is the one seam: it renders the plan's own ration figures when the plan
carries them (``Plan.ration``, once the engine records the sandbox's allowance), and otherwise
counts the segment jobs the plan schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segctl.engine import Plan

DAILY_LIMIT = 2


@dataclass(frozen=True)
class QuotaFigure:
    jobs: int
    segments: int
    remaining: int | None = None  # what the sandbox has left today, when the plan knows it
    limit: int = DAILY_LIMIT


def quota_figure(plan: Plan) -> QuotaFigure:
    jobs = len(plan.segment_jobs)
    segments = sum(len(job.segments) for job in plan.segment_jobs)
    ration: Any = getattr(plan, "ration", None)
    remaining = getattr(ration, "remaining", None)
    limit = getattr(ration, "limit", None)
    return QuotaFigure(jobs, segments,
                       remaining if isinstance(remaining, int) else None,
                       limit if isinstance(limit, int) else DAILY_LIMIT)


def quota_line(figure: QuotaFigure) -> str:
    if figure.jobs == 0:
        return "Apply starts no on-demand segment job."
    noun = "job" if figure.jobs == 1 else "jobs"
    text = (f"Apply will spend **{figure.jobs} on-demand segment {noun}** "
            f"({figure.segments} segments; AEP allows {figure.limit} a day per sandbox")
    if figure.remaining is not None:
        text += f", {figure.remaining} left today"
    text += ")."
    if figure.remaining is not None and figure.jobs > figure.remaining:
        text += " More than are left: the rest waits for tomorrow's ration."
    return text
