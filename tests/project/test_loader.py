"""load_project: documents, locations, defaults, vars, environments, hashing, path handling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from segctl.errors import UsageError, ValidationError
from segctl.project import Environment, Export, Segment, analyse_project, load_project

from .conftest import FIXTURES, REPO

BASIC = FIXTURES / "projects" / "basic"


def test_basic_project_documents() -> None:
    project = load_project(BASIC)
    assert project.root == BASIC
    assert [s.key for s in project.segments] == ["women", "women-buyers"]
    women, buyers = project.segments
    assert women == Segment(
        key="women", name="Women", pql='person.gender = "female"', ttl_in_days=30,
        labels=("C1", "C2"), location=women.location, field_locations=women.field_locations)
    assert women.schema == "_xdm.context.profile" and women.merge_policy == "default"
    assert women.evaluation == "batch" and women.protect is False and women.pql_json is None
    assert buyers.merge_policy == "Active-On-Edge" and buyers.protect is True
    assert buyers.pql is not None and buyers.pql.startswith('inSegment("key:women")\n')
    (export,) = project.exports
    assert export == Export(
        key="women-export", segments=("women", "women-buyers"), dataset="local-Women",
        fields=("personalEmail.address",), status=("realized",), run="always",
        location=export.location, field_locations=export.field_locations)
    assert [e.name for e in project.environments] == ["local", "prod"]
    assert project.environment is not None and project.environment.name == "local"
    assert project.environment.is_local
    assert project.of_kind("Segment") == project.segments
    assert project.segment("women") is women and project.segment("nope") is None
    assert project.warnings == ()


def test_hidden_dirs_and_other_files_are_skipped() -> None:
    project = load_project(BASIC)
    names = sorted(p.name for p in project.files)
    assert names == ["environments.yaml", "exports.yml", "segments.yaml"]


def test_locations_point_into_the_files() -> None:
    project = load_project(BASIC)
    women, buyers = project.segments
    assert women.location.file is not None and women.location.file.endswith("segments.yaml")
    assert (women.location.line, women.location.col) == (2, 1)
    assert (women.field_location("pql").line, women.field_location("pql").col) == (5, 6)
    # a block scalar: the first character of the content, not the `|`
    pql = buyers.field_location("pql")
    assert (pql.line, pql.col) == (14, 3)
    assert pql.source_line == '  inSegment("key:women")'
    assert buyers.location.line == 9
    (export,) = project.exports
    assert export.field_location("dataset").line == 4
    assert export.location.file is not None and export.location.file.endswith("nested/exports.yml")


def test_selected_environment_supplies_vars() -> None:
    prod = load_project(BASIC, env="prod")
    assert prod.environment == Environment(
        name="prod", sandbox="prod", org_id="0000000000000000000000AA@AdobeOrg",
        platform_url="https://platform.adobe.io",
        vars={"datasetPrefix": "prod-", "namePrefix": "[prod] "},
        location=prod.environment.location if prod.environment else None,  # type: ignore[arg-type]
        field_locations=prod.environment.field_locations if prod.environment else {},
    )
    assert prod.exports[0].dataset == "prod-Women"
    assert prod.segments[0].name == "[prod] Women"
    assert not prod.environment.is_local  # type: ignore[union-attr]


def test_unknown_environment_is_one_error() -> None:
    with pytest.raises(ValidationError) as info:
        load_project(BASIC, env="staging")
    messages = [d.message for d in info.value.diagnostics]
    assert messages == ["unknown environment 'staging' (declared: local, prod)"]


def test_vars_without_an_environment(tmp_path: Path) -> None:
    shutil.copy(BASIC / "segments.yaml", tmp_path / "segments.yaml")
    result = analyse_project(tmp_path)
    assert [(d.location.line, d.location.col, d.message) for d in result.errors] == [
        (4, 7, "'${vars.namePrefix}' needs an environment: pass --env NAME")]


def test_escaped_placeholder_is_literal(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        'kind: Segment\nkey: k\nname: "Costs $${vars.x}"\npql: person.gender = "female"\n')
    assert load_project(tmp_path).segments[0].name == "Costs ${vars.x}"


def test_single_file_path() -> None:
    project = load_project(BASIC / "environments.yaml")
    assert project.segments == () and len(project.environments) == 2
    assert project.root == BASIC


def test_files_hash_is_stable_and_sensitive(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(BASIC, copy)
    assert load_project(copy).files_hash == load_project(BASIC).files_hash
    before = load_project(copy).files_hash
    path = copy / "segments.yaml"
    path.write_text(path.read_text().replace("ttlInDays: 30", "ttlInDays: 31"))
    assert load_project(copy).files_hash != before
    (copy / "segments.yaml").rename(copy / "renamed.yaml")
    assert load_project(copy).files_hash not in (before, load_project(BASIC).files_hash)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="path not found"):
        load_project(tmp_path / "nope")


def test_folder_without_yaml_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(UsageError, match=r"no YAML files"):
        load_project(tmp_path)


def test_non_mapping_document_and_missing_kind(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- just\n- a list\n---\nkey: x\nname: y\n")
    result = analyse_project(tmp_path)
    assert [(d.location.line, d.message) for d in result.errors] == [
        (1, "a document must be a mapping with a 'kind' field"),
        (4, "missing 'kind' (one of: Segment, Export, Environment, Project, SegmentTest, "
            "Schedule)"),
    ]


def test_unknown_field_points_at_the_key(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Export\nkey: e\nsegments: []\ndataset: d\n  \nstatuss: [realized]\n")
    result = analyse_project(tmp_path)
    got = [(d.location.line, d.location.col, d.message) for d in result.errors]
    assert got[0] == (3, 11, "expected a non-empty array at segments")
    assert got[1][:2] == (6, 1) and got[1][2].startswith("unknown field 'statuss'")


def test_pql_json_given_as_text_and_as_mapping(tmp_path: Path) -> None:
    tree = '{"nodeType": "fnApply", "fnName": "=", "params": [' \
           '{"nodeType": "fieldLookup", "fieldName": "gender", "object": ' \
           '{"nodeType": "fieldLookup", "fieldName": "person"}}, ' \
           '{"nodeType": "literal", "literalType": "String", "value": "female"}]}'
    (tmp_path / "a.yaml").write_text(
        f"kind: Segment\nkey: t\nname: T\npqlJson: '{tree}'\n---\n"
        "kind: Segment\nkey: m\nname: M\npqlJson:\n  nodeType: literal\n"
        "  literalType: Boolean\n  value: true\n")
    text, mapping = load_project(tmp_path).segments
    assert text.pql is None and text.pql_json is not None
    assert text.pql_json["fnName"] == "="
    assert mapping.pql_json is not None and dict(mapping.pql_json)["value"] is True


def test_pql_json_text_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: Segment\nkey: t\nname: T\npqlJson: '{\"a\": }'\n")
    result = analyse_project(tmp_path)
    assert [(d.location.line, d.location.col) for d in result.errors] == [(4, 17)]
    assert result.errors[0].message.startswith("pqlJson is not valid JSON")


def test_ineligible_evaluation_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Segment\nkey: t\nname: T\nevaluation: edge\n"
        "pql: (select X from xEvent where X.timestamp occurs <= 30 days before now)\n")
    project = load_project(tmp_path)
    (warning,) = project.warnings
    assert warning.severity == "warning"
    assert (warning.location.line, warning.location.col) == (4, 13)
    assert "asks for edge evaluation but AEP would evaluate it in batch" in warning.message


def test_timestamps_stay_text_and_tags_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: Segment\nkey: t\nname: 2024-01-01\npql: !custom x\n")
    result = analyse_project(tmp_path)
    assert [(d.location.line, d.message) for d in result.errors] == [
        (4, "unsupported YAML tag !custom")]


def test_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"kind: Segment\nname: \xff\xfe\n")
    result = analyse_project(tmp_path)
    assert [(d.location.line, d.message[:24]) for d in result.errors] == [
        (2, "file is not valid UTF-8 ")]


def test_example_project_loads_cleanly() -> None:
    project = load_project(REPO / "segments")
    assert len(project.segments) >= 8 and len(project.exports) == 2
    assert project.warnings == ()
    assert project.environment is not None and project.environment.name == "local"
    assert project.environment.platform_url is None
    female = project.export("female-customers-daily")
    assert female is not None and female.dataset == "Female customers"
    evaluations = {s.evaluation for s in project.segments}
    assert {"batch", "streaming", "edge"} <= evaluations


@pytest.mark.parametrize(("pql_lines", "line", "col"), [
    # folded block: lines are joined with spaces, positions map back to each source line
    (['pql: >', '  person.gender = "female"', '  and inSegment("key:nope")'], 6, 18),
    # plain scalar continued on the next line
    (['pql: person.gender = "female"', '  and inSegment("key:nope")'], 5, 18),
    # double-quoted, escaped quotes: the offset is counted in the decoded text
    (['pql: "inSegment(\\"key:nope\\")"'], 4, 19),
    (["pql: 'x = \"it''s\" and inSegment(\"key:nope\")'"], 4, 34),
    # a multi-line double-quoted scalar
    (['pql: "person.gender = \\"female\\"', '  and inSegment(\\"key:nope\\")"'], 5, 19),
])
def test_positions_inside_multi_line_scalars(
        tmp_path: Path, pql_lines: list[str], line: int, col: int) -> None:
    text = "kind: Segment\nkey: k\nname: K\n" + "\n".join(pql_lines) + "\n"
    (tmp_path / "a.yaml").write_text(text)
    (error,) = analyse_project(tmp_path).errors
    assert "unknown segment key 'nope'" in error.message
    assert (error.location.line, error.location.col) == (line, col), error.format()


def test_crlf_files_report_the_same_positions(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(
        b"kind: Segment\r\nkey: k\r\nname: K\r\npql: person.gender = = 1\r\n")
    (error,) = analyse_project(tmp_path).errors
    assert (error.location.line, error.location.col) == (4, 22)
    assert error.location.source_line == "pql: person.gender = = 1"
