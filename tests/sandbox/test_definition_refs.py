"""A definition's references: stored at each write, found in the expression for a document
written before the sandbox kept them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from segctl.sandbox import LocalSandbox
from segctl.sandbox.core.store import Partition
from segctl.sandbox.definitions.models import KIND, REFS, refs
from tests.sandbox.conftest import ORG, UPS

TREE = {"nodeType": "fnApply", "fnName": "inSegment",
        "params": [{"nodeType": "literal", "literalType": "String", "value": "seg-b"}]}


def _doc(fmt: str, value: object) -> dict[str, object]:
    return {"id": "seg-a", "expression": {"type": "PQL", "format": fmt, "value": value}}


def test_stored_references_are_read_as_they_are() -> None:
    doc = {**_doc("pql/text", 'inSegment("seg-c")'), REFS: ["seg-z"]}
    assert refs(doc) == frozenset({"seg-z"})  # what the write stored, nothing parsed


def test_documents_without_stored_references_are_parsed() -> None:
    assert refs(_doc("pql/text", 'inSegment("seg-b") and person.gender = "f"')) == {"seg-b"}
    assert refs(_doc("pql/json", json.dumps(TREE))) == {"seg-b"}
    assert refs(_doc("pql/json", TREE)) == {"seg-b"}
    assert refs(_doc("pql/text", 'person.gender = "f"')) == frozenset()
    assert refs(_doc("pql/text", 'inSegment(')) == frozenset()  # unreadable: no references
    assert refs({"id": "x"}) == frozenset()


def test_a_write_stores_the_references_and_no_answer_shows_them(
        http: httpx.Client, sandbox: LocalSandbox) -> None:
    def create(name: str, pql: str) -> dict[str, Any]:
        answer = http.post(f"{UPS}/segment/definitions", json={
            "name": name, "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": pql}})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    base = create("base", 'person.gender = "female"')
    base_id = base["id"]
    user = create("user", f'inSegment("{base_id}")')
    stored = {d["id"]: d for d in sandbox.store.all(KIND, Partition(ORG, "prod"))}
    assert stored[base["id"]][REFS] == [] and stored[user["id"]][REFS] == [base["id"]]
    changed = http.patch(f"{UPS}/segment/definitions/{user['id']}", json={
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "f"'}})
    assert changed.status_code == 200 and REFS not in changed.json()
    stored = {d["id"]: d for d in sandbox.store.all(KIND, Partition(ORG, "prod"))}
    assert stored[user["id"]][REFS] == []
    audience = http.get(f"/data/core/ups/audiences/{base['id']}").json()
    assert REFS not in audience and audience["dependents"] == []
    assert REFS not in user and REFS not in base


def test_dependents_use_stored_references_and_parse_only_older_documents(
        http: httpx.Client, sandbox: LocalSandbox, monkeypatch: Any) -> None:
    """An audience's ``dependents`` come from the references kept at each write; only a
    document stored before the sandbox kept them has its expression parsed."""
    from segctl.sandbox.audiences import models as audiences

    def create(name: str, pql: str) -> str:
        answer = http.post(f"{UPS}/segment/definitions", json={
            "name": name, "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": pql}})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])

    base = create("base", 'person.gender = "female"')
    new, old = create("new", f'inSegment("{base}")'), create("old", f'inSegment("{base}")')
    scope = Partition(ORG, "prod")
    with sandbox.store.write() as db:  # "old" as a sandbox before stored references wrote it
        db.execute("UPDATE resources SET body=json_remove(body, '$.__refs') WHERE id=?", (old,))
    parsed: list[str] = []
    real = audiences.refs_of_json

    def spy(expression: str) -> frozenset[str]:
        parsed.append(expression)
        return real(expression)

    monkeypatch.setattr(audiences, "refs_of_json", spy)
    assert sorted(audiences._dependents(sandbox, scope)[base]) == sorted([new, old])
    assert len(parsed) == 1 and old not in parsed[0] and base in parsed[0]
