"""Routes of the Data Access API (data-access-api.yaml, /batches/{id}/files and /files/{id})."""

from segctl.sandbox.core.values import EXPORT_BASE
from segctl.sandbox.core.web import Route
from segctl.sandbox.dataaccess.responses import batch_files, dataset_preview, file_info

ROUTES = [
    Route("GET", f"{EXPORT_BASE}/batches/{{id}}/files", batch_files),
    Route("GET", f"{EXPORT_BASE}/files/{{id}}", file_info, query=("path",)),
    Route("GET", f"{EXPORT_BASE}/datasets/{{id}}/preview", dataset_preview),
]
