"""The pure diff: normalisation, matching, the closed set of actions, jobs and warnings."""

from __future__ import annotations

import pytest

from segctl import pql
from segctl.engine import Action, PlanError
from segctl.engine.jobs import MAX_IDS_PER_JOB
from segctl.project import Export

from .helpers import actions, live, plan_of, project, seg, state

FEMALE = 'person.gender = "female"'


def test_everything_new_is_created_in_dependency_order() -> None:
    proj = project(
        seg("both", 'inSegment("key:female") and inSegment("key:gold")'),
        seg("female", FEMALE),
        seg("gold", 'loyalty.tier = "gold"'),
    )
    plan = plan_of(proj, state())
    assert [c.key for c in plan.changes] == ["female", "gold", "both"]
    assert set(actions(plan).values()) == {"create"}
    both = plan.changes[-1]
    assert both.depends_on == ("female", "gold")
    assert plan.summary() == ("Plan: 3 to create, 0 to update, 0 to replace, 0 to delete; "
                              "1 segment job, 0 exports.")
    assert plan.segment_jobs[0].segments == ("female", "gold", "both")


def test_marked_live_segment_with_same_content_is_a_noop() -> None:
    plan = plan_of(project(seg("female", FEMALE, name="Female")),
                   state(live("id-1", "Female", FEMALE, key="female")))
    assert actions(plan) == {"female": "no-op"}
    assert not plan.has_changes
    assert plan.changes[0].id == "id-1"


def test_whitespace_and_format_changes_are_no_change() -> None:
    spaced = 'person.gender   =\n   "female"'
    plan = plan_of(project(seg("female", spaced, name="Female")),
                   state(live("id-1", "Female", FEMALE, key="female")))
    assert actions(plan) == {"female": "no-op"}


def test_live_pql_json_equals_declared_text() -> None:
    tree = pql.to_json(pql.parse(FEMALE))
    plan = plan_of(project(seg("female", FEMALE, name="Female")),
                   state(live("id-1", "Female", tree, key="female")))
    assert actions(plan) == {"female": "no-op"}


def test_logic_change_is_one_field_update() -> None:
    plan = plan_of(project(seg("female", 'person.gender = "male"', name="Female")),
                   state(live("id-1", "Female", FEMALE, key="female")))
    change = plan.changes[0]
    assert change.action is Action.UPDATE and change.id == "id-1"
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("pql", FEMALE, 'person.gender = "male"')
    ]
    assert plan.segment_jobs[0].segments == ("female",)


def test_rename_is_an_update_that_keeps_the_id() -> None:
    plan = plan_of(project(seg("female", FEMALE, name="Women")),
                   state(live("id-1", "Female", FEMALE, key="female")))
    change = plan.changes[0]
    assert (change.action, change.id) == (Action.UPDATE, "id-1")
    assert [(f.field, f.before, f.after) for f in change.fields] == [("name", "Female", "Women")]
    assert plan.segment_jobs == ()  # a rename does not change who qualifies


def test_unmarked_live_segment_is_adopted_by_name() -> None:
    plan = plan_of(project(seg("female", FEMALE, name="Female")),
                   state(live("id-9", "Female", FEMALE)))
    change = plan.changes[0]
    assert (change.action, change.id, change.adopted) == (Action.UPDATE, "id-9", True)
    assert change.fields == () and "adopted by name" in change.reason


def test_marker_is_hidden_and_description_compared_without_it() -> None:
    plan = plan_of(project(seg("female", FEMALE, name="Female", description="New words")),
                   state(live("id-1", "Female", FEMALE, key="female", description="Old words")))
    assert [(f.field, f.before, f.after) for f in plan.changes[0].fields] == [
        ("description", "Old words", "New words")
    ]


def test_server_fields_and_default_merge_policy_are_ignored() -> None:
    doc = live("id-1", "Female", FEMALE, key="female", updateTime=5, baselineTime=7)
    del doc["mergePolicyId"]
    plan = plan_of(project(seg("female", FEMALE, name="Female")), state(doc))
    assert actions(plan) == {"female": "no-op"}


STREAMING = {"batch": {"enabled": False}, "continuous": {"enabled": True},
             "synchronous": {"enabled": False}}


@pytest.mark.parametrize(("declared", "live_info", "before", "after"), [
    ("streaming", None, "batch", "streaming"),  # batch -> streaming
    ("batch", STREAMING, "streaming", "batch"),  # streaming -> batch
    ("edge", STREAMING, "streaming", "edge"),
])
def test_an_evaluation_change_is_planned(declared: str, live_info: dict[str, object] | None,
                                         before: str, after: str) -> None:
    extra = {"evaluationInfo": live_info} if live_info else {}
    plan = plan_of(project(seg("female", FEMALE, name="Female", evaluation=declared)),
                   state(live("id-1", "Female", FEMALE, key="female", **extra)))
    change = plan.changes[0]
    assert change.action is Action.UPDATE
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("evaluation", before, after)]
    jobs = [k for job in plan.segment_jobs for k in job.segments]
    assert jobs == (["female"] if after == "batch" else [])  # batch members are re-evaluated


def test_an_evaluation_aep_would_not_take_is_a_warning_not_a_change() -> None:
    # the merge policy is not active on edge: AEP keeps it in batch (AEP-API §13.2)
    plan = plan_of(project(seg("female", FEMALE, name="Female", evaluation="edge",
                               merge_policy="Dataset precedence")),
                   state(live("id-1", "Female", FEMALE, key="female",
                              mergePolicyId="mp-other")))
    assert actions(plan) == {"female": "no-op"}
    assert [w.code for w in plan.warnings] == ["evaluation-merge-policy"]
    events = 'xEvent[eventType = "a"].count() > 3'  # no time window: not streaming-eligible
    plan = plan_of(project(seg("ev", events, name="Ev", evaluation="streaming")),
                   state(live("id-2", "Ev", events, key="ev")))
    assert actions(plan) == {"ev": "no-op"}
    assert [w.code for w in plan.warnings] == ["evaluation-not-eligible"]


def test_merge_policy_by_name_and_change() -> None:
    proj = project(seg("female", FEMALE, name="Female", merge_policy="Dataset precedence"))
    plan = plan_of(proj, state(live("id-1", "Female", FEMALE, key="female")))
    assert [(f.field, f.before, f.after) for f in plan.changes[0].fields] == [
        ("mergePolicy", "Profile Default Merge Policy", "Dataset precedence")
    ]
    assert plan.changes[0].desired is not None
    assert plan.changes[0].desired.merge_policy_id == "mp-other"


def test_unknown_merge_policy_is_a_located_error() -> None:
    with pytest.raises(PlanError, match="merge policy 'nope'"):
        plan_of(project(seg("female", FEMALE, merge_policy="nope")), state())


def test_schema_change_is_a_replace_and_protect_blocks_it() -> None:
    doc = live("id-1", "Female", FEMALE, key="female", schema={"name": "_xdm.context.other"})
    plan = plan_of(project(seg("female", FEMALE, name="Female")), state(doc))
    assert actions(plan) == {"female": "replace"}
    with pytest.raises(PlanError, match="protected"):
        plan_of(project(seg("female", FEMALE, name="Female", protect=True)), state(doc))


def test_dependents_of_a_replaced_segment_are_updated_after_it() -> None:
    proj = project(seg("female", FEMALE, name="Female"),
                   seg("fan", 'inSegment("key:female")', name="Fan"))
    st = state(live("id-1", "Female", FEMALE, key="female", schema={"name": "_xdm.other"}),
               live("id-2", "Fan", 'inSegment("id-1")', key="fan"))
    plan = plan_of(proj, st)
    assert actions(plan) == {"female": "replace", "fan": "update"}
    assert plan.changes[1].depends_on == ("female",)


def test_live_ids_in_insegment_compare_equal_to_declared_keys() -> None:
    proj = project(seg("female", FEMALE, name="Female"),
                   seg("fan", 'inSegment("key:female") and person.birthYear > 1990', name="Fan"))
    st = state(live("id-1", "Female", FEMALE, key="female"),
               live("id-2", "Fan", 'inSegment("id-1") and person.birthYear > 1990', key="fan"))
    assert set(actions(plan_of(proj, st)).values()) == {"no-op"}


def test_prune_deletes_only_marked_unprotected_dependents_first() -> None:
    st = state(
        live("id-1", "Base", FEMALE, key="base"),
        live("id-2", "Child", 'inSegment("id-1")', key="child"),
        live("id-3", "Manual", FEMALE),  # not marked: never ours to delete
        live("id-4", "Kept", FEMALE, key="kept", protect=True),
    )
    assert actions(plan_of(project(), st)) == {}
    quiet = plan_of(project(), st)
    assert set(quiet.unmanaged) == {"Base", "Child", "Kept"}
    plan = plan_of(project(), st, prune=True)
    assert [(c.key, c.action.value) for c in plan.changes] == [("child", "delete"),
                                                               ("base", "delete")]
    assert plan.changes[1].depends_on == ("child",)
    assert [w.code for w in plan.warnings] == ["protected"]


def test_jobs_are_batched_by_twenty_and_the_quota_is_warned() -> None:
    count = 2 * MAX_IDS_PER_JOB + 1
    segs = [seg(f"s{i:02d}", f"person.birthYear = {1950 + i}") for i in range(count)]
    plan = plan_of(project(*segs), state())
    assert [len(j.segments) for j in plan.segment_jobs] == [20, 20, 1]
    assert [w.code for w in plan.warnings] == ["segment-job-quota"]


def test_streaming_segments_get_no_job_and_ineligible_ones_warn() -> None:
    proj = project(seg("live", FEMALE, evaluation="streaming"),
                   seg("slow", "person.birthYear > 1990 and person.birthYear < 2000",
                       evaluation="batch"))
    plan = plan_of(proj, state())
    assert plan.segment_jobs[0].segments == ("slow",)


def test_exports_run_on_change_always_never_and_create_datasets() -> None:
    exports = (
        Export("on-change", ("female",), "Female customers"),
        Export("always", ("gold",), "Gold", run="always"),
        Export("never", ("gold",), "Gold too", run="never"),
    )
    proj = project(seg("female", FEMALE, name="Female"), seg("gold", 'loyalty.tier = "gold"',
                   name="Gold"), exports=exports)
    st = state(live("id-1", "Female", FEMALE, key="female"),
               live("id-2", "Gold", 'loyalty.tier = "gold"', key="gold"),
               datasets={"Female customers": {"id": "ds-1", "name": "Female customers",
                                              "lastSuccessfulBatch": "b-1"},
                         "Gold": {"id": "ds-2", "name": "Gold"}})
    plan = plan_of(proj, st)
    assert [r.export for r in plan.export_runs] == ["always"]
    assert [(d.name, d.action.value) for d in plan.datasets] == [
        ("Female customers", "no-op"), ("Gold", "no-op"), ("Gold too", "create")]
    assert plan.segment_jobs[0].segments == ("gold",)  # run: always evaluates its segments
    never = state(*st.segments, datasets={"Female customers": {"id": "ds-1"}, "Gold": {"id": "x"}})
    catch_up = plan_of(proj, never)  # the last run failed or was skipped: run it again
    first = catch_up.export_runs[0]
    assert (first.export, first.reason) == ("on-change", "no successful export yet")
    assert catch_up.segment_jobs[0].segments == ("female", "gold")
    edited = project(seg("female", 'person.gender = "male"', name="Female"),
                     seg("gold", 'loyalty.tier = "gold"', name="Gold"), exports=exports)
    changed = plan_of(edited, st)
    assert [r.export for r in changed.export_runs] == ["on-change", "always"]


def test_prune_waits_for_the_update_that_drops_a_reference() -> None:
    st = state(live("id-1", "Old", FEMALE, key="old"),
               live("id-2", "User", 'inSegment("id-1") or person.birthYear > 2000', key="user"))
    plan = plan_of(project(seg("user", "person.birthYear > 2000", name="User")), st, prune=True)
    assert actions(plan) == {"old": "delete", "user": "update"}
    delete = next(c for c in plan.changes if c.action is Action.DELETE)
    assert delete.depends_on == ("user",)


def test_prune_keeps_what_an_unmanaged_segment_still_uses_transitively() -> None:
    st = state(live("id-1", "Base", FEMALE, key="base"),
               live("id-2", "Mid", 'inSegment("id-1")', key="mid"),
               live("id-3", "Hand made", 'inSegment("id-2")'))  # not ours: never deleted
    plan = plan_of(project(), st, prune=True)
    assert actions(plan) == {}
    assert sorted(w.message.split(":")[0] for w in plan.warnings) == ["base", "mid"]


def test_taking_a_name_waits_for_the_rename_or_delete_that_frees_it() -> None:
    st = state(live("id-1", "Alpha", FEMALE, key="a"), live("id-2", "Hand made", FEMALE))
    proj = project(seg("a", FEMALE, name="Alpha v2"), seg("b", "true", name="Alpha"),
                   seg("c", "false", name="Hand made 2"))
    plan = plan_of(proj, st)
    by_key = {c.key: c for c in plan.changes}
    assert by_key["b"].action is Action.CREATE and by_key["b"].depends_on == ("a",)
    assert [c.key for c in plan.changes].index("a") < [c.key for c in plan.changes].index("b")
    taken = plan_of(project(seg("a", FEMALE, name="Hand made")), st)  # kept, unmanaged holder
    assert [(w.code, w.key) for w in taken.warnings] == [("name-taken", "a")]


@pytest.mark.parametrize("project_of_marker", ["default", None])
def test_a_declared_move_keeps_the_id_when_key_and_name_change(
        project_of_marker: str | None) -> None:
    plan = plan_of(project(seg("women", FEMALE, name="Women", previous_keys=("female",))),
                   state(live("id-1", "Female", FEMALE, key="female",
                              project=project_of_marker)))
    change = plan.changes[0]
    assert (change.action, change.id, change.adopted) == (Action.UPDATE, "id-1", True)
    assert "moved from key 'female' (previousKeys)" in change.reason
    assert [(f.field, f.before, f.after) for f in change.fields] == [("name", "Female", "Women")]
    assert not any(c.action in (Action.DELETE, Action.CREATE) for c in plan.changes)


def test_another_projects_segment_is_never_matched_updated_or_pruned() -> None:
    theirs = live("id-9", "Theirs", FEMALE, key="female", project="web-team")
    plan = plan_of(project(seg("female", FEMALE, name="Mine")), state(theirs), prune=True)
    assert [(c.key, c.action.value) for c in plan.changes] == [("female", "create")]
    assert [(f.kind, f.name, f.project) for f in plan.foreign] == [
        ("segment", "Theirs", "web-team")]
    with pytest.raises(PlanError, match="owned by project 'web-team'"):
        plan_of(project(seg("mine", FEMALE, name="Theirs")), state(theirs))
