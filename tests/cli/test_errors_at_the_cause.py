"""Errors that point at the cause: a schema with no default merge policy at its `schema:` line,
`segctl pql parse` with validate's call checks, export `fields:` checked item by item."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_a_schema_without_a_default_merge_policy_is_reported_at_the_schema_line(
        workdir: Path, run: Run) -> None:
    path = workdir / "segments" / "female-customers.yaml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("pql:"))
    lines.insert(at, "schema: _xdm.context.experienceevent")
    path.write_text("\n".join(lines) + "\n")
    code, out, err = run("plan")
    assert (code, out) == (1, "")
    first = err.splitlines()[0]
    assert first == (f"segments/female-customers.yaml:{at + 1}:9: error: segment "
                     "'female-customers': the sandbox has no default merge policy for schema "
                     "'_xdm.context.experienceevent', so the segment cannot be evaluated")
    assert "merge policy 'default' does not exist" not in err
    assert "hint: use a schema with a default merge policy (_xdm.context.profile)" in err


def test_pql_parse_applies_validates_call_checks(run: Run) -> None:
    code, out, err = run("pql", "parse", "person.name.bogus(1)")
    assert (code, out) == (1, "")
    assert err.startswith("<expr>:1:13: error: unknown method .bogus()")
    code, out, err = run("pql", "parse", 'person.gender = "f" and upper(1, 2, 3) = "x"')
    assert code == 1 and "<expr>:1:25: error: unknown function upper()" in err
    code, out, _ = run("pql", "parse", 'personalEmail.address.endsWith("@gmail.com", false)')
    assert (code, out) == (0, 'personalEmail.address.endsWith("@gmail.com", false)\n')


def test_export_fields_are_checked_where_they_are_written(workdir: Path, run: Run) -> None:
    path = workdir / "segments" / "exports.yaml"
    text = path.read_text()
    path.write_text(text.replace("person.gender]", "person. gender]"))
    for command in ("validate", "plan"):
        code, _, err = run(command)
        assert code == 1
        assert "segments/exports.yaml:11:" in err
        assert '"person. gender" at fields[2] must be a dot path of field names' in err


def test_export_field_paths_are_checked_against_the_profile_schema_at_plan_time(
        workdir: Path, run: Run) -> None:
    path = workdir / "segments" / "exports.yaml"
    path.write_text(path.read_text().replace("person.gender]", "person.gendr]"))
    assert run("validate")[0] == 0  # the syntax is fine: only the sandbox knows its schema
    code, out, err = run("plan")
    assert (code, out) == (1, "")
    assert err.startswith("segments/exports.yaml:11:9: error: export 'female-customers-daily': "
                          "the field 'person.gendr' is not in the sandbox's profile schema")
    assert "hint: did you mean 'person.gender'?" in err
