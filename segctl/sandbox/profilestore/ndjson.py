"""Reading the sample's NDJSON files: records in chunks of lines decoded by one ``json.loads``
call, and (for the store builder) each record's byte span, to read it again later."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

CHUNK_LINES = 20_000


def decode_chunk(lines: list[str]) -> list[Any]:
    """The records of some NDJSON lines, decoded as one JSON array (one C-decoder call that
    shares key strings); a chunk that is not exactly one value per line is decoded line by
    line, so a bad line raises the same error, at the same line, as reading it alone."""
    try:
        records = json.loads("[" + ",".join(lines) + "]")
    except ValueError:
        records = None
    if records is None or len(records) != len(lines):
        records = [json.loads(line) for line in lines]
    return list(records)


def read(path: Path) -> Iterator[Any]:
    """Every record of an NDJSON file, in order (blank lines skipped)."""
    with path.open("r", encoding="utf-8") as fh:
        chunk: list[str] = []
        for line in fh:
            if line.strip():
                chunk.append(line)
                if len(chunk) >= CHUNK_LINES:
                    yield from decode_chunk(chunk)
                    chunk = []
        if chunk:
            yield from decode_chunk(chunk)


def read_spans(path: Path) -> Iterator[tuple[Any, int, int]]:
    """Every record with the byte offset and length of its line, for :func:`read_at`. Lines
    end where text mode ends them (``\\n``, ``\\r\\n`` or ``\\r``), so the records are the ones
    :func:`read` gives."""
    with path.open("rb") as fh:
        chunk: list[bytes] = []
        spans: list[tuple[int, int]] = []
        for offset, line in _binary_lines(fh):
            if line.strip():
                chunk.append(line)
                spans.append((offset, len(line)))
                if len(chunk) >= CHUNK_LINES:
                    yield from zip(_decode_binary(chunk), *zip(*spans, strict=True),
                                   strict=True)
                    chunk, spans = [], []
        if chunk:
            yield from zip(_decode_binary(chunk), *zip(*spans, strict=True), strict=True)


def _decode_binary(lines: list[bytes]) -> list[Any]:
    """:func:`decode_chunk` of undecoded lines (UTF-8, as ``read`` opens the file)."""
    try:
        records = json.loads((b"[" + b",".join(lines) + b"]").decode("utf-8"))
    except ValueError:  # UnicodeDecodeError too: then the line at fault raises it
        records = None
    if records is None or len(records) != len(lines):
        records = decode_chunk([line.decode("utf-8") for line in lines])
    return list(records)


def _binary_lines(fh: BinaryIO) -> Iterator[tuple[int, bytes]]:
    offset = 0
    for raw in fh:
        position = 0
        while b"\r" in raw[position:]:  # universal newlines: a lone \r also ends a line
            cr = raw.index(b"\r", position)
            end = cr + 2 if raw[cr + 1:cr + 2] == b"\n" else cr + 1
            yield offset + position, raw[position:end]
            position = end
        if position < len(raw):
            yield offset + position, raw[position:]
        offset += len(raw)


def read_at(fh: BinaryIO, spans: list[tuple[int, int]], gap: int = 1 << 16) -> list[Any]:
    """The records at ``spans`` (from :func:`read_spans`) in that order; neighbouring spans
    are read together."""
    lines: list[str] = []
    i = 0
    while i < len(spans):
        start, size = spans[i]
        end = start + size
        j = i + 1
        while j < len(spans) and end <= spans[j][0] <= end + gap:
            end = spans[j][0] + spans[j][1]
            j += 1
        fh.seek(start)
        blob = fh.read(end - start)
        for offset, length in spans[i:j]:
            lines.append(blob[offset - start:offset - start + length].decode("utf-8"))
        i = j
    return decode_chunk(lines) if lines else []
