"""The Sandbox API (help/sandboxes/api/sandboxes.md, sandbox.yaml) and the gateway's refusal of
sandbox names the org does not have (issue 17)."""

from __future__ import annotations

import httpx

from .conftest import CATALOG, UPS

SMS = "/data/foundation/sandbox-management/sandboxes"


def test_prod_always_exists_and_is_the_default(http: httpx.Client) -> None:
    listed = http.get(SMS).json()
    assert [s["name"] for s in listed["sandboxes"]] == ["prod"]
    prod = listed["sandboxes"][0]
    assert prod["type"] == "production" and prod["isDefault"] is True
    assert prod["state"] == "active"
    assert listed["_page"] == {"limit": 50, "count": 1}
    assert http.get(f"{SMS}/prod").json() == prod


def test_an_unknown_sandbox_is_refused_by_the_gateway_until_created(http: httpx.Client) -> None:
    headers = {"x-sandbox-name": "qa"}
    refused = http.get(f"{UPS}/segment/definitions", headers=headers)
    assert refused.status_code == 403
    assert refused.json() == {"error_code": "403025", "message": "Profile is not valid"}
    assert http.post(f"{CATALOG}/dataSets", json={"name": "x"}, headers=headers
                     ).status_code == 403  # nothing is written into a sandbox that is not there
    assert http.get(f"{SMS}/qa").status_code == 404

    created = http.post(SMS, json={"name": "qa", "title": "QA", "type": "development"})
    assert created.status_code == 202
    assert created.json() == {"name": "qa", "title": "QA", "state": "creating",
                              "type": "development", "region": "VA7"}
    looked_up = http.get(f"{SMS}/qa").json()
    assert looked_up["state"] == "active" and looked_up["isDefault"] is False
    assert http.get(f"{UPS}/segment/definitions", headers=headers).status_code == 200
    assert [s["name"] for s in http.get(SMS).json()["sandboxes"]] == ["prod", "qa"]


def test_sandbox_management_answers_whatever_sandbox_the_caller_names(
        http: httpx.Client) -> None:
    # org-level: creating "dev" while naming "dev" (not there yet) in x-sandbox-name works
    created = http.post(SMS, json={"name": "dev", "title": "Dev", "type": "development"},
                        headers={"x-sandbox-name": "dev"})
    assert created.status_code == 202


def test_create_refuses_bad_names_types_and_duplicates(http: httpx.Client) -> None:
    for body, status in (({"name": "Has Caps", "title": "t", "type": "development"}, 400),
                         ({"name": "ok", "title": "t", "type": "sandbox"}, 400),
                         ({"name": "ok", "type": "development"}, 400),
                         ({"name": "prod", "title": "t", "type": "production"}, 409)):
        answer = http.post(SMS, json=body)
        assert answer.status_code == status, body
        error = answer.json()
        assert error["status"] == status and error["title"]
        assert error["type"].startswith("http://ns.adobe.com/aep/errors/SMS-")
    assert http.post(SMS, json={"name": "ok", "title": "t", "type": "development"}
                     ).status_code == 202
    assert http.post(SMS, json={"name": "ok", "title": "t", "type": "development"}
                     ).status_code == 409


def test_list_pages_with_limit_and_offset_together(http: httpx.Client) -> None:
    for name in ("a1", "a2", "a3"):
        http.post(SMS, json={"name": name, "title": name, "type": "development"})
    page = http.get(SMS, params={"limit": 2, "offset": 1}).json()
    assert [s["name"] for s in page["sandboxes"]] == ["a1", "a2"]
    assert page["_page"] == {"limit": 2, "count": 2}
    assert "offset=3" in page["_links"]["next"]["href"]
    assert http.get(SMS, params={"limit": 2}).status_code == 400  # appendix.md: both or none


def test_sandboxes_belong_to_one_org(http: httpx.Client) -> None:
    http.post(SMS, json={"name": "mine", "title": "t", "type": "development"})
    other = {"x-gw-ims-org-id": "OTHER000000000000000000@AdobeOrg"}
    assert [s["name"] for s in http.get(SMS, headers=other).json()["sandboxes"]] == ["prod"]
    assert http.get(f"{CATALOG}/dataSets", headers={**other, "x-sandbox-name": "mine"}
                    ).status_code == 403
