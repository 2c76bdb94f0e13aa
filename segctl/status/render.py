"""``segctl status`` as a text table or as the JSON document of REPORT_FORMATS.md."""

from __future__ import annotations

import json
from dataclasses import asdict

from segctl.status.model import STATUS_FORMAT_VERSION, Status


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return lines


def render_text(status: Status, where: str) -> str:
    out = [f"Live segments in {where}:"]
    if status.segments:
        rows = [[r.key or "-", r.id,
                 f"{r.owner} ({r.owner_project})" if r.owner == "another project"
                 else r.owner, r.evaluation,
                 r.last_evaluated or ("never" if r.evaluation == "batch" else "continuous"),
                 "yes" if r.awaiting_evaluation else "no",
                 "-" if r.size is None else f"{r.size:,}"] for r in status.segments]
        out += _table(["KEY", "ID", "OWNER", "EVALUATION", "LAST EVALUATED", "AWAITING",
                       "SIZE"], rows)
    else:
        out.append("  (none)")
    if status.not_live:
        out.append(f"Declared but not live yet (segctl plan creates them): "
                   f"{', '.join(status.not_live)}")
    out.append("")
    out.append("Datasets owned by segctl:")
    if status.datasets:
        rows = [[d.name, d.id, d.export or "-",
                 (f"{d.last_export_status} {d.last_export_time or ''}".strip()
                  if d.last_export_status else "never"),
                 "-" if d.exported_profiles is None else f"{d.exported_profiles:,}"]
                for d in status.datasets]
        out += _table(["DATASET", "ID", "EXPORT", "LAST EXPORT", "PROFILES"], rows)
    else:
        out.append("  (none)")
    mine = sum(1 for r in status.segments if r.owner == "this project")
    waiting = sum(1 for r in status.segments if r.awaiting_evaluation and r.owner == "this project")
    out += ["", f"{mine} segment(s) of this project live, {waiting} awaiting evaluation; "
                f"{len(status.segments) - mine} other; {len(status.datasets)} owned dataset(s)."]
    return "\n".join(out) + "\n"


def render_json(status: Status, target: dict[str, str | None]) -> str:
    doc = {
        "format_version": STATUS_FORMAT_VERSION,
        "target": target,
        "segments": [asdict(r) for r in status.segments],
        "not_live": list(status.not_live),
        "datasets": [asdict(d) for d in status.datasets],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
