"""The real client against the in-process sandbox, for answers whose classification matters."""

from __future__ import annotations

import pytest

from segctl.aep import AepClient, BadRequestError


# help/segmentation/api/export-jobs.md: destination.datasetId is required and must name a
# dataset; the sandbox answers 422 "does not exist", which is a bad request, not a conflict
# (a ConflictError would make the engine treat it like a duplicate).
def test_export_to_a_missing_dataset_is_a_bad_request(local_client: AepClient) -> None:
    with pytest.raises(BadRequestError) as info:
        local_client.create_export_job({"destination": {"datasetId": "0" * 24},
                                        "schema": {"name": "_xdm.context.profile"}})
    assert info.value.status == 422
