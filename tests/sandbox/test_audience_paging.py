"""The audience list's pages are cut from one ordering of the store, read again after every
write: a page read after a create, a delete or another process's commit shows the store as it
is then."""

from __future__ import annotations

import httpx

from segctl.sandbox import LocalSandbox
from tests.sandbox.conftest import UPS

AUD = f"{UPS}/audiences"


def _create(http: httpx.Client, name: str) -> str:
    answer = http.post(f"{UPS}/segment/definitions", json={
        "name": name, "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "f"'}})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _ids(http: httpx.Client, **params: object) -> tuple[list[str], int]:
    page = http.get(AUD, params={"limit": 2, **params}).json()
    return [a["id"] for a in page["children"]], page["_page"]["totalCount"]


def test_pages_follow_writes_between_them(http: httpx.Client, sandbox: LocalSandbox) -> None:
    first, second = _create(http, "first"), _create(http, "second")
    newest, total = _ids(http)
    assert newest == [second, first] and total == 2 + 2  # and the two seeded audiences
    third = _create(http, "third")
    newest, total = _ids(http)
    assert newest == [third, second] and total == 5
    page, follow = _ids(http, start=2)[0], _ids(http, start=3)[0]
    assert page[0] == first and page[1] == follow[0]  # the next page starts one further
    assert http.delete(f"{UPS}/segment/definitions/{second}").status_code in (200, 204)
    assert _ids(http) == ([third, first], 4)
    oldest, _ = _ids(http, sort="creationTime:asc")
    assert first not in oldest and len(oldest) == 2  # the seeded ones are older
    # another connection's commit (another process on the same data directory) is seen too
    other = LocalSandbox(sandbox.data_dir)
    try:
        with other.store.write() as db:
            db.execute("DELETE FROM resources WHERE id=?", (third,))
    finally:
        other.close()
    assert _ids(http)[0][0] == first and _ids(http)[1] == 3
