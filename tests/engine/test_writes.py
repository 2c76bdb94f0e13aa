"""Reviewed = applied: every write apply sends is one of the plan's recorded writes, with the
same body, and appears in the rendered plan. Requests are captured on the wire."""

from __future__ import annotations

import json
from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.engine import apply_plan, build_plan, planned_writes
from segctl.engine.writes import resolve_refs
from segctl.project import load_project
from segctl.render import render_plan
from segctl.sandbox import LocalSandbox

from .conftest import write_project
from .test_apply import FAST, Recording, converge

DEFINITIONS = "/data/core/ups/segment/definitions"


def _writes_sent(rec: Recording) -> list[tuple[str, str, object]]:
    return [(m, p, b) for m, p, b in rec.calls if m in ("POST", "PATCH", "PUT", "DELETE")]


def test_every_write_sent_is_recorded_and_rendered(example: Path, sandbox: LocalSandbox,
                                                    tmp_path: Path) -> None:
    rec = Recording(sandbox.transport())
    with AepClient(AepConfig.local(), transport=rec) as aep:
        converge(example, aep)
        ids = {d["name"]: d["id"] for d in aep.list_segment_definitions()}
        # an update (pql and name), a delete (with prune), a create and a new dataset
        changed = write_project(tmp_path / "changed", {"c.yaml": """\
            kind: Segment
            key: female-customers
            name: Women
            description: Profiles whose gender is female.
            pql: person.gender = "female" and person.birthYear > 1950
            ---
            kind: Segment
            key: gold-members
            name: Gold loyalty members
            pql: loyalty.tier = "gold"
            ---
            kind: Segment
            key: platinum
            name: Platinum members
            pql: loyalty.tier = "platinum" and inSegment("key:gold-members")
            ---
            kind: Export
            key: platinum-daily
            segments: [platinum]
            dataset: Platinum
            """})
        plan = build_plan(load_project(changed), aep, prune=True)
        text = render_plan(plan, "text")
        writes = planned_writes(plan)
        rec.calls.clear()
        report = apply_plan(plan, aep, FAST)
        assert report.ok, report.results
        sent = _writes_sent(rec)

    key_to_id = {**{c.key: c.id for c in plan.changes if c.id}}
    key_to_id["platinum"] = next(r.id for r in report.results
                                 if r.kind == "segment" and r.key == "platinum")
    definition_writes = [(m, p, b) for m, p, b in sent if p.startswith(DEFINITIONS)]
    assert len(definition_writes) == sum(1 for w in writes if w.kind == "segment")
    for method, path, body in definition_writes:
        if method == "POST":
            write = next(w for w in writes if w.verb == "create" and w.kind == "segment"
                         and w.body is not None and w.body["name"] == body["name"])
        else:
            write = next(w for w in writes if w.id == path.rsplit("/", 1)[1])
            assert write.id is not None and f"id={write.id}" in text
        if write.body is not None:
            assert isinstance(body, dict)
            sent_body = {k: v for k, v in body.items() if k != "id"}  # PATCH names its id
            assert sent_body == resolve_refs(write.body, lambda k: str(key_to_id[k]))
            assert f"segment {write.key!r}" in text
        else:
            assert method == "DELETE" and f"- segment {write.key!r}" in text
    assert ids["Female gold members"] in {p.rsplit("/", 1)[1] for m, p, _ in definition_writes
                                          if m == "DELETE"}
    # the update's reviewed values are the values sent
    patch = next(b for m, p, b in definition_writes if m == "PATCH")
    assert isinstance(patch, dict)
    assert "~ name: \"All Female Customers\" -> \"Women\"" in text
    assert patch["name"] == "Women"
    assert patch["expression"]["value"] in text
    # datasets and jobs: each one sent is listed
    datasets = [b for m, p, b in sent if m == "POST" and p.endswith("/dataSets")]
    assert [d["name"] for d in datasets if isinstance(d, dict)] == ["Platinum"]
    assert "+ dataset 'Platinum'" in text
    assert [w.body for w in writes if w.kind == "dataset" and w.verb == "create"] == datasets
    dropped = [p.rsplit("/", 1)[1] for m, p, _ in sent if m == "DELETE" and "/dataSets/" in p]
    assert dropped == [w.id for w in writes if w.kind == "dataset" and w.verb == "delete"]
    assert all(f"- dataset {w.key!r}" in text for w in writes if w.verb == "delete"
               and w.kind == "dataset")
    exports = [b for m, p, b in sent if m == "POST" and p.endswith("/export/jobs")]
    assert len(exports) == len(plan.export_runs) and "platinum-daily -> dataset 'Platinum'" in text
    jobs = [b for m, p, b in sent if m == "POST" and p.endswith("/segment/jobs")]
    assert len(jobs) == len(plan.segment_jobs)
    for job in plan.segment_jobs:
        assert ", ".join(job.segments) in text
    other = [(m, p) for m, p, b in sent if not p.startswith(DEFINITIONS) and "/dataSets/" not in p
             and not p.endswith(("/dataSets", "/export/jobs", "/segment/jobs"))]
    assert other == [], other  # nothing else was written


def test_create_values_shown_are_read_from_the_body(example: Path, client: AepClient) -> None:
    plan = build_plan(load_project(example), client)
    text = render_plan(plan, "text")
    for write in planned_writes(plan):
        if write.kind == "segment" and write.body is not None:
            assert f"+ name: {json.dumps(write.body['name'])}" in text
            assert f"+ pql: {write.body['expression']['value']}" in text


def test_an_unreadable_profile_schema_is_a_warning(example: Path, sandbox: LocalSandbox) -> None:
    import httpx

    class NoRegistry(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if "/schemaregistry/" in request.url.path:
                return httpx.Response(403, json={"error_code": "403027",
                                                 "message": "User region is missing"})
            return sandbox.transport().handle_request(request)

    with AepClient(AepConfig.local(), transport=NoRegistry()) as aep:
        plan = build_plan(load_project(example), aep)
    assert [w.code for w in plan.warnings if w.code == "fields-unchecked"] == ["fields-unchecked"]
    assert plan.changes  # the plan itself is made
