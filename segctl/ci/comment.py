"""The plan as a sticky pull-request comment (pure).

Order: marker, title, run line, verdict, replace warnings and plan warnings, blast radius,
quota, one ``<details>`` block per changed segment (PQL as a word-level diff), the dependency
graph cut to the changed subgraph, jobs, exports, and where the full plan is. The body stays
within a byte budget (GitHub refuses bodies over 65,536 characters; 60,000 UTF-8 bytes is
safe for any text): segment blocks are dropped whole, last first, with a note; the marker is
never dropped. The same composition with a 1 MiB budget is the job summary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl.ci.blast import indirect, subgraph
from segctl.ci.marker import render_marker
from segctl.ci.quota import quota_figure, quota_line
from segctl.ci.worddiff import word_diff
from segctl.engine import Action, ApplyReport, Outcome, Plan, SegmentChange
from segctl.render import text as text_render
from segctl.render.escape import code, html, html_lines, md, mermaid

COMMENT_BUDGET = 60_000
SUMMARY_BUDGET = 1_000_000
MAX_LISTED = 25
MAX_LINE = 1_000  # one warning or list line, in characters
_CREATE_FIELDS = ("name", "description", "schema", "ttl_in_days", "merge_policy",
                  "evaluation", "labels", "protect")


@dataclass(frozen=True)
class Header:
    """Where the plan comes from: shown under the title, and the run line is volatile."""

    command: str = "plan"
    env: str = "local"
    path: str = "segments"
    head_sha: str = ""
    base_sha: str = ""
    run_url: str = ""
    run_number: str = ""
    artifact: str = ""


def nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def compose(marker_fields: Mapping[str, Any] | None, header: Header, head: Sequence[str],
            blocks: Sequence[str], tail: Sequence[str], *, budget: int,
            dropped_note: str) -> str:
    """Marker, run line, ``head`` sections, as many ``blocks`` as fit in ``budget`` bytes
    (dropped whole, with a note), then the ``tail`` sections.

    The marker records a hash of everything but the run line, so an unchanged plan is
    recognised (and not re-sent) from another run.
    """
    run = _run_line(header)
    fixed = [s for s in (*head, *tail) if s]
    room = budget - sum(nbytes(s) + 2 for s in fixed) - nbytes(run) - 1_500  # marker, note
    kept: list[str] = []
    for block in blocks:
        size = nbytes(block) + 2
        if size > room:
            break
        kept.append(block)
        room -= size
    note = []
    if len(kept) < len(blocks):
        note = [f"> [!NOTE]\n> {len(blocks) - len(kept)} of {len(blocks)} segment blocks are "
                f"left out to stay under GitHub's comment limit. {dropped_note}"]
    content = "\n\n".join(s for s in (*head, *kept, *note, *tail) if s)
    marker = "" if marker_fields is None else render_marker(
        {**marker_fields, "hash": content_hash(content)})
    body = "\n\n".join(p for p in (f"{marker}\n{run}".strip(), content) if p) + "\n"
    if nbytes(body) > budget:  # the sections alone overran: cut, keeping the marker
        cut = body.encode("utf-8")[: budget - 100].decode("utf-8", "ignore")
        body = cut + "\n\n> **Truncated** to stay under GitHub's comment limit.\n"
    return body


def _run_line(header: Header) -> str:
    bits = []
    if header.head_sha:
        bits.append(f"head `{header.head_sha[:7]}`")
    if header.base_sha:
        bits.append(f"base `{header.base_sha[:7]}`")
    if header.run_url:
        bits.append(f"[run {md(header.run_number or 'link')}]({header.run_url})")
    return " · ".join(bits)


def plan_sections(plan: Plan, header: Header) -> tuple[list[str], list[str], list[str]]:
    """(head sections, one block per changed segment, tail sections) of a plan comment."""
    title = (f"### segctl {md(header.command)} · {code(header.env)} · "
             f"{code(header.path)}")
    verdict = f"**{md(plan.summary())}**"
    if not plan.has_work:
        verdict += "\n\nNo changes: the sandbox matches the files."
    elif not plan.has_changes:
        verdict += ("\n\nNo definition changes: the sandbox matches the files, but apply "
                    "would still stamp ownership markers or run the jobs and exports below.")
    dependents = indirect(plan)
    head = [f"{title}\n\n{verdict}", _warnings(plan), _blast(dependents), _sizes(plan),
            quota_line(quota_figure(plan))]
    blocks = [segment_block(change) for change in plan.actionable]
    return head, blocks, _tail(plan, set(dependents), header)


def plan_comment(plan: Plan, header: Header, marker_fields: Mapping[str, Any] | None, *,
                 budget: int = COMMENT_BUDGET, extra: Sequence[str] = ()) -> str:
    """The comment body; ``extra`` sections (an apply verdict) go right after the title."""
    head, blocks, tail = plan_sections(plan, header)
    note = ("The full plan is in the job summary"
            + (f" and the workflow artifact {code(header.artifact)}."
               if header.artifact else "."))
    return compose(marker_fields, header, [head[0], *extra, *head[1:]], blocks, tail,
                   budget=budget, dropped_note=note)


def _line(text: str) -> str:
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + "…"


def _warnings(plan: Plan) -> str:
    lines: list[str] = []
    for change in plan.changes:
        if change.action is Action.REPLACE:
            lines.append(f"> **{md(change.key)}** is replaced: the new definition gets a "
                         "new id, which breaks destination mappings to the old one and resets "
                         "its membership until it is evaluated again.")
    lines += [f"> {md(_line(w.message))}" for w in plan.warnings[:MAX_LISTED]]
    if len(plan.warnings) > MAX_LISTED:
        lines.append(f"> … and {len(plan.warnings) - MAX_LISTED} more warnings.")
    if not lines:
        return ""
    kind = "CAUTION" if any(c.action is Action.REPLACE for c in plan.changes) else "WARNING"
    return "\n>\n".join([f"> [!{kind}]", *lines])


def _blast(dependents: Mapping[str, tuple[str, ...]]) -> str:
    if not dependents:
        return ""
    rows = [f"- **{md(key)}** through {', '.join(code(o) for o in via)}"
            for key, via in list(dependents.items())[:MAX_LISTED]]
    if len(dependents) > MAX_LISTED:
        rows.append(f"- … and {len(dependents) - MAX_LISTED} more")
    return "#### Membership changes indirectly\n\n" + "\n".join(rows)


def _sizes(plan: Plan) -> str:
    """``--estimate``: each new or changed segment's estimated size beside its last one."""
    if not plan.estimates:
        return ""
    actions = {c.key: c.action for c in plan.changes}
    rows = ["| segment | estimated size | last evaluated |", "| --- | --- | --- |"]
    for estimate in plan.estimates[:MAX_LISTED]:
        size = text_render.size_text(estimate)
        last = text_render.last_text(estimate.last, actions.get(estimate.key, Action.UPDATE))
        warn = "" if estimate.available else "⚠️ "
        rows.append(f"| **{md(estimate.key)}** | {warn}{md(_line(size))} | "
                    f"{md(_line(last))} |")
    if len(plan.estimates) > MAX_LISTED:
        rows.append(f"| … and {len(plan.estimates) - MAX_LISTED} more | | |")
    return "#### Audience sizes\n\n" + "\n".join(rows)


def segment_block(change: SegmentChange) -> str:
    title = f"<code>{change.action.glyph}</code> <b>{html(change.key)}</b>"
    if change.name != change.key:
        title += f" — {html(change.name)}"
    title += " (adopt)" if change.adopt_only else f" ({change.action.value})"
    lines = ["<details>", f"<summary>{title}</summary>", ""]
    if change.reason:
        lines += [f"<p><i>{html(_line(change.reason))}</i></p>", ""]
    if change.action is Action.CREATE and change.desired is not None:
        want = change.desired
        rows = [f"+ {name}: {json.dumps(getattr(want, name), ensure_ascii=False)}"
                for name in _CREATE_FIELDS if getattr(want, name) not in (None, "", ())]
        lines += [f"<pre>{html_lines(chr(10).join(rows))}</pre>", "",
                  "PQL:", "", f"<pre>{html_lines(want.pql)}</pre>"]
    elif change.action is Action.DELETE:
        lines.append(f"<pre>- segment {html(json.dumps(change.name, ensure_ascii=False))}"
                     "</pre>")
    for field in change.fields:
        if field.field == "pql" and isinstance(field.before, str) and isinstance(field.after, str):
            lines += ["PQL:", "", word_diff(field.before, field.after)]
        else:
            before = json.dumps(field.before, ensure_ascii=False)
            after = json.dumps(field.after, ensure_ascii=False)
            lines.append(f"<pre>- {html(field.field)}: {html(before)}\n"
                         f"+ {html(field.field)}: {html(after)}</pre>")
    if lines[-1] != "":
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def _tail(plan: Plan, dependents: set[str], header: Header) -> list[str]:
    out: list[str] = []
    edges = subgraph(plan, dependents)
    if edges:
        out.append("#### Changed dependencies\n\n" + "\n".join(_mermaid(plan, edges)))
    if plan.segment_jobs:
        jobs = [f"{n}. {', '.join(code(k) for k in job.segments)}"
                for n, job in enumerate(plan.segment_jobs[:MAX_LISTED], 1)]
        out.append("#### Segment jobs\n\n" + "\n".join(_cap(jobs, len(plan.segment_jobs))))
    rows = [f"- new dataset **{md(d.name)}** (for {code(d.export)})"
            for d in plan.datasets if d.action is Action.CREATE]
    rows += [f"- delete dataset **{md(d.name)}** (export {code(d.export)} "
             "no longer declared)" for d in plan.datasets if d.action is Action.DELETE]
    rows += [f"- {code(r.export)} → **{md(r.dataset)}** ({md(r.reason)})"
             for r in plan.export_runs[:MAX_LISTED]]
    if rows:
        out.append("#### Exports\n\n" + "\n".join(_cap(rows, len(rows))))
    if plan.unmanaged:
        names = ", ".join(md(n) for n in plan.unmanaged[:MAX_LISTED])
        more = len(plan.unmanaged) - MAX_LISTED
        out.append("Not declared any more (`apply --prune` deletes them): " + names
                   + (f" and {more} more" if more > 0 else ""))
    if header.artifact:
        out.append(f"<sub>Full plan: the job summary and the artifact "
                   f"{code(header.artifact)}.</sub>")
    return out


def _cap(rows: list[str], total: int) -> list[str]:
    return rows[:MAX_LISTED] + ([f"- … and {total - MAX_LISTED} more"]
                                if total > MAX_LISTED else [])


def _mermaid(plan: Plan, edges: list[tuple[str, str]]) -> list[str]:
    actions = {c.key: c.action for c in plan.changes}
    shown = edges[:150]
    ids: dict[str, str] = {}
    for a, b in shown:
        for key in (a, b):
            ids.setdefault(key, f"s{len(ids)}")
    lines = ["```mermaid", "graph LR"]
    for key, node in ids.items():
        css = {"no-op": "indirect"}.get(actions[key].value, actions[key].value)
        lines.append(f'  {node}["{mermaid(key)}"]:::{css}')
    lines += [f"  {ids[b]} --> {ids[a]}" for a, b in shown]
    lines += ["  classDef create fill:#d4f7d4", "  classDef update fill:#fff3c4",
              "  classDef replace fill:#f7d4d4", "  classDef delete fill:#f7d4d4",
              "  classDef indirect fill:#e4ecff", "```"]
    if len(edges) > len(shown):
        lines.append(f"_{len(edges) - len(shown)} more dependencies not drawn._")
    return lines


_OUTCOME = {Outcome.OK: "✅ ok", Outcome.FAILED: "❌ failed", Outcome.SKIPPED: "⏭️ skipped"}


def report_markdown(report: ApplyReport, *, limit: int = 2_000) -> str:
    """An apply report as a markdown table (what `render_report` prints as text)."""
    rows = ["| result | what | key | detail |", "| --- | --- | --- | --- |"]
    for result in report.results[:limit]:
        rows.append(f"| {_OUTCOME[result.outcome]} | {md(result.kind)} "
                    f"{md(result.action)} | {md(result.key)} | "
                    f"{md(_line(result.detail))} |")
    if len(report.results) > limit:
        rows.append(f"| | | … and {len(report.results) - limit} more | |")
    notes = [f"- {md(note)}" for note in report.notes]
    return "\n".join(["#### Apply report", "", f"**{md(report.summary())}**", "",
                      *rows, *(["", *notes] if notes else [])]) + "\n"


def applied_line(report: ApplyReport, run_number: str, run_url: str) -> str:
    """The line a reviewed plan comment gains after apply."""
    run = f"[run {md(run_number)}]({run_url})" if run_url else f"run {run_number}"
    verdict = "Applied" if report.ok else "Apply failed"
    return f"**{verdict} in {run}:** {md(report.summary())}"
