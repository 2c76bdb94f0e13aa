"""Every declared field converges or is named: generated from the JSON Schemas.

For every property of every kind's schema, a row below changes it in the files of a project
already applied to the local sandbox and says what the plan must then show: a field change, an
action, an export run, a dataset change, the target it selects, an error naming the cause, or
a warning naming the field. A field with no row fails ``test_every_schema_field_has_a_row``, so
a field added to a schema without deciding how it converges cannot land. Rows marked
``not_sent`` are fields AEP never sees (document kinds, offline tests); they carry the reason.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.aep._profile import MERGE_POLICIES
from segctl.engine import Action, Plan, PlanError, apply_plan, build_plan
from segctl.project import KINDS, load_project
from segctl.project.schemas import schema_text
from segctl.sandbox import LocalSandbox
from segctl.target import environment_fields

from .test_apply import FAST

BASE: dict[str, str] = {
    "project.yaml": """\
        kind: Project
        name: fields
        description: every field
        """,
    "env.yaml": """\
        kind: Environment
        name: local
        sandbox: prod
        vars: {team: Growth}
        """,
    "segments.yaml": """\
        kind: Segment
        key: base
        name: Base segment
        description: ${vars.team} women
        pql: person.gender = "female"
        schema: _xdm.context.profile
        ttlInDays: 30
        mergePolicy: default
        evaluation: batch
        protect: false
        labels: [C1]
        ---
        kind: Segment
        key: pj
        name: Json segment
        pqlJson:
          nodeType: fnApply
          fnName: "="
          params:
            - nodeType: fieldLookup
              fieldName: tier
              object: {nodeType: fieldLookup, fieldName: loyalty,
                       object: {nodeType: parameterReference, position: 1}}
            - {nodeType: literal, literalType: String, value: gold}
        """,
    "exports.yaml": """\
        kind: Export
        key: daily
        segments: [base]
        dataset: Field dataset
        fields: [person.gender, personalEmail.address]
        status: [realized, existing]
        run: on-change
        ---
        kind: Export
        key: weekly
        segments: [pj]
        dataset: Weekly dataset
        """,
    "schedule.yaml": """\
        kind: Schedule
        key: nightly
        name: Batch Segmentation
        type: batch_segmentation
        schedule: "0 30 2 * * ?"
        state: active
        ---
        kind: Schedule
        key: daily-export
        type: export
        export: daily
        schedule: "0 0 4 * * ?"
        """,
    "tests.yaml": """\
        kind: SegmentTest
        name: base test
        description: the base segment
        now: 2026-03-15T10:00:00Z
        profiles:
          - {id: ana, person: {gender: female}}
        expect:
          base: {members: [ana]}
        """,
}

Edit = Callable[[dict[str, str]], None]


@dataclass(frozen=True)
class Row:
    """How a change to one schema field shows in the plan. ``check(plan)`` asserts it;
    ``error`` expects a PlanError with this text instead; ``env`` selects another environment."""

    edit: Edit | None
    check: Callable[[Plan], None] | None = None
    error: str = ""
    env: str | None = None
    not_sent: str = ""  # why AEP never sees this field


def sub(file: str, old: str, new: str) -> Edit:
    def edit(files: dict[str, str]) -> None:
        text = textwrap.dedent(files[file])
        assert old in text, (file, old)
        files[file] = text.replace(old, new, 1)
    return edit


def subs(*edits: Edit) -> Edit:
    def edit(files: dict[str, str]) -> None:
        for one in edits:
            one(files)
    return edit


def field(key: str, name: str, action: Action = Action.UPDATE) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        change = next(c for c in plan.changes if c.key == key)
        assert change.action is action, change
        assert name in [f.field for f in change.fields], change.fields
        assert plan.has_work
    return check


def adopted(key: str, words: str, same_id_as: str) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        change = next(c for c in plan.changes if c.key == key)
        assert change.action is Action.UPDATE and change.adopted and words in change.reason
        assert change.id == LIVE_IDS[same_id_as]  # the live id is kept
        assert not any(c.action is Action.DELETE for c in plan.changes)
        assert plan.has_work
    return check


def export_run(words: str) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert [r.export for r in plan.export_runs] == ["daily"]
        assert words in plan.export_runs[0].reason, plan.export_runs[0].reason
        assert plan.has_work
    return check


def dataset(action: Action) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert action in [d.action for d in plan.datasets], plan.datasets
        assert plan.has_work
    return check


def schedule_field(name: str) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        change, export = plan.schedules
        assert change.action is Action.UPDATE, change
        assert [f.field for f in change.fields] == [name]
        assert export.action is Action.NOOP, export
        assert plan.has_work
    return check


def schedule_unchanged(plan: Plan) -> None:
    assert [c.action for c in plan.schedules] == [Action.NOOP, Action.NOOP], plan.schedules
    assert not plan.has_work


def export_schedule_created(export: str) -> Callable[[Plan], None]:
    """Another export: its dataset has no schedule yet (the old one is left alone)."""
    def check(plan: Plan) -> None:
        _, change = plan.schedules
        assert (change.action, change.export, change.id) == (Action.CREATE, export, None)
        assert plan.has_work
    return check


def target(attribute: str, value: str) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        assert getattr(plan.target, attribute) == value, plan.target
    return check


LIVE_IDS: dict[str, str] = {}
SEGMENT_TEST = "run offline by `segctl test` with the local PQL engine; never sent to AEP"
KIND = "the document kind selects the schema; it is not a value sent to AEP"

ROWS: dict[tuple[str, str], Row] = {
    ("Segment", "kind"): Row(None, not_sent=KIND),
    ("Segment", "key"): Row(subs(sub("segments.yaml", "key: base", "key: base2"),
                                 sub("exports.yaml", "[base]", "[base2]"),
                                 sub("tests.yaml", "base: {", "base2: {")),
                            adopted("base2", "adopted from key 'base'", "base")),
    ("Segment", "name"): Row(sub("segments.yaml", "name: Base segment", "name: Renamed"),
                             field("base", "name")),
    ("Segment", "description"): Row(sub("segments.yaml", "${vars.team} women", "Other words"),
                                    field("base", "description")),
    ("Segment", "pql"): Row(sub("segments.yaml", '"female"', '"male"'), field("base", "pql")),
    ("Segment", "pqlJson"): Row(sub("segments.yaml", "value: gold", "value: platinum"),
                                field("pj", "pql")),
    # the local sandbox has merge policies for the profile class only: the plan refuses the
    # new schema at its `schema:` line (a replace is planned where a policy exists:
    # test_diff.test_schema_change_is_a_replace_and_protect_blocks_it)
    ("Segment", "schema"): Row(sub("segments.yaml", "schema: _xdm.context.profile",
                                   "schema: _xdm.context.experienceevent"),
                               error="no default merge policy for schema "
                                     "'_xdm.context.experienceevent'"),
    ("Segment", "ttlInDays"): Row(sub("segments.yaml", "ttlInDays: 30", "ttlInDays: 60"),
                                  field("base", "ttlInDays")),
    ("Segment", "mergePolicy"): Row(sub("segments.yaml", "mergePolicy: default",
                                        "mergePolicy: Second policy"),
                                    field("base", "mergePolicy")),
    ("Segment", "evaluation"): Row(sub("segments.yaml", "evaluation: batch",
                                       "evaluation: streaming"),
                                   field("base", "evaluation")),
    ("Segment", "protect"): Row(sub("segments.yaml", "protect: false", "protect: true"),
                                field("base", "protect")),
    ("Segment", "labels"): Row(sub("segments.yaml", "labels: [C1]", "labels: [C1, C2]"),
                               field("base", "labels")),
    # written on the audience, like labels and TTL (issue 14)
    ("Segment", "lifecycle"): Row(sub("segments.yaml", "labels: [C1]",
                                      "labels: [C1]\nlifecycle: inactive"),
                                  field("base", "lifecycle")),
    # a declared move: key and name both change; the live id is kept (never delete+create)
    ("Segment", "previousKeys"): Row(
        subs(sub("segments.yaml", "key: base\nname: Base segment",
                 "key: women\npreviousKeys: [base]\nname: Women"),
             sub("exports.yaml", "[base]", "[women]"), sub("tests.yaml", "base: {", "women: {")),
        adopted("women", "moved from key 'base'", "base")),
    ("Export", "kind"): Row(None, not_sent=KIND),
    ("Export", "key"): Row(subs(sub("exports.yaml", "key: daily", "key: nightly"),
                                sub("schedule.yaml", "export: daily", "export: nightly")),
                           dataset(Action.UPDATE)),
    ("Export", "segments"): Row(sub("exports.yaml", "segments: [base]", "segments: [base, pj]"),
                                export_run("filter.segments[pj] changed since the last export")),
    ("Export", "dataset"): Row(sub("exports.yaml", "dataset: Field dataset",
                                   "dataset: Other dataset"), dataset(Action.CREATE)),
    ("Export", "fields"): Row(sub("exports.yaml", "fields: [person.gender, ",
                                  "fields: [person.gender, loyalty.tier, "),
                              export_run("fields changed since the last export")),
    ("Export", "status"): Row(sub("exports.yaml", "status: [realized, existing]",
                                  "status: [realized, existing, exited]"),
                              export_run("filter.segments[base].status changed since the "
                                         "last export")),
    ("Export", "run"): Row(sub("exports.yaml", "run: on-change", "run: always"),
                           export_run("run: always")),
    ("Environment", "kind"): Row(None, not_sent=KIND),
    ("Environment", "name"): Row(sub("env.yaml", "name: local", "name: staging"),
                                 target("environment", "staging"), env="staging"),
    ("Environment", "sandbox"): Row(sub("env.yaml", "sandbox: prod", "sandbox: dev"),
                                    None),
    ("Environment", "orgId"): Row(sub("env.yaml", "sandbox: prod",
                                      "sandbox: prod\norgId: 1234@AdobeOrg"), None),
    ("Environment", "platformUrl"): Row(sub("env.yaml", "sandbox: prod",
                                            "sandbox: prod\norgId: 1234@AdobeOrg\n"
                                            "platformUrl: https://x.example"),
                                        None),
    ("Environment", "vars"): Row(sub("env.yaml", "team: Growth", "team: Retention"),
                                 field("base", "description")),
    ("Project", "kind"): Row(None, not_sent=KIND),
    # renaming the project: what the old name owns is another project's now, never taken
    ("Project", "name"): Row(sub("project.yaml", "name: fields", "name: renamed"),
                             error="owned by project 'fields'"),
    ("Project", "description"): Row(None, not_sent="free text for people, never sent to AEP"),
    ("Schedule", "kind"): Row(None, not_sent=KIND),
    ("Schedule", "key"): Row(None, not_sent="names the document in the project; the live "
                             "schedule is matched by its type (an export one by its dataset)"),
    ("Schedule", "type"): Row(None, not_sent="it selects the live schedule (the sandbox's batch "
                              "one, or the one writing into the export's dataset), which has "
                              "it already"),
    ("Schedule", "export"): Row(sub("schedule.yaml", "export: daily", "export: weekly"),
                                export_schedule_created("weekly")),
    # the name is sent only when segctl creates a missing schedule; the live one keeps its own
    ("Schedule", "name"): Row(sub("schedule.yaml", "name: Batch Segmentation", "name: Nightly"),
                              schedule_unchanged),
    ("Schedule", "schedule"): Row(sub("schedule.yaml", "0 30 2", "0 45 4"),
                                  schedule_field("schedule")),
    ("Schedule", "state"): Row(sub("schedule.yaml", "state: active", "state: inactive"),
                               schedule_field("state")),
    **{("SegmentTest", name): Row(None, not_sent=SEGMENT_TEST)
       for name in ("kind", "name", "description", "now", "profiles", "events", "expect")},
}
# what an Environment field selects: the connection the client is configured with
CONFIG_OF = {"sandbox": ("sandbox", "dev"), "orgId": ("org_id", "1234@AdobeOrg"),
             "platformUrl": ("platform_url", "https://x.example")}


def schema_fields() -> Iterator[tuple[str, str]]:
    for kind_name, kind in KINDS.items():
        for name in json.loads(schema_text(kind.schema))["properties"]:
            yield kind_name, name


def test_every_schema_field_has_a_row() -> None:
    assert set(schema_fields()) == set(ROWS)
    for key, row in ROWS.items():
        assert (row.edit is None) == bool(row.not_sent), key


def _write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AepClient]:
    """The base project applied (jobs and export included), once for the module."""
    root = tmp_path_factory.mktemp("every-field")
    sandbox = LocalSandbox(root / "sandbox", sample_profiles=50)
    with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
        # a second merge policy, not active on edge (through the client's authenticated core)
        aep._object("POST", MERGE_POLICIES, json_body={
            "name": "Second policy", "schema": {"name": "_xdm.context.profile"},
            "identityGraph": {"type": "none"}, "attributeMerge": {"type": "timestampOrdered"}})
        project = load_project(_write(root / "base", BASE))
        report = apply_plan(build_plan(project, aep), aep, FAST)
        assert report.ok, report.results
        again = build_plan(load_project(root / "base"), aep)
        assert not again.has_work, again  # the base converged
        LIVE_IDS.update({c.key: str(c.id) for c in again.changes})
        yield aep
    sandbox.close()


SENT = sorted(key for key, row in ROWS.items() if not row.not_sent)


@pytest.mark.parametrize("kind_field", SENT, ids=[".".join(k) for k in SENT])
def test_a_changed_field_shows_in_the_plan(applied: AepClient, tmp_path: Path,
                                           kind_field: tuple[str, str]) -> None:
    row = ROWS[kind_field]
    files = {name: textwrap.dedent(text) for name, text in BASE.items()}
    assert row.edit is not None
    row.edit(files)
    project = load_project(_write(tmp_path / "p", files), env=row.env)
    if kind_field[0] == "Environment" and kind_field[1] in CONFIG_OF:
        attribute, value = CONFIG_OF[kind_field[1]]
        fake = {"AEP_CLIENT_ID": "id", "AEP_CLIENT_SECRET": "not-a-real-secret"}
        config = AepConfig.from_env(environment_fields(project.environment), env=fake)
        assert getattr(config, attribute) == value
        return
    if row.error:
        with pytest.raises(PlanError, match=row.error):
            build_plan(project, applied)
        return
    assert row.check is not None
    row.check(build_plan(project, applied))
