"""The profile union of the local sandbox covers every field its sample profiles carry, and
is read by its meta:altId as the Schema Registry serves it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from segctl.engine.fields import known, unknown_fields
from segctl.sandbox import LocalSandbox
from segctl.sandbox.profilestore.sample import iter_sample
from segctl.sandbox.schemaregistry.models import profile_union


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, prefix)
    else:
        yield prefix


def test_every_sample_field_is_in_the_union() -> None:
    union = profile_union()
    now = datetime(2026, 3, 1, tzinfo=UTC)
    seen = {p for profile, _ in iter_sample(300, 7, now) for p in _paths(profile)}
    assert seen and all(known(union, p) for p in seen), sorted(p for p in seen
                                                             if not known(union, p))


def test_paths_through_maps_and_arrays_and_suggestions() -> None:
    union = profile_union()
    assert known(union, "identityMap.ECID.id") and known(union, "identityMap.Email.primary")
    assert known(union, "person.name.firstName")
    assert not known(union, "person.name.first") and not known(union, "identityMap.ECID.x")
    assert unknown_fields(union, ["person.gendr", "_id"]) == [("person.gendr", "person.gender")]


def test_the_union_is_served_by_its_alt_id(local: httpx.Client, sandbox: LocalSandbox) -> None:
    base = "/data/foundation/schemaregistry/tenant/unions/"
    answer = local.get(base + "_xdm.context.profile__union", headers={
        "accept": "application/vnd.adobe.xed-full+json; version=1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["$id"] == "https://ns.adobe.com/xdm/context/profile__union"
    assert "person" in answer.json()["properties"]
    missing = local.get(base + "_xdm.context.experienceevent__union")
    assert missing.status_code == 404 and missing.json()["status"] == 404
