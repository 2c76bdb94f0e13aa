"""Routes of the Catalog Service API (catalog.yaml, /dataSets and /batches)."""

from segctl.sandbox.catalog.responses import (
    create_dataset,
    delete_dataset,
    get_batch,
    get_dataset,
    list_batches,
    list_dataset_files,
    list_datasets,
    patch_dataset,
)
from segctl.sandbox.core.values import CATALOG_BASE
from segctl.sandbox.core.web import Route

ROUTES = [
    Route("GET", f"{CATALOG_BASE}/dataSets", list_datasets,
          query=("name", "property", "tags", "orderBy", "properties", "limit", "start")),
    Route("POST", f"{CATALOG_BASE}/dataSets", create_dataset),
    Route("GET", f"{CATALOG_BASE}/dataSets/{{id}}", get_dataset, query=("properties",)),
    Route("PATCH", f"{CATALOG_BASE}/dataSets/{{id}}", patch_dataset),
    Route("DELETE", f"{CATALOG_BASE}/dataSets/{{id}}", delete_dataset),
    Route("GET", f"{CATALOG_BASE}/batches", list_batches,
          query=("limit", "start", "dataSet", "status", "orderBy", "properties")),
    Route("GET", f"{CATALOG_BASE}/batches/{{id}}", get_batch),
    Route("GET", f"{CATALOG_BASE}/dataSetFiles", list_dataset_files,
          query=("dataSetId", "limit", "start")),
]
