"""Typed methods: the requests they send and how they read the answers."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from segctl.aep import (
    MAX_SEGMENT_IDS_PER_JOB,
    AepClient,
    AepConfig,
    ApiError,
    BatchFile,
    NotFoundError,
)
from segctl.aep._catalog import dataset_id_from_ref
from segctl.aep._segments import chunk_ids

from .conftest import CATALOG, EXPORT, IMS, UPS, token_response


def _sent(route: respx.Route, n: int = 0) -> object:
    return json.loads(route.calls[n].request.content)


def test_segment_jobs_split_into_groups_of_twenty(client: AepClient, router: respx.Router) -> None:
    ids = [f"seg-{n:02d}" for n in range(45)] + ["seg-00", "seg-01"]  # duplicates dropped
    counter = iter(range(100))
    route = router.post(f"{UPS}/segment/jobs").mock(
        side_effect=lambda request: httpx.Response(
            200, json={"id": f"job-{next(counter)}", "status": "NEW"}
        )
    )
    jobs = client.create_segment_jobs(ids)
    assert [j["id"] for j in jobs] == ["job-0", "job-1", "job-2"]
    bodies = [_sent(route, n) for n in range(3)]
    assert [len(b) for b in bodies] == [20, 20, 5]  # type: ignore[arg-type]
    assert bodies[0][0] == {"segmentId": "seg-00"}  # type: ignore[index]
    assert bodies[2][-1] == {"segmentId": "seg-44"}  # type: ignore[index]
    assert route.calls[0].request.headers["x-profile-instance-id"] == "ups"
    assert client.create_segment_jobs([]) == []
    assert MAX_SEGMENT_IDS_PER_JOB == 20
    assert chunk_ids(["a", "b", "a", "c"], size=2) == [("a", "b"), ("c",)]


def test_segment_job_for_all_uses_the_star_form(client: AepClient, router: respx.Router) -> None:
    route = router.post(f"{UPS}/segment/jobs").mock(
        return_value=httpx.Response(200, json={"id": "j"})
    )
    client.create_segment_job_for_all()
    assert _sent(route) == {
        "schema": {"name": "_xdm.context.profile"},
        "segments": [{"segmentId": "*"}],
    }


def test_segment_job_get_and_cancel(client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(
        return_value=httpx.Response(200, json={"id": "j1", "status": "QUEUED"})
    )
    cancel = router.delete(f"{UPS}/segment/jobs/j1").mock(
        return_value=httpx.Response(204, json={"status": True, "message": "marked for cancelling"})
    )
    assert client.get_segment_job("j1")["status"] == "QUEUED"
    assert client.cancel_segment_job("j1") == {"status": True, "message": "marked for cancelling"}
    assert cancel.call_count == 1


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (201, ["@/dataSets/5c8c3c555033b814b69f947f"], {}, "5c8c3c555033b814b69f947f"),
        (201, ["@/datasets/5ba9452f7de80400007fc52a"], {}, "5ba9452f7de80400007fc52a"),
        (
            201,
            [],
            {"Location": "https://platform.test/data/foundation/catalog/dataSets/abc123"},
            "abc123",
        ),
        (200, "@/dataSets/def456", {}, "def456"),
    ],
)
def test_dataset_create_parses_the_reference(
    client: AepClient,
    router: respx.Router,
    status: int,
    body: object,
    headers: dict[str, str],
    expected: str,
) -> None:
    route = router.post(f"{CATALOG}/dataSets").mock(
        return_value=httpx.Response(status, json=body, headers=headers)
    )
    request = {
        "name": "Female customers",
        "schemaRef": {"id": "https://ns.adobe.com/xdm/context/profile__union"},
    }
    assert client.create_dataset(request) == expected
    assert _sent(route) == request


def test_dataset_create_without_a_reference_is_an_error(
    client: AepClient, router: respx.Router
) -> None:
    router.post(f"{CATALOG}/dataSets").mock(return_value=httpx.Response(201, json=[]))
    with pytest.raises(ApiError, match="names no @/dataSets"):
        client.create_dataset({"name": "x"})


def test_dataset_ref_parsing() -> None:
    assert dataset_id_from_ref("@/dataSets/5c8c") == "5c8c"
    assert dataset_id_from_ref("@/DATASETS/abc/") == "abc"
    assert dataset_id_from_ref("@/batches/abc") is None


def test_get_dataset_unwraps_the_map(client: AepClient, router: respx.Router) -> None:
    router.get(f"{CATALOG}/dataSets/ds1").mock(
        return_value=httpx.Response(
            200, json={"ds1": {"name": "Female customers", "tags": {"managedBy": ["segctl"]}}}
        )
    )
    assert client.get_dataset("ds1") == {
        "name": "Female customers",
        "tags": {"managedBy": ["segctl"]},
        "id": "ds1",
    }
    router.get(f"{CATALOG}/dataSets/gone").mock(
        return_value=httpx.Response(
            404,
            json={
                "type": "/placeholder/type/uri",
                "status": 404,
                "title": "NotFoundError",
                "detail": "DataSet not found.",
            },
        )
    )
    with pytest.raises(NotFoundError, match="DataSet not found"):
        client.get_dataset("gone")


def test_find_dataset_by_exact_name_pages_and_filters(
    client: AepClient, router: respx.Router
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        # the server's filter is loose (wildcards): near-misses come back too
        rows = {
            f"{n:024x}": {"name": "Exports *" if n == 130 else f"Exports {n}"} for n in range(150)
        }
        keys = list(rows)[start : start + 100]
        return httpx.Response(200, json={k: rows[k] for k in keys})

    route = router.get(f"{CATALOG}/dataSets").mock(side_effect=answer)
    found = client.find_dataset_by_name("Exports *")
    assert found == {"name": "Exports *", "id": f"{130:024x}"}
    assert route.calls[0].request.url.params["name"] == "Exports **"  # literal * escaped
    assert [c.request.url.params["start"] for c in route.calls] == ["0", "100"]
    assert client.find_dataset_by_name("missing") is None


def test_find_dataset_name_with_comma_is_not_sent_as_a_filter(
    client: AepClient, router: respx.Router
) -> None:
    route = router.get(f"{CATALOG}/dataSets").mock(
        return_value=httpx.Response(200, json={"x1": {"name": "a,b"}})
    )
    assert client.find_dataset_by_name("a,b") == {"name": "a,b", "id": "x1"}
    assert "name" not in route.calls[0].request.url.params


def test_batches_files_and_download(client: AepClient, router: respx.Router) -> None:
    batches = router.get(f"{CATALOG}/batches").mock(
        return_value=httpx.Response(
            200,
            json={
                "old": {
                    "status": "success",
                    "created": 1000,
                    "relatedObjects": [{"type": "dataSet", "id": "ds1"}],
                },
                "new": {
                    "status": "success",
                    "created": 2000,
                    "relatedObjects": [{"type": "dataSet", "id": "ds1"}],
                },
            },
        )
    )
    router.get(f"{EXPORT}/batches/new/files").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "dataSetFileId": "file-1",
                        "isValid": True,
                        "_links": {"self": {"href": f"{EXPORT}/files/file-1"}},
                    }
                ],
                "_page": {"limit": 100, "count": 1},
            },
        )
    )
    router.get(f"{EXPORT}/files/file-1", params={"path": "part-0.json"}).mock(
        return_value=httpx.Response(
            200, content=b'{"a": 1}\n', headers={"content-type": "application/octet-stream"}
        )
    )
    router.get(f"{EXPORT}/files/file-1").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "name": "part-0.json",
                        "length": "9",
                        "_links": {"self": {"href": f"{EXPORT}/files/file-1?path=part-0.json"}},
                    }
                ],
                "_page": {"limit": 100, "count": 1},
            },
        )
    )
    listed = client.list_dataset_batches("ds1")
    assert [b["id"] for b in listed] == ["new", "old"]
    assert batches.calls[0].request.url.params["dataSet"] == "ds1"
    assert client.read_batch_files("new") == [BatchFile("file-1", "part-0.json", b'{"a": 1}\n')]


def test_dataset_preview_reads_the_data_access_preview(
    client: AepClient, router: respx.Router
) -> None:
    """data-access.yaml retrieveDatasetPreview: GET /datasets/{id}/preview -> {"data": [row]}."""
    route = router.get(f"{EXPORT}/datasets/ds1/preview").mock(
        return_value=httpx.Response(200, json={"data": [{"_id": "a"}, {"_id": "b"}, "junk"]})
    )
    assert client.preview_dataset("ds1") == [{"_id": "a"}, {"_id": "b"}]
    assert route.calls[0].request.headers["x-sandbox-name"]


def test_definition_update_sends_the_full_object(client: AepClient, router: respx.Router) -> None:
    route = router.patch(f"{UPS}/segment/definitions/d1").mock(
        return_value=httpx.Response(200, json={"id": "d1"})
    )
    full = {
        "name": "n",
        "description": "",
        "expression": {"type": "PQL", "format": "pql/text", "value": "x"},
        "schema": {"name": "_xdm.context.profile"},
    }
    client.update_segment_definition("d1", full)
    assert _sent(route) == {**full, "id": "d1"}


def test_definition_delete_accepts_an_empty_answer(client: AepClient, router: respx.Router) -> None:
    route = router.delete(f"{UPS}/segment/definitions/d%201").mock(return_value=httpx.Response(200))
    client.delete_segment_definition("d 1")  # ids are path-encoded
    assert route.call_count == 1


def test_bulk_get_reads_the_207_results(client: AepClient, router: respx.Router) -> None:
    route = router.post(f"{UPS}/segment/definitions/bulk-get").mock(
        return_value=httpx.Response(207, json={"results": {"a": {"id": "a"}, "b": {"id": "b"}}})
    )
    assert client.bulk_get_segment_definitions(["a", "b", "a"]) == {
        "a": {"id": "a"},
        "b": {"id": "b"},
    }
    assert _sent(route) == {"ids": [{"id": "a"}, {"id": "b"}]}
    assert client.bulk_get_segment_definitions([]) == {}


def test_export_job_ids_are_integers(client: AepClient, router: respx.Router) -> None:
    get = router.get(f"{UPS}/export/jobs/11037").mock(
        return_value=httpx.Response(200, json={"id": 11037})
    )
    cancel = router.delete(f"{UPS}/export/jobs/11037").mock(return_value=httpx.Response(204))
    assert client.get_export_job(11037) == {"id": 11037}
    assert client.cancel_export_job(11037) is None
    assert get.call_count == cancel.call_count == 1


def test_preview_estimate_and_schedule(client: AepClient, router: respx.Router) -> None:
    create = router.post(f"{UPS}/preview").mock(
        return_value=httpx.Response(201, json={"state": "NEW", "previewId": "MDpwcmV2"})
    )
    router.get(f"{UPS}/preview/MDpwcmV2", params={"limit": "10"}).mock(
        return_value=httpx.Response(200, json={"results": [], "state": "RESULT_READY"})
    )
    router.get(f"{UPS}/estimate/MDpwcmV2").mock(
        return_value=httpx.Response(200, json={"estimatedSize": 4275})
    )
    router.get(f"{UPS}/config/schedules/s1").mock(
        return_value=httpx.Response(200, json={"id": "s1"})
    )
    preview = client.create_preview('person.gender = "female"')
    assert _sent(create) == {
        "predicateExpression": 'person.gender = "female"',
        "predicateType": "pql/text",
        "predicateModel": "_xdm.context.profile",
        "graphType": "none",
    }
    assert client.get_preview(preview["previewId"], limit=10)["state"] == "RESULT_READY"
    assert client.get_estimate("MDpwcmV2")["estimatedSize"] == 4275
    assert client.get_schedule("s1") == {"id": "s1"}


def test_non_object_answer_is_an_error(client: AepClient, router: respx.Router) -> None:
    router.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, text="<html>"))
    with pytest.raises(ApiError, match="not valid JSON"):
        client.get_segment_job("j1")


def test_without_a_transport_the_client_speaks_real_http(config: AepConfig) -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.post(IMS).mock(return_value=token_response())
        mock.get(f"{UPS}/segment/jobs/j1").mock(return_value=httpx.Response(200, json={"id": "j1"}))
        with AepClient(config) as client:
            assert client.get_segment_job("j1") == {"id": "j1"}
            assert client.request_count == 2


def test_segment_job_history_reads_pages_until_it_reaches_back_far_enough(
    client: AepClient, router: respx.Router
) -> None:
    def job(n: int, created: int) -> dict[str, object]:
        return {"id": f"j{n}", "creationTime": created}

    first = {"_page": {"count": 2}, "children": [job(1, 9_000), job(2, 8_000)],
             "_links": {"next": {"href": "/segment/jobs?start=2&limit=100"}}}
    second = {"_page": {"count": 2}, "children": [job(3, 7_000), job(4, 4_000)],
              "_links": {"next": {"href": "/segment/jobs?start=4&limit=100"}}}
    route = router.get(f"{UPS}/segment/jobs").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)])
    jobs = client.segment_job_history(5_000)
    assert [j["id"] for j in jobs] == ["j1", "j2", "j3"]  # j4 is older: no third page read
    assert route.call_count == 2
    assert route.calls[0].request.url.params["sort"] == "creationTime:desc"
def test_schedule_list_create_and_patch(client: AepClient, router: respx.Router) -> None:
    listed = router.get(f"{UPS}/config/schedules").mock(return_value=httpx.Response(
        200, json={"_page": {"count": 1}, "children": [{"id": "s1", "type": "batch_segmentation"}],
                   "_links": {}}))
    created = router.post(f"{UPS}/config/schedules").mock(
        return_value=httpx.Response(200, json={"id": "s2", "state": "active"}))
    patched = router.patch(f"{UPS}/config/schedules/s1").mock(
        return_value=httpx.Response(204))
    assert client.list_schedules() == [{"id": "s1", "type": "batch_segmentation"}]
    assert dict(listed.calls[0].request.url.params) == {"start": "0", "limit": "100"}
    body = {"name": "Batch Segmentation", "type": "batch_segmentation",
            "properties": {"segments": []}, "schedule": "0 30 2 * * ?", "state": "active"}
    assert client.create_schedule(body) == {"id": "s2", "state": "active"}
    assert _sent(created) == body
    assert client.patch_schedule("s1", {"schedule": "0 30 2 * * ?", "state": "inactive"}) is None
    assert _sent(patched) == [{"op": "add", "path": "/schedule", "value": "0 30 2 * * ?"},
                              {"op": "add", "path": "/state", "value": "inactive"}]
