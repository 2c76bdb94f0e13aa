"""`kind: Schedule` of type export, end to end through the real entry point: apply creates the
schedule beside its export, the next plan is empty, `segctl sandbox advance 1d` runs it (after
the nightly evaluation) and the export's dataset gets a new batch from that scheduled run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from segctl.sandbox import LocalSandbox

from .conftest import Run

PROJECT = {
    "project.yaml": "kind: Project\nname: journey\n",
    "women.yaml": 'kind: Segment\nkey: women\nname: Women\npql: person.gender = "female"\n',
    "export.yaml": ("kind: Export\nkey: women-daily\nsegments: [women]\n"
                    "dataset: Women export\nfields: [person.gender]\n"),
    "schedule.yaml": ("kind: Schedule\nkey: women-nightly\ntype: export\n"
                      'export: women-daily\nschedule: "0 0 3 * * ?"\n'),
}


def _write(root: Path, files: dict[str, str]) -> None:
    shutil.rmtree(root)
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _dataset_and_jobs(workdir: Path) -> tuple[dict, list[dict]]:
    app = LocalSandbox(workdir / ".segctl")
    try:
        [dataset] = [d for _, d in app.store.all_scopes("dataset")
                     if d["name"] == "Women export"]
        jobs = [j for _, j in app.store.all_scopes("exportjob")]
        return dataset, sorted(jobs, key=lambda j: j["id"])
    finally:
        app.close()


def test_apply_then_advance_runs_the_export_into_a_new_batch(workdir: Path, run: Run) -> None:
    _write(workdir / "segments", PROJECT)
    code, out, err = run("plan", "segments")
    assert code == 0, err
    assert "  + schedule 'women-nightly' (segctl export women-daily, export)" in out
    assert '      + export: "women-daily"' in out

    code, out, err = run("apply", "segments", "--auto-approve")
    assert code == 0, err
    assert "ok: schedule create women-nightly" in err
    code, out, _ = run("plan", "segments", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out

    dataset, jobs = _dataset_and_jobs(workdir)
    assert [j.get("source") for j in jobs] == [None]  # apply's own export run
    first_batch = dataset["lastSuccessfulBatch"]

    code, out, err = run("sandbox", "advance", "1d")
    assert code == 0, err
    assert "Started scheduled segment job" in out  # the nightly 01:00 evaluation
    assert "Started scheduled export job" in out  # and the 03:00 export
    # in time order over the day just passed: the evaluation first, unless the day ended
    # between 01:00 and 03:00 (then yesterday's 03:00 export came before today's 01:00 run)
    now = re.search(r"Sandbox time is now \d{4}-\d\d-\d\dT(\d\d):", out)
    assert now is not None, out
    evaluation_first = not 1 <= int(now.group(1)) < 3
    assert (out.index("segment job") < out.index("export job")) == evaluation_first
    assert "2 scheduled job(s) finished." in out

    dataset, jobs = _dataset_and_jobs(workdir)
    scheduled = jobs[-1]
    assert scheduled["source"] == "scheduler" and scheduled["status"] == "SUCCEEDED"
    assert dataset["lastSuccessfulBatch"] == scheduled["destination"]["batchId"] != first_batch
    code, out, err = run("dataset", "preview", "--export", "women-daily", "--format", "json",
                         "--project", "segments")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r["person"]["gender"] == "female" for r in rows)

    # the scheduled run is an export of what the files declare: nothing left to do
    code, out, _ = run("plan", "segments", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes."), out


def test_targeting_the_schedule_brings_its_export(workdir: Path, run: Run) -> None:
    _write(workdir / "segments", PROJECT)
    code, out, err = run("plan", "segments", "--target", "women-nightly", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert [s["key"] for s in doc["schedules"]] == ["women-nightly"]
    assert [c["key"] for c in doc["segment_changes"]] == ["women"]
    assert [d["export"] for d in doc["datasets"]] == ["women-daily"]
