"""Batch files as AEP stores them: Parquet (help/data-access/api.md: a batch's dataset files
are "Parquet files"; data-access.yaml previews "the first 100 rows of the retrieved CSV or
Parquet files"). Export jobs write them here and the Data Access handlers read them back.

Rows are nested JSON objects (projected profiles). Arrow infers one struct schema over all
rows of a file (the union of their keys; a key a row lacks reads back as null). Parquet cannot
hold a struct without fields, so an empty object is written as null.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PART_NAME = "part-00000.parquet"
PREVIEW_ROWS = 100  # data-access.yaml retrieveDatasetPreview: "the first 100 rows"


def _storable(value: Any) -> Any:
    if isinstance(value, dict):
        if not value:
            return None
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` as one Parquet file, atomically (a reader never sees half a file)."""
    import pyarrow as pa  # only exports and previews need Parquet (pyarrow: ~20 ms to import)
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([_storable(r) for r in rows]) if rows else pa.table({})
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def read_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of a Parquet file (the first ``limit`` of them), as JSON-ready objects."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    if limit is None:
        return list(parquet.read().to_pylist())
    rows: list[dict[str, Any]] = []
    for batch in parquet.iter_batches(batch_size=max(limit, 1)):
        rows.extend(batch.to_pylist())
        if len(rows) >= limit:
            break
    return rows[:limit]
