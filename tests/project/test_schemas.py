"""The JSON Schemas: valid draft 2020-12, found from a checkout, consistent with the model."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from segctl.project import EVALUATIONS, EXPORT_RUNS, MEMBERSHIP_STATUSES
from segctl.project.schemas import schema_text

from .conftest import REPO

SCHEMAS = ("segment.schema.json", "export.schema.json", "environment.schema.json")


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_valid_and_closed(name: str) -> None:
    schema = json.loads(schema_text(name))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    for field, spec in schema["properties"].items():
        assert spec.get("description"), f"{name}: {field} has no description"
    assert schema_text(name) == (REPO / "schemas" / name).read_text(encoding="utf-8")


def test_enums_match_the_model() -> None:
    segment = json.loads(schema_text("segment.schema.json"))
    export = json.loads(schema_text("export.schema.json"))
    assert tuple(segment["properties"]["evaluation"]["enum"]) == EVALUATIONS
    assert tuple(export["properties"]["run"]["enum"]) == EXPORT_RUNS
    assert tuple(export["properties"]["status"]["items"]["enum"]) == MEMBERSHIP_STATUSES


def test_every_example_file_names_its_schema() -> None:
    for path in sorted((REPO / "segments").glob("*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../schemas/"), path.name
        target = first.split("=", 1)[1]
        assert (path.parent / target).is_file(), path.name
