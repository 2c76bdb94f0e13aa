"""Catalog datasets and batches, and the Data Access API that reads files an export wrote.

Catalog answers with maps keyed by id (lists and single gets alike) and creates with
``["@/dataSets/<id>"]``; the helpers here hide both. Data Access lists a batch's files
(``/export/batches/{id}/files``), a file's entries (``/export/files/{id}``), serves the
bytes of one entry (``/export/files/{id}?path=<name>``) and previews a dataset's first rows
(``/export/datasets/{id}/preview``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from segctl.aep._base import CATALOG, DATA_ACCESS, ResourceBase, seg
from segctl.aep._errors import ApiError, NotFoundError
from segctl.aep._http import parse_json
from segctl.aep._paging import Style

DATASETS = f"{CATALOG}/dataSets"
BATCHES = f"{CATALOG}/batches"
CATALOG_PAGE = 100  # Catalog's maximum page size
_MAX_DIRECTORY_DEPTH = 4


@dataclass(frozen=True)
class BatchFile:
    """One downloaded file of a batch."""

    file_id: str
    name: str
    content: bytes


def dataset_id_from_ref(ref: str) -> str | None:
    """``"@/dataSets/5c8c…"`` (or ``@/datasets/…``, or a URL ending so) → ``"5c8c…"``."""
    text = ref.strip().rstrip("/")
    lowered = text.lower()
    marker = "/datasets/"
    at = lowered.rfind(marker)
    if at < 0:
        return None
    ident = text[at + len(marker) :].split("?", 1)[0].split("/", 1)[0]
    return ident or None


def parse_create_dataset(response: httpx.Response) -> str:
    """The new dataset's id from a create answer (body array, else the Location header)."""
    body = parse_json(response)
    refs = body if isinstance(body, list) else [body] if isinstance(body, str) else []
    refs.append(response.headers.get("location", ""))
    for ref in refs:
        if isinstance(ref, str) and (found := dataset_id_from_ref(ref)):
            return found
    raise ApiError(
        "dataset created, but the answer names no @/dataSets/<id>",
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
        method=response.request.method,
        url=str(response.request.url),
    )


def unwrap_catalog_object(body: Any, object_id: str) -> dict[str, Any] | None:
    """``{"<id>": {...}}`` → ``{..., "id": "<id>"}``."""
    if not isinstance(body, dict):
        return None
    inner = body.get(object_id)
    if not isinstance(inner, dict) and len(body) == 1:
        inner = next(iter(body.values()))
    if not isinstance(inner, dict):
        return None
    return {**inner, "id": object_id}


def _name_filter(name: str) -> str | None:
    """Catalog's ``name=`` value matching exactly ``name``, or None when it cannot be expressed
    (a comma means OR and a leading ``!`` means NOT; ``*`` is escaped as ``**``)."""
    if "," in name or name.startswith("!"):
        return None
    return name.replace("*", "**")


class CatalogApi(ResourceBase):
    # -- datasets -----------------------------------------------------------------------------

    def create_dataset(self, dataset: Mapping[str, Any]) -> str:
        """Create a dataset and return its id. After an ambiguous failure the name is looked up
        before the POST is sent again."""
        name = dataset.get("name")

        def recover() -> str | None:
            found = self.find_dataset_by_name(name) if isinstance(name, str) else None
            return found["id"] if found else None

        return self._create(
            DATASETS, dict(dataset), parse=parse_create_dataset, recover=recover if name else None
        )

    def get_dataset(self, dataset_id: str, *, properties: str | None = None) -> dict[str, Any]:
        """The dataset object (unwrapped from Catalog's ``{id: object}``), with ``id`` added."""
        url = f"{DATASETS}/{seg(dataset_id)}"
        body = self._json("GET", url, params={"properties": properties})
        found = unwrap_catalog_object(body, dataset_id)
        if found is None:
            raise NotFoundError(
                f"dataset {dataset_id} not found", status=404, method="GET", url=url
            )
        return found

    def list_datasets(
        self, *, limit: int = CATALOG_PAGE, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every dataset matching ``params`` (Catalog filters), each with its ``id``."""
        query = {"limit": limit, "start": 0, **(params or {})}
        return self._all(DATASETS, Style.CATALOG, query)

    def find_dataset_by_name(
        self, name: str, *, properties: str | None = None
    ) -> dict[str, Any] | None:
        """The dataset named exactly ``name`` (Catalog's filter is only a pre-selection)."""
        query: dict[str, Any] = {"properties": properties}
        server_filter = _name_filter(name)
        if server_filter is not None:
            query["name"] = server_filter
        if properties is not None and "name" not in properties.split(","):
            query["properties"] = f"{properties},name"
        return next((d for d in self.list_datasets(params=query) if d.get("name") == name), None)

    def set_dataset_tag(self, dataset_id: str, tag: str, values: Sequence[str]) -> None:
        """Set one Catalog tag of a dataset (JSON Patch ``add`` on ``/tags/<tag>``, AEP-API
        §8.4), leaving its other tags as they are."""
        self._json("PATCH", f"{DATASETS}/{seg(dataset_id)}",
                   json_body=[{"op": "add", "path": f"/tags/{tag}", "value": list(values)}],
                   headers={"content-type": "application/json-patch+json"})

    def delete_dataset(self, dataset_id: str) -> None:
        self._delete(f"{DATASETS}/{seg(dataset_id)}")

    # -- batches and their files --------------------------------------------------------------

    def list_dataset_batches(self, dataset_id: str) -> list[dict[str, Any]]:
        """Catalog batches written into ``dataset_id``, newest first, each with its ``id``."""
        query = {"dataSet": dataset_id, "limit": CATALOG_PAGE, "start": 0}
        batches = self._all(BATCHES, Style.CATALOG, query)
        return sorted(batches, key=lambda b: _number(b.get("created")), reverse=True)

    def list_batch_files(self, batch_id: str) -> list[dict[str, Any]]:
        """Data Access: the files of a batch (``dataSetFileId``, ``_links.self.href``, …)."""
        url = f"{DATA_ACCESS}/batches/{seg(batch_id)}/files"
        return self._all(url, Style.DATA_ACCESS, {})

    def list_file_entries(self, file_id: str) -> list[dict[str, Any]]:
        """Data Access: what a file id holds; ``{name, length}`` entries for real files,
        ``{dataSetFileId, …}`` entries when the id is a directory."""
        return self._all(f"{DATA_ACCESS}/files/{seg(file_id)}", Style.DATA_ACCESS, {})

    def download_file(self, file_id: str, path: str) -> bytes:
        """Data Access: the bytes of entry ``path`` of file ``file_id``."""
        return self._http.call(
            "GET",
            f"{DATA_ACCESS}/files/{seg(file_id)}",
            params={"path": path},
            headers={"Accept": "*/*"},
            parse=lambda response: response.content,
        )

    def preview_dataset(self, dataset_id: str) -> list[dict[str, Any]]:
        """Data Access: the first rows (up to 100) of a dataset's files, decoded by the server
        (``GET /export/datasets/{id}/preview``, ``{"data": [row, ...]}``)."""
        body = self._json("GET", f"{DATA_ACCESS}/datasets/{seg(dataset_id)}/preview")
        data = body.get("data") if isinstance(body, dict) else None
        return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []

    def read_batch_files(self, batch_id: str) -> list[BatchFile]:
        """Every file of a batch, downloaded (directories are walked)."""
        out: list[BatchFile] = []
        for listed in self.list_batch_files(batch_id):
            file_id = listed.get("dataSetFileId")
            if isinstance(file_id, str):
                self._collect(file_id, out, depth=0)
        return out

    def _collect(self, file_id: str, out: list[BatchFile], *, depth: int) -> None:
        for entry in self.list_file_entries(file_id):
            child = entry.get("dataSetFileId")
            if isinstance(child, str) and child != file_id and depth < _MAX_DIRECTORY_DEPTH:
                self._collect(child, out, depth=depth + 1)
            elif isinstance(entry.get("name"), str):
                name = entry["name"]
                out.append(BatchFile(file_id, name, self.download_file(file_id, name)))


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
