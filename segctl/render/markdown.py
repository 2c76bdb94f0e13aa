"""A plan as a pull-request comment: summary, a collapsible block per segment, a mermaid graph
of segment dependencies, jobs and exports. Kept under GitHub's comment limit (65,536) with a
margin: at most 60,000 characters, with a note saying what was left out."""

from __future__ import annotations

import json

from segctl.engine.model import Action, Plan, ScheduleChange, SegmentChange
from segctl.fmt import pql_lines
from segctl.render import escape
from segctl.render.text import (
    CREATE_FIELDS,
    desired_values,
    last_text,
    pql_diff,
    show,
    size_text,
    where,
)

MAX_CHARS = 60_000
MAX_EDGES = 150
MAX_LISTED = 25  # jobs, exports and names listed in full; the rest are counted
_RESERVE = 600  # room kept for the truncation note and the closing sections


def render_plan(plan: Plan, *, limit: int = MAX_CHARS) -> str:
    head = [f"### segctl plan for {escape.md(where(plan))}", "", f"**{plan.summary()}**", ""]
    if not plan.has_changes:
        head += ["No changes: the sandbox matches the files.", ""]
    if plan.warnings:
        head += ["> [!WARNING]"] + [f"> {escape.md(w.message)}  " for w in plan.warnings] + [""]
    tail = _tail(plan)
    budget = limit - _RESERVE - len("\n".join(head + tail))
    blocks: list[str] = []
    shown = 0
    changes = plan.actionable
    for change in changes:
        block = _details(change)
        if len(block) + 1 > budget:
            break
        blocks.append(block)
        budget -= len(block) + 1
        shown += 1
    if shown < len(changes):
        blocks.append(
            f"> **Truncated:** {len(changes) - shown} of {len(changes)} changes are not shown "
            f"(the comment is kept under {limit:,} characters). "
            "Run `segctl plan` for the full plan."
        )
    body = "\n".join([*head, *blocks, "", *tail]).rstrip() + "\n"
    return body if len(body) <= limit else body[: limit - 40] + "\n\n> **Truncated.**\n"


def _details(change: SegmentChange) -> str:
    title = f"<code>{change.action.glyph}</code> <b>{escape.html(change.key)}</b>"
    if change.name != change.key:
        title += f" — {escape.html(change.name)}"
    title += f" ({change.action.value})"
    lines = ["<details>", f"<summary>{title}</summary>", ""]
    if change.reason:
        lines += [f"_{escape.md(change.reason)}_", ""]
    diff: list[str] = []
    if change.action is Action.CREATE and change.desired is not None:
        values = desired_values(change)  # the same fields as the text plan, in its order
        for name in CREATE_FIELDS:
            if values.get(name) is not None:
                diff += _prefixed(f"+ {name}: ", show(values[name], name))
    elif change.action is Action.DELETE:
        diff.append(f"- segment {show(change.name)} (id {change.id})")
    for field in change.fields:
        if field.field == "pql" and isinstance(field.before, str) \
                and isinstance(field.after, str) \
                and len(pql_lines(field.before)) + len(pql_lines(field.after)) > 2:
            diff += ["  pql:", *(row for sign, text in pql_diff(field.before, field.after)
                                 for row in _prefixed(f"{sign}   ", text))]
            continue
        diff += _prefixed(f"- {field.field}: ", show(field.before, field.field))
        diff += _prefixed(f"+ {field.field}: ", show(field.after, field.field))
    if diff:
        lines += [escape.fence("\n".join(diff), "diff"), ""]
    lines.append("</details>")
    return "\n".join(lines)


def _prefixed(prefix: str, text: str) -> list[str]:
    rows = text.splitlines() or [""]
    pad = prefix[0] + " " * (len(prefix) - 1)
    return [prefix + rows[0], *[pad + row for row in rows[1:]]]


def _tail(plan: Plan) -> list[str]:
    out: list[str] = _estimates(plan)
    graph = _mermaid(plan)
    if graph:
        out += ["#### Segment dependencies", "", *graph, ""]
    if plan.schedules_to_write:
        out += ["#### Schedules", ""]
        out += [_schedule_item(s) for s in plan.schedules_to_write]
        out.append("")
    if plan.segment_jobs:
        out += ["#### Segment jobs", ""]
        out += [f"{n}. {', '.join(escape.code(k) for k in job.segments)}"
                for n, job in enumerate(plan.segment_jobs[:MAX_LISTED], 1)]
        out += _more(len(plan.segment_jobs), "segment jobs")
        out.append("")
    out += _evaluation(plan)
    creates = [d for d in plan.datasets if d.action is Action.CREATE]
    retags = any(d.action is Action.UPDATE for d in plan.datasets)
    if plan.export_runs or creates or plan.datasets_to_delete or retags:
        out += ["#### Exports", ""]
        out += [f"- new dataset **{escape.md(d.name)}** (for {escape.code(d.export)})"
                for d in creates]
        out += [f"- re-tag dataset **{escape.md(d.name)}** ({escape.md(d.reason)})"
                for d in plan.datasets if d.action is Action.UPDATE]
        out += [f"- delete dataset **{escape.md(d.name)}** (export {escape.code(d.export)} "
                "no longer exports into it)" for d in plan.datasets if d.action is Action.DELETE]
        out += [f"- {escape.code(r.export)} → **{escape.md(r.dataset)}** ({escape.md(r.reason)})"
                for r in plan.export_runs[:MAX_LISTED]]
        out += _more(len(plan.export_runs), "exports")
        out.append("")
    if plan.unmanaged:
        names = ", ".join(escape.md(n) for n in plan.unmanaged[:MAX_LISTED])
        extra = len(plan.unmanaged) - MAX_LISTED
        names += f" and {extra} more" if extra > 0 else ""
        out += [f"Not declared any more (`apply --prune` deletes them): {names}", ""]
    if plan.foreign:
        owned = ", ".join(f"{escape.md(f.kind)} **{escape.md(f.name)}** "
                          f"({escape.code(f.project)})"
                          for f in plan.foreign[:MAX_LISTED])
        extra = len(plan.foreign) - MAX_LISTED
        owned += f" and {extra} more" if extra > 0 else ""
        out += [f"Owned by other projects (never touched): {owned}", ""]
    if plan.other_origins:
        names = ", ".join(escape.md(n) for n in plan.other_origins[:MAX_LISTED])
        extra = len(plan.other_origins) - MAX_LISTED
        names += f" and {extra} more" if extra > 0 else ""
        out += [f"Audiences of other origins, not managed by segctl: {names}", ""]
    return out


def _evaluation(plan: Plan) -> list[str]:
    """Awaiting evaluation, running jobs, deferred segments and the on-demand ration."""
    out: list[str] = []
    if plan.awaiting:
        out += ["#### Awaiting evaluation", ""]
        out += [f"- {escape.code(a.key)}: {escape.md(a.reason)}"
                for a in plan.awaiting[:MAX_LISTED]]
        out += _more(len(plan.awaiting), "segments")
        out.append("")
    if plan.running_jobs:
        out += ["#### Running segment jobs (apply waits for them)", ""]
        out += [f"- {escape.code(j.id)}: {', '.join(escape.code(k) for k in j.segments)}"
                for j in plan.running_jobs[:MAX_LISTED]]
        out += _more(len(plan.running_jobs), "running jobs")
        out.append("")
    if plan.deferred:
        shown = ", ".join(escape.code(k) for k in plan.deferred[:MAX_LISTED])
        extra = len(plan.deferred) - MAX_LISTED
        shown += f" and {extra} more" if extra > 0 else ""
        out += [f"**Left to the scheduled evaluation** (on-demand ration spent): {shown}", ""]
    if plan.ration is not None and (plan.segment_jobs or plan.deferred):
        out += [f"**On-demand evaluation ration:** {escape.md(plan.ration.describe())}.", ""]
    return out
def _schedule_item(change: ScheduleChange) -> str:
    """One list item per schedule write: what changes, from what to what (user and sandbox
    text escaped: the cron goes in code spans)."""
    head = (f"- {escape.code(change.action.glyph)} schedule **{escape.md(change.key)}** "
            f"({escape.md(change.name)}, {escape.code(change.type)})")
    runs = "" if change.export is None else f" running export **{escape.md(change.export)}**"
    if change.action is Action.CREATE:
        return (f"{head}{runs}: create it (the sandbox has none): "
                f"{escape.code(change.schedule)}, {escape.code(change.state)}")
    moves = "; ".join(f"{escape.md(f.field)} {escape.code(_text(f.before))} → "
                      f"{escape.code(_text(f.after))}" for f in change.fields)
    if change.action is Action.REPLACE:
        return f"{head}{runs}: replace it (AEP patches only state and time): {moves}"
    return f"{head}{runs}: {moves}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _estimates(plan: Plan) -> list[str]:
    """``plan --estimate``: a table of sizes (estimate beside the last evaluated size)."""
    if plan.estimates is None:
        return []
    out = ["#### Estimated audience sizes", ""]
    if not plan.estimates:
        return [*out, "No new or changed segment to estimate.", ""]
    actions = {c.key: c.action for c in plan.changes}
    out += ["| Segment | Estimated size | Last evaluated |", "| --- | --- | --- |"]
    for estimate in plan.estimates[:MAX_LISTED]:
        size = size_text(estimate)
        if not estimate.available:
            size = f"⚠️ {size}"
        last = last_text(estimate.last, actions.get(estimate.key, Action.UPDATE), estimate)
        out.append(f"| <b>{_cell(estimate.key)}</b> | {_cell(size)} | {_cell(last)} |")
    out += _more(len(plan.estimates), "estimates")
    out.append("")
    return out


def _cell(text: str) -> str:
    """User or API text inside a table cell: no pipe, line break or markup (render.escape)."""
    return escape.md(text)


def _more(total: int, what: str) -> list[str]:
    return ["", f"_… and {total - MAX_LISTED} more {what} (see `segctl plan`)._"] \
        if total > MAX_LISTED else []


def _mermaid(plan: Plan) -> list[str]:
    changes = {c.key: c for c in plan.changes if c.desired is not None}
    edges = [(c.key, ref) for c in changes.values() if c.desired is not None
             for ref in c.desired.refs if ref in changes]
    if not edges:
        return []
    shown = edges[:MAX_EDGES]
    ids: dict[str, str] = {}
    for a, b in shown:
        for key in (a, b):
            ids.setdefault(key, f"s{len(ids)}")
    lines = ["```mermaid", "graph LR"]
    for key, node in ids.items():
        lines.append(f'  {node}["{escape.mermaid(key)}"]:::{_css(changes[key].action)}')
    lines += [f"  {ids[b]} --> {ids[a]}" for a, b in shown]
    lines += ["  classDef create fill:#d4f7d4", "  classDef update fill:#fff3c4",
              "  classDef replace fill:#f7d4d4", "  classDef noop fill:#eeeeee", "```"]
    if len(edges) > MAX_EDGES:
        lines.append(f"_{len(edges) - MAX_EDGES} more dependencies not drawn._")
    return lines


def _css(action: Action) -> str:
    return {"no-op": "noop"}.get(action.value, action.value)
