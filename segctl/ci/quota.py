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
    jobs: int  # on-demand segment jobs apply starts
    segments: int
    left_after: int | None = None  # runs left today once apply spent its own (when known)
    limit: int | None = DAILY_LIMIT


def quota_figure(plan: Plan) -> QuotaFigure:
    """From the plan's ``ration`` (``spends``, ``per_day``, ``left_today``) when it has one,
    else counted from its segment jobs against the documented daily limit."""
    segments = sum(len(job.segments) for job in plan.segment_jobs)
    ration: Any = getattr(plan, "ration", None)
    if ration is not None and isinstance(getattr(ration, "spends", None), int):
        left = getattr(ration, "left_today", None)
        per_day = getattr(ration, "per_day", None)
        return QuotaFigure(ration.spends, segments, left if isinstance(left, int) else None,
                           per_day if isinstance(per_day, int) else None)
    return QuotaFigure(len(plan.segment_jobs), segments)


def quota_line(figure: QuotaFigure) -> str:
    if figure.jobs == 0:
        return "Apply starts no on-demand segment job."
    noun = "job" if figure.jobs == 1 else "jobs"
    limit = (f"AEP allows {figure.limit} a day per sandbox" if figure.limit is not None
             else "no daily limit on this sandbox")
    text = f"Apply will spend **{figure.jobs} on-demand segment {noun}** ({figure.segments} " \
           f"segments; {limit}"
    if figure.left_after is not None:
        text += f"; {figure.left_after} left today after it"
    return text + ")."
