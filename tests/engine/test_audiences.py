"""segctl against the Audiences API of the local sandbox: it reads live state through
/audiences, writes labels, TTL and lifecycle where AEP keeps them (the audience), lists audiences
of other origins as unmanaged and never adopts, updates or prunes them."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import httpx

from segctl.aep import AepClient, AepConfig
from segctl.engine import Action, apply_plan, build_plan, marker, planned_writes
from segctl.project import load_project
from segctl.sandbox import LocalSandbox

from .conftest import write_project

LABELLED = {
    "vip.yaml": """\
        kind: Segment
        key: vip
        name: VIP customers
        pql: person.gender = "female"
        ttlInDays: 30
        labels: [C1, C2]
        lifecycle: inactive
        ---
        kind: Segment
        key: plain
        name: Plain customers
        pql: person.gender = "male"
        """,
}


def _plan(root: Path, client: AepClient, prune: bool = False) -> Any:
    return build_plan(load_project(root), client, prune=prune)


class Recorder(httpx.BaseTransport):
    """The sandbox's transport, recording (method, path) of every request."""

    def __init__(self, sandbox: LocalSandbox) -> None:
        self.inner = sandbox.transport()
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return self.inner.handle_request(request)


def test_create_shows_labels_ttl_and_lifecycle_on_the_audience(
        tmp_path: Path, sandbox: LocalSandbox, client: AepClient) -> None:
    root = write_project(tmp_path / "p", LABELLED)
    report = apply_plan(_plan(root, client), client)
    assert report.ok, report
    audiences = {a["name"]: a for a in client.list_audiences()}
    vip = audiences["VIP customers"]
    assert (vip["labels"], vip["ttlInDays"], vip["lifecycleState"]) == (["C1", "C2"], 30,
                                                                       "inactive")
    assert vip["originName"] == "REAL_TIME_CUSTOMER_PROFILE"
    mark = marker.parse(vip["description"])[1]  # the marker, where both APIs show it
    assert mark is not None and mark.key == "vip"
    definition = client.get_segment_definition(vip["id"])
    assert definition["description"] == vip["description"]
    plain = audiences["Plain customers"]
    assert (plain["labels"], plain["lifecycleState"]) == ([], "published")


def test_no_permadiff_for_labels_ttl_or_lifecycle(
        tmp_path: Path, sandbox: LocalSandbox, client: AepClient) -> None:
    root = write_project(tmp_path / "p", LABELLED)
    assert apply_plan(_plan(root, client), client).ok
    again = _plan(root, client)
    assert not again.has_changes, again.changes
    assert all(c.action is Action.NOOP for c in again.changes)


def test_changing_only_audience_fields_writes_only_the_audience(
        tmp_path: Path, sandbox: LocalSandbox) -> None:
    root = write_project(tmp_path / "p", LABELLED)
    recorder = Recorder(sandbox)
    with AepClient(AepConfig.local(), transport=recorder) as client:
        assert apply_plan(_plan(root, client), client).ok
        (root / "vip.yaml").write_text((root / "vip.yaml").read_text().replace(
            "lifecycle: inactive", "lifecycle: published").replace("[C1, C2]", "[C1]"))
        plan = _plan(root, client)
        vip = next(c for c in plan.changes if c.key == "vip")
        assert vip.action is Action.UPDATE
        assert {f.field: (f.before, f.after) for f in vip.fields} == {
            "labels": (["C1", "C2"], ["C1"]), "lifecycle": ("inactive", "published")}
        # the recorded list of writes says the same as what is sent
        assert [(w.kind, w.body) for w in planned_writes(plan)] == [
            ("audience", {"labels": ["C1"], "lifecycleState": "published"})]
        recorder.sent.clear()
        assert apply_plan(plan, client).ok
        writes = [s for s in recorder.sent if s[0] != "GET"]
        assert writes == [("PATCH", f"/data/core/ups/audiences/{vip.id}")]
        assert not _plan(root, client).has_changes


def test_audiences_of_other_origins_are_listed_and_never_touched(
        tmp_path: Path, sandbox: LocalSandbox, client: AepClient) -> None:
    before = {a["id"]: a for a in client.list_audiences()
              if a["originName"] != "REAL_TIME_CUSTOMER_PROFILE"}
    assert before  # every sandbox starts with some
    # one of them has the name a project declares: still never adopted
    taken = next(iter(before.values()))["name"]
    root = write_project(tmp_path / "p", {"s.yaml": f"""\
        kind: Segment
        key: clash
        name: {taken}
        pql: person.gender = "female"
        """})
    plan = _plan(root, client, prune=True)
    assert [c.action for c in plan.changes] == [Action.CREATE]
    assert sorted(plan.other_origins) == sorted(
        f"{a['name']} ({a['originName']})" for a in before.values())
    assert [w.code for w in plan.warnings if w.code != "project-unnamed"] == ["other-origin-name"]
    assert apply_plan(plan, client).ok
    (root / "s.yaml").unlink()
    write_project(root, {"t.yaml": "kind: Segment\nkey: t\nname: T\npql: a = 1\n"})
    pruned = _plan(root, client, prune=True)
    deleted = [c.name for c in pruned.changes if c.action is Action.DELETE]
    assert deleted == [taken]  # segctl's own segment of that name, not the foreign one
    assert apply_plan(pruned, client).ok
    after = {a["id"]: a for a in client.list_audiences()
             if a["originName"] != "REAL_TIME_CUSTOMER_PROFILE"}
    assert after == before


def test_platform_audience_made_elsewhere_is_left_alone(
        tmp_path: Path, sandbox: LocalSandbox, client: AepClient) -> None:
    made = client.create_audience({
        "name": "Made in the portal", "type": "SegmentDefinition",
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "male"'},
        "schema": {"name": "_xdm.context.profile"}, "labels": ["C9"]})
    root = write_project(tmp_path / "p", LABELLED)
    plan = _plan(root, client, prune=True)
    assert made["id"] not in {c.id for c in plan.changes}
    assert apply_plan(plan, client).ok
    assert client.get_audience(made["id"])["labels"] == ["C9"]


def test_plan_reads_within_the_request_budget(tmp_path: Path, sandbox: LocalSandbox) -> None:
    """ceil(N/100) pages of audiences plus at most 5 more requests, for N segments and an
    export (merge policies, the export's dataset, one page each of segment and export jobs)."""
    n = 230
    docs = "\n---\n".join(f"kind: Segment\nkey: s{i}\nname: S{i}\npql: a = {i}\n"
                          for i in range(n))
    root = write_project(tmp_path / "p", {
        "s.yaml": docs,
        "e.yaml": "kind: Export\nkey: e\nsegments: [s0]\ndataset: Out\n"})
    recorder = Recorder(sandbox)
    with AepClient(AepConfig.local(), transport=recorder) as client:
        _plan(root, client)
        assert len(recorder.sent) <= math.ceil(n / 100) + 5, recorder.sent
        assert [p for m, p in recorder.sent if "segment/definitions" in p] == []
        assert apply_plan(_plan(root, client), client).ok
        recorder.sent.clear()
        plan = _plan(root, client)
        assert not plan.has_changes
        pages = [p for _, p in recorder.sent if p.endswith("/audiences")]
        assert len(pages) == math.ceil((n + 2) / 100)  # and the two seeded audiences
        assert len(recorder.sent) <= math.ceil((n + 2) / 100) + 5, recorder.sent
