"""Where the documentation allows more than one answer, the client must accept each of them.

Every case names the page or spec that documents the variant. The server side is scripted with
respx; the client is the real ``AepClient``.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from segctl.aep import AepClient, BadRequestError, ConflictError

from .conftest import PLATFORM, UPS

U = PLATFORM + UPS


# help/segmentation/api/segment-definitions.md (create: "422 Already exists", spec
# segmentation.yaml) vs the export-job dataset lookup, whose failure names a dataset that "does
# not exist" / "cannot be retrieved from Catalog" (segmentation.yaml, audiences 400 example).
@pytest.mark.parametrize(
    ("message", "cls"),
    [
        ("The segment definition already exists. Use PATCH to update it.", ConflictError),
        ("Dataset 5b7c86968f7b6501e21ba9df does not exist in this sandbox.", BadRequestError),
        ("Dataset 15b4 cannot be retrieved from Catalog https://platform.adobe.io/...",
         BadRequestError),
        ("Segment definition abc not found", BadRequestError),
    ],
)
def test_422_is_a_conflict_only_for_duplicates(
    client: AepClient, router: respx.Router, message: str, cls: type
) -> None:
    router.post(f"{U}/export/jobs").mock(return_value=httpx.Response(422, json={
        "type": "https://ns.adobe.com/aep/errors/UPLIB-101554-422", "title": message,
        "status": 422, "errors": {"422": [{"code": 422, "message": message}]}}))
    with pytest.raises(cls):
        client.create_export_job({"destination": {"datasetId": "5b7c86968f7b6501e21ba9df"},
                                  "schema": {"name": "_xdm.context.profile"}})
