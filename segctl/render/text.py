"""Terraform-style text: one block per change with its glyph, per-field diffs, a summary line."""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from segctl.engine.model import (
    Action,
    FieldChange,
    LastSize,
    Plan,
    ScheduleChange,
    SegmentChange,
    SizeEstimate,
)
from segctl.engine.report import ActionResult, ApplyReport, Outcome
from segctl.engine.writes import audience_write, segment_write, shown_values
from segctl.render.escape import terminal, terminal_line, terminal_safe
from segctl.render.style import Style

_INDENT = "      "
_LISTED = 25  # objects of other projects named in full; the rest are counted
CREATE_FIELDS = ("name", "description", "pql", "schema", "ttlInDays", "mergePolicy",
                 "evaluation", "labels", "protect", "lifecycle")


def where(plan: Plan) -> str:
    """The target in words: environment, sandbox, and whether it is the local sandbox."""
    target = plan.target
    if target.platform_url is None:
        place = "the local sandbox" + (f" {target.sandbox!r}" if target.sandbox else "")
    else:
        place = f"sandbox {target.sandbox!r} at {terminal_line(target.platform_url)}"
    if target.environment is None:
        return place
    return f"environment {target.environment!r} ({place})"


def render_plan(plan: Plan, *, color: bool = False) -> str:
    # user text cannot move the cursor or recolour the plan. Unchanged segments (NOOP) are
    # never shown nor counted: escaping them, nearly all of a converged plan, would be wasted
    plan = terminal_safe(replace(plan, changes=plan.actionable))
    style = Style(color)
    out: list[str] = []
    actionable = plan.actionable
    dataset_creates = [d for d in plan.datasets if d.action is Action.CREATE]
    if not plan.has_changes:
        place = where(plan)
        out.append(f"No changes. {place[:1].upper()}{place[1:]} matches the files.")
        if any(c.adopt_only for c in actionable) or any(
                d.action is Action.UPDATE for d in plan.datasets):
            out.append("Apply would stamp the ownership marker on the adopted objects below.")
        if plan.segment_jobs or plan.export_runs or plan.running_jobs:
            out.append("Apply would still run the jobs and exports below (each export says why).")
        elif plan.awaiting or plan.deferred:
            out.append("Segments below still await evaluation.")
        out.append("")
    else:
        out.append(f"segctl will perform the following actions on {where(plan)}:")
        out.append("")
    if plan.has_work:
        for change in actionable:
            out.extend(_change_lines(change, style))
            estimate = plan.estimate_for(change.key)
            if estimate is not None:
                out.append(_size_line(estimate, change, style))
            out.append("")
        for ds in dataset_creates:
            out.append(style.action(Action.CREATE, f"  + dataset {ds.name!r}")
                       + f"  (for export {ds.export}; tagged as owned by segctl)")
            out.append("")
        for ds in (d for d in plan.datasets if d.action is Action.UPDATE):
            out.append(style.action(Action.UPDATE, f"  ~ dataset {ds.name!r}")
                       + f"  id={ds.id}  ({ds.reason})")
            out.append("")
        for ds in (d for d in plan.datasets if d.action is Action.DELETE):
            out.append(style.action(Action.DELETE, f"  - dataset {ds.name!r}")
                       + f"  id={ds.id}  (made for export {ds.export}, no longer exported into)")
            out.append("")
        for schedule in plan.schedules_to_write:
            out.extend(schedule_lines(schedule, style))
            out.append("")
        if plan.segment_jobs:
            out.append("Segment jobs (at most 20 segments each):")
            for number, job in enumerate(plan.segment_jobs, 1):
                out.append(f"  job {number}: {', '.join(job.segments)}")
            out.append("")
        out.extend(evaluation_lines(plan))
        if plan.export_runs:
            out.append("Exports:")
            for run in plan.export_runs:
                out.append(f"  {run.export} -> dataset {run.dataset!r} "
                           f"[{', '.join(run.segments)}] ({terminal_line(run.reason)})")
            out.append("")
    if plan.estimates == ():
        out.append("Estimates: no new or changed segment to estimate.")
    if plan.unmanaged:
        out.append(f"Not declared any more (apply --prune deletes them): "
                   f"{', '.join(repr(n) for n in plan.unmanaged)}")
    if plan.foreign:
        owned = ", ".join(f"{f.kind} {f.name!r} ({f.project})" for f in plan.foreign[:_LISTED])
        more = len(plan.foreign) - _LISTED
        owned += f" and {more} more (`--format json` lists them all)" if more > 0 else ""
        out.append(f"Owned by other projects (never touched): {owned}")
    if plan.other_origins:
        shown = ", ".join(plan.other_origins[:_LISTED])
        more = len(plan.other_origins) - _LISTED
        out.append(f"Audiences of other origins, not managed by segctl: {shown}"
                   + (f" and {more} more" if more > 0 else ""))
    for warning in plan.warnings:
        out.append(style.paint(f"Warning: {terminal_line(warning.message)}", "yellow"))
    while out and not out[-1]:
        out.pop()
    out += ["", style.paint(plan.summary(), "bold")]
    return "\n".join(out) + "\n"


def evaluation_lines(plan: Plan) -> list[str]:
    """Evaluation work read from the sandbox's job history, and the on-demand ration."""
    out: list[str] = []
    if plan.awaiting:
        out.append("Awaiting evaluation (from the sandbox's job history):")
        out += [f"  {a.key}: {a.reason}" for a in plan.awaiting]
        out.append("")
    if plan.running_jobs:
        out.append("Running segment jobs (apply waits for them; no second job):")
        out += [f"  {job.id}: {', '.join(job.segments)}" for job in plan.running_jobs]
        out.append("")
    if plan.deferred:
        out.append("Left to the scheduled evaluation (on-demand ration spent):")
        out.append(f"  {', '.join(plan.deferred)}")
        out.append("")
    if plan.ration is not None and (plan.segment_jobs or plan.deferred):
        out.append(f"On-demand evaluation ration: {plan.ration.describe()}.")
        out.append("")
    return out


def _change_lines(change: SegmentChange, style: Style) -> list[str]:
    glyph = change.action.glyph
    head = f"  {glyph} segment {change.key!r}"
    extra = f" ({terminal_line(change.name)})" if change.name != change.key else ""
    if change.id:
        extra += f"  id={change.id}"
    lines = [style.action(change.action, head) + extra]
    if change.reason:
        lines.append(style.paint(f"{_INDENT}# {terminal_line(change.reason)}", "dim"))
    if change.depends_on:
        lines.append(style.paint(f"{_INDENT}# after: {', '.join(change.depends_on)}", "dim"))
    if change.action is Action.CREATE and change.desired is not None:
        values = desired_values(change)
        for name in CREATE_FIELDS:
            if values.get(name) is not None:
                lines.extend(_field_line("+", name, values[name], style, Action.CREATE))
    elif change.action in (Action.UPDATE, Action.REPLACE):
        for field in change.fields:
            lines.extend(_diff_lines(field, style))
    return lines


def _size_line(estimate: SizeEstimate, change: SegmentChange, style: Style) -> str:
    size = size_text(estimate)
    if not estimate.available:
        size = style.paint(size, "yellow")
    last = last_text(estimate.last, change.action, estimate)
    return f"{_INDENT}size: {size}; last evaluated: {last}"


def size_text(estimate: SizeEstimate) -> str:
    """``≈ N profiles (±M at 95% confidence, …)``, the exact count, or why there is none."""
    if not estimate.available or estimate.profiles is None:
        return f"unavailable ({estimate.reason})"
    if estimate.exact:
        total = estimate.total_profiles or estimate.profiles_read or 0
        return f"{estimate.profiles:,} profiles (exact: all {total:,} profiles read)"
    parts = []
    if estimate.margin is not None:
        parts.append(f"±{estimate.margin:,} at {estimate.confidence} confidence")
    if estimate.profiles_read and estimate.total_profiles:
        parts.append(f"sample of {estimate.profiles_read:,} of {estimate.total_profiles:,}")
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"≈ {estimate.profiles:,} profiles{detail}"


def last_text(last: LastSize | None, action: Action,
              estimate: SizeEstimate | None = None) -> str:
    """The size at the last evaluation, with when and how far the estimate moves it; or why
    there is none."""
    if last is None:
        return ("never (new segment)" if action is Action.CREATE
                else "unknown (no recent segment job counted it)")
    when = f" on {last.evaluated_at}" if last.evaluated_at else ""
    change = ""
    if estimate is not None and estimate.available and estimate.profiles is not None:
        approx = "" if estimate.exact else "≈ "
        change = f" (change {approx}{estimate.profiles - last.profiles:+,})"
    return f"{last.profiles:,} profiles{when}{change}"


def schedule_lines(change: ScheduleChange, style: Style) -> list[str]:
    """``~ schedule 'nightly'`` with its field diffs, or ``+ schedule`` with its values."""
    head = f"  {change.action.glyph} schedule {change.key!r}"
    extra = f" ({terminal_line(change.name)}, {change.type})"
    if change.id:
        extra += f"  id={terminal_line(change.id)}"
    lines = [style.action(change.action, head) + extra]
    if change.action is Action.CREATE:
        what = f"no {change.type} schedule" if change.export is None \
            else f"no schedule of export {terminal_line(change.export)}"
        lines.append(style.paint(f"{_INDENT}# the sandbox has {what}", "dim"))
        shown = [("schedule", change.schedule), ("state", change.state)]
        if change.export is not None:
            shown.append(("export", change.export))
        for name, value in shown:
            lines.extend(_field_line("+", name, terminal_line(value), style,
                                     Action.CREATE))
    if change.action is Action.REPLACE:
        lines.append(style.paint(f"{_INDENT}# its export changed: AEP patches only a "
                                 "schedule's state and time, so it is deleted and created "
                                 "anew", "dim"))
    for field in change.fields:
        lines.extend(_diff_lines(FieldChange(
            field.field, terminal_safe(field.before), terminal_safe(field.after)),
            style))
    return lines


def desired_values(change: SegmentChange) -> dict[str, Any]:
    """The values shown for a create: read back from the body apply sends (one record)."""
    want = change.desired
    assert want is not None
    return shown_values(segment_write(change), want.merge_policy, audience_write(change))


def show(value: Any, field: str = "") -> str:
    """A field's value as plan text shows it (terminal-safe: user text may hold escapes)."""
    if field == "pql" and isinstance(value, str):
        return terminal(value)
    return terminal(json.dumps(value, ensure_ascii=False))


def _field_line(sign: str, name: str, value: Any, style: Style, action: Action) -> list[str]:
    text = show(value, name)
    rows = text.splitlines() or [""]
    first = f"{_INDENT}{sign} {name}: {rows[0]}"
    rest = [f"{_INDENT}    {' ' * len(name)}{row}" for row in rows[1:]]
    return [style.action(action, row) for row in [first, *rest]]


def _diff_lines(field: FieldChange, style: Style) -> list[str]:
    before, after = show(field.before, field.field), show(field.after, field.field)
    if "\n" not in before + after and len(before) + len(after) < 70:
        return [style.action(Action.UPDATE, f"{_INDENT}~ {field.field}: {before} -> {after}")]
    if field.field == "pql" and isinstance(field.before, str) and isinstance(field.after, str):
        return _pql_diff_lines(field.before, field.after, style)
    lines = [style.action(Action.UPDATE, f"{_INDENT}~ {field.field}:")]
    lines += [style.paint(f"{_INDENT}    - {row}", "red") for row in before.splitlines() or [""]]
    lines += [style.paint(f"{_INDENT}    + {row}", "green") for row in after.splitlines() or [""]]
    return lines


def pql_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A rule change line by line, on both rules laid out as ``segctl fmt`` writes them:
    (" ", line) for context, ("-", line) and ("+", line) for the changed lines, so that a
    7 -> 14 days edit stands out."""
    from segctl.fmt import pql_lines  # only a rule change needs fmt's layout (and ruamel)

    old, new = pql_lines(before), pql_lines(after)
    rows: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                        autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [(" ", row) for row in old[i1:i2]]
        else:
            rows += [("-", row) for row in old[i1:i2]] + [("+", row) for row in new[j1:j2]]
    return rows


_SIGN_COLOURS = {"-": "red", "+": "green"}


def _pql_diff_lines(before: str, after: str, style: Style) -> list[str]:
    lines = [style.action(Action.UPDATE, f"{_INDENT}~ pql:")]
    for sign, row in pql_diff(before, after):
        text = f"{_INDENT}    {sign} {row}"
        lines.append(style.paint(text, _SIGN_COLOURS[sign]) if sign in _SIGN_COLOURS else text)
    return lines


_OUTCOME_MARK = {Outcome.OK: ("ok", "green"), Outcome.FAILED: ("FAILED", "red"),
                 Outcome.SKIPPED: ("skipped", "yellow")}


def render_report(report: ApplyReport, *, color: bool = False, seconds: float | None = None,
                  shown: Collection[ActionResult] = ()) -> str:
    """The end of apply: the actions the progress did not print already (each action is
    printed once), the notes, and the summary line with the total time."""
    style = Style(color)
    out: list[str] = []
    rest = [terminal_safe(r) for r in report.results if r not in shown]
    width = max((len(r.key) for r in rest), default=0)
    for result in rest:
        mark, colour = _OUTCOME_MARK[result.outcome]
        label = f"{result.kind} {result.action}"
        key = terminal_line(result.key)
        line = f"  {style.paint(f'{mark:<7}', colour)} {label:<18} {key:<{width}}"
        if result.id:
            line += f"  id={terminal_line(result.id)}"
        if result.detail:
            line += f"  {terminal_line(result.detail)}"
        out.append(line.rstrip())
    for note in report.notes:
        out.append(f"  note: {terminal_line(note)}")
    tail = report.summary()
    if seconds is not None:
        tail += f" Total time: {duration(seconds)}."
    out.append(style.paint(tail, "bold" if report.ok else "red"))
    return "\n".join(out) + "\n"


def duration(seconds: float) -> str:
    """``0.4s``, ``12s``, ``3m05s``: short enough for the end of a line."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"
