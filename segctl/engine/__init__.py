"""segctl.engine: normalise, diff (pure), Plan (frozen, serialisable), apply (the only writer).

Public names: :func:`build_plan`, :func:`plan_from_state`, :class:`Plan` and its parts
(evaluation work: :class:`Awaiting`, :class:`RunningJob`, :class:`Ration`),
:func:`read_live_state` (:class:`LiveState`), :func:`apply_plan` with :class:`ApplyOptions`,
the one recorded list of writes (:func:`planned_writes` of :class:`Write`: apply sends these
bodies, renderings show them), the :class:`Progress` protocol and :class:`ApplyReport` of
:class:`ActionResult`, saved plans (:func:`save_plan`, :func:`load_plan`, :func:`is_plan_file`,
:func:`check_fresh`, :func:`plan_to_dict`, :func:`plan_from_dict`; the façade apply and
``ci apply`` use: :func:`open_saved_plan` (:class:`SavedPlan`), :func:`check_saved_plan` and
:func:`check_unchanged`), :func:`estimate_plan` for
``plan --estimate`` (:class:`SizeEstimate`, :class:`LastSize`, ``ESTIMATE_TIMEOUT``) and the
errors :class:`PlanError`, :class:`StalePlanError` and :class:`TamperedPlanError`.
``engine.marker`` is the one pure module that formats and parses ownership markers (segment
descriptions, audiences, dataset tags). Everything else (normalise, diff, freshness, jobs,
executor, estimate, codec) is private.
"""

from typing import TYPE_CHECKING, Any

from segctl.engine.estimate import ESTIMATE_TIMEOUT, estimate_plan
from segctl.engine.model import (
    Action,
    Awaiting,
    DatasetChange,
    DesiredSegment,
    ExportRun,
    FieldChange,
    Foreign,
    LastSize,
    Plan,
    PlanWarning,
    Ration,
    RunningJob,
    SegmentChange,
    SegmentJob,
    SizeEstimate,
    Target,
)
from segctl.engine.normalise import PlanError
from segctl.engine.plan import build_plan, plan_from_state
from segctl.engine.progress import NullProgress, Progress
from segctl.engine.report import ActionResult, ApplyReport, Outcome
from segctl.engine.state import LiveState, read_live_state
from segctl.engine.writes import Write, planned_writes

if TYPE_CHECKING:
    from segctl.engine.apply import ApplyOptions, apply_plan
    from segctl.engine.planfile import (
        FORMAT_VERSION,
        TamperedPlanError,
        is_plan_file,
        load_plan,
        plan_from_dict,
        plan_to_dict,
        save_plan,
    )
    from segctl.engine.saved import (
        SavedPlan,
        StalePlanError,
        check_fresh,
        check_saved_plan,
        check_unchanged,
        open_saved_plan,
    )

#: imported on first use: a plan (or show, or status) does not load the apply machinery, and
#: one that is not saved does not load the plan-file codec
_LAZY = {"ApplyOptions": "segctl.engine.apply", "apply_plan": "segctl.engine.apply",
         **dict.fromkeys(("FORMAT_VERSION", "TamperedPlanError", "is_plan_file", "load_plan",
                          "plan_from_dict", "plan_to_dict", "save_plan"),
                         "segctl.engine.planfile"),
         **dict.fromkeys(("SavedPlan", "StalePlanError", "check_fresh", "check_saved_plan",
                          "check_unchanged", "open_saved_plan"), "segctl.engine.saved")}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "ESTIMATE_TIMEOUT",
    "FORMAT_VERSION",
    "Action",
    "ActionResult",
    "ApplyOptions",
    "ApplyReport",
    "Awaiting",
    "DatasetChange",
    "DesiredSegment",
    "ExportRun",
    "FieldChange",
    "Foreign",
    "LastSize",
    "LiveState",
    "NullProgress",
    "Outcome",
    "Plan",
    "PlanError",
    "PlanWarning",
    "Progress",
    "Ration",
    "RunningJob",
    "SavedPlan",
    "SegmentChange",
    "SegmentJob",
    "SizeEstimate",
    "StalePlanError",
    "TamperedPlanError",
    "Target",
    "Write",
    "apply_plan",
    "build_plan",
    "check_fresh",
    "check_saved_plan",
    "check_unchanged",
    "estimate_plan",
    "is_plan_file",
    "load_plan",
    "open_saved_plan",
    "plan_from_dict",
    "plan_from_state",
    "plan_to_dict",
    "planned_writes",
    "read_live_state",
    "save_plan",
]
