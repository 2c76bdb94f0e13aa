"""segctl import: live definitions to YAML, then planning against the same sandbox is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.adopt import ImportConflictError, import_segments, plan_files, write_files
from segctl.engine import Action, apply_plan, build_plan
from segctl.engine.apply import ApplyOptions
from segctl.project import load_project
from segctl.sandbox import LocalSandbox

from .conftest import segctl_client


def _import_into(sandbox: LocalSandbox, out: Path, **kwargs: object) -> list[Path]:
    client = segctl_client(sandbox)
    result = import_segments(client, **kwargs)  # type: ignore[arg-type]
    return write_files(plan_files(result.segments, out))


def test_written_yaml(sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "segments"
    written = _import_into(sandbox, out)
    assert sorted(p.name for p in written) == [
        "all-female-customers.yaml", "us-customers.yaml", "us-female-customers.yaml",
        "us-female-json.yaml", "vip-eu-gold.yaml",
    ]
    text = (out / "us-female-customers.yaml").read_text()
    assert text == (
        f"# imported by segctl from AEP segment definition {filled['both']}\n"
        "kind: Segment\n"
        "key: us-female-customers\n"
        "name: US Female Customers\n"
        'pql: inSegment("key:all-female-customers") and inSegment("key:us-customers")\n'
    )
    project = load_project(out)
    by_key = {s.key: s for s in project.segments}
    assert by_key["us-customers"].pql == 'homeAddress.countryCode = "US"'  # pql/json -> text
    assert by_key["us-female-json"].pql == (
        'inSegment("key:us-female-customers") and person.gender = "female"'
    )
    assert by_key["all-female-customers"].description == "Profiles whose gender is female."
    vip = by_key["vip-eu-gold"]
    assert (vip.name, vip.ttl_in_days, vip.merge_policy, vip.labels) == (
        "VIP (EU) — gold", 30, "EU merge", ("C1",))
    female = (out / "all-female-customers.yaml").read_text()
    for default in ("schema:", "mergePolicy:", "labels:", "protect:", "ttlInDays:"):
        assert default not in female


def test_plan_right_after_import_changes_no_field_and_apply_converges(
    sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "segments"
    client = segctl_client(sandbox)
    untouched = {d["id"]: d["updateTime"] for d in client.list_segment_definitions()}
    _import_into(sandbox, out)
    project = load_project(out)
    plan = build_plan(project, client)
    assert len(plan.changes) == 5
    assert all(c.action in (Action.NOOP, Action.UPDATE) for c in plan.changes)
    assert [c.fields for c in plan.changes] == [()] * 5  # nothing but ownership to stamp
    assert {c.id for c in plan.changes} == set(filled.values())  # matched, never recreated
    assert plan.segment_jobs == ()  # adoption alone re-evaluates nothing
    assert not plan.has_changes  # import then plan: no field differs (apply only stamps markers)
    assert all(c.adopt_only for c in plan.changes if c.action is Action.UPDATE)
    after = {d["id"]: d["updateTime"] for d in client.list_segment_definitions()}
    assert after == untouched  # neither import nor plan wrote to the sandbox

    apply_plan(plan, client, ApplyOptions(run_jobs=False))
    again = build_plan(load_project(out), client)
    assert [c.action for c in again.changes] == [Action.NOOP] * 5
    assert not again.has_changes
    # adopted, not recreated: the same five ids, now carrying the marker
    live = client.list_segment_definitions()
    assert {d["id"] for d in live} == set(filled.values())
    assert all("[segctl:project=default;key=" in d["description"] for d in live)


def test_reimport_after_apply_is_identical(
    sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path
) -> None:
    first = tmp_path / "first"
    _import_into(sandbox, first)
    client = segctl_client(sandbox)
    apply_plan(build_plan(load_project(first), client), client, ApplyOptions(run_jobs=False))
    second = tmp_path / "second"
    _import_into(sandbox, second)  # keys now come from the ownership markers
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_text() == (second / name).read_text()


def test_match_pulls_in_dependencies(
    sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path
) -> None:
    result = import_segments(segctl_client(sandbox), match="US Female*")
    keys = {s.key: s.dependency_of for s in result.segments}
    assert keys == {
        "us-female-customers": (),
        "all-female-customers": ("us-female-customers",),
        "us-customers": ("us-female-customers",),
    }
    none = import_segments(segctl_client(sandbox), match="nothing*")
    assert none.segments == ()


def test_already_declared_segments_are_skipped(
    sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "segments"
    out.mkdir()
    (out / "mine.yaml").write_text(
        "kind: Segment\nkey: women\nname: All Female Customers\npql: person.gender = \"female\"\n")
    project = load_project(out)
    result = import_segments(segctl_client(sandbox), project=project)
    assert result.already_declared == ("All Female Customers",)
    both = next(s for s in result.segments if s.key == "us-female-customers")
    assert both.pql == 'inSegment("key:women") and inSegment("key:us-customers")'
    write_files(plan_files(result.segments, out))
    assert len(load_project(out).segments) == 5


def test_existing_files_are_never_overwritten_silently(
    sandbox: LocalSandbox, filled: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "segments"
    out.mkdir()
    mine = out / "us-customers.yaml"
    mine.write_text("# my own file\n")
    result = import_segments(segctl_client(sandbox))
    with pytest.raises(ImportConflictError) as caught:
        write_files(plan_files(result.segments, out))
    assert str(mine) in caught.value.message
    assert sorted(p.name for p in out.iterdir()) == ["us-customers.yaml"]  # nothing written
    assert mine.read_text() == "# my own file\n"
    write_files(plan_files(result.segments, out), force=True)
    assert mine.read_text().startswith("# imported by segctl")
