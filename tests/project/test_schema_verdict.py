"""The compiled schema verdict (jsonschema-rs) and the explaining validator (jsonschema) agree.

Valid documents are recognised by the compiled validator alone; only an invalid one is walked
by jsonschema to locate its problems. If the two ever disagreed on a document, a problem would
go unreported, so they are compared on every document the repository has: the example project,
the fixtures (valid and invalid), the hostile corpus, and documents broken on purpose.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from segctl.project import KINDS
from segctl.project.schemas import is_valid, validator
from segctl.project.source import RawDocument, SourceFile, read_source
from segctl.project.yamlread import parse_documents

REPO = Path(__file__).resolve().parents[2]


def _documents() -> list[RawDocument]:
    docs = []
    for path in sorted([*REPO.joinpath("segments").rglob("*.yaml"),
                        *REPO.joinpath("tests").rglob("*.yaml")]):
        source = read_source(path, path.parent)
        if not isinstance(source, SourceFile):
            continue
        docs.extend(d for d in parse_documents(source)
                    if isinstance(d, RawDocument) and isinstance(d.kind, str) and d.kind in KINDS)
    return docs


DOCUMENTS = _documents()


def _broken(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Variants of a valid document, each wrong in one way the schemas describe."""
    variants = []
    for key, value in data.items():
        if key == "kind":
            continue
        wrong = copy.deepcopy(data)
        wrong[key] = {"nested": True} if not isinstance(value, dict) else "text"
        variants.append(wrong)
        missing = copy.deepcopy(data)
        del missing[key]
        variants.append(missing)
    extra = copy.deepcopy(data)
    extra["unknownField"] = 1
    variants.append(extra)
    return variants


def _agree(data: Any, schema: str) -> None:
    explained = list(validator(schema).iter_errors(data))
    assert is_valid(data, schema) is (not explained), (data, [e.message for e in explained])


def test_the_repository_has_documents_of_every_kind() -> None:
    assert {d.kind for d in DOCUMENTS} >= {"Segment", "Export", "Environment", "Project"}
    assert any(list(validator(KINDS[d.kind].schema).iter_errors(d.data)) for d in DOCUMENTS)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: f"{d.source.path.name}#{d.index}")
def test_the_verdicts_agree(doc: RawDocument) -> None:
    schema = KINDS[doc.kind].schema
    _agree(doc.data, schema)
    if isinstance(doc.data, dict) and not list(validator(schema).iter_errors(doc.data)):
        for variant in _broken(doc.data):
            _agree(variant, schema)


@pytest.mark.parametrize("value", [10**400, -10**30, 2**63, 1.5, 5.0, 1e308, float("inf"),
                                   float("nan"), True, None, "30", [30]], ids=repr)
def test_numbers_at_the_edges_get_the_same_verdict(value: Any) -> None:
    """YAML allows integers of 1,000 digits, floats, .inf and .nan: each gets the same
    verdict (or, when the compiled validator cannot take a value, jsonschema's alone)."""
    data = {"kind": "Segment", "key": "a", "name": "A", "pql": "true", "ttlInDays": value}
    verdict = is_valid(data, "segment.schema.json")
    explained = list(validator("segment.schema.json").iter_errors(data))
    assert verdict in (None, not explained)
