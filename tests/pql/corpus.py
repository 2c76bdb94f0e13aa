"""Loaders for the golden PQL fixture files (tests/fixtures/pql)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pql"


def identity_lines() -> list[str]:
    """Canonical expressions, one per line."""
    return [line for line in (FIXTURES / "identity.pql").read_text().splitlines() if line]


def canonical_pairs() -> list[tuple[str, str]]:
    """(non-canonical input, canonical text) blocks of canonical_pairs.txt."""
    pairs = []
    for block in (FIXTURES / "canonical_pairs.txt").read_text().split("\n\n"):
        lines = [line for line in block.strip("\n").split("\n") if not line.startswith("#")]
        if not lines:
            continue
        source = "\n".join(line for line in lines if not line.startswith("=> "))
        (expected,) = [line[3:] for line in lines if line.startswith("=> ")]
        pairs.append((source, expected))
    return pairs


def json_examples() -> list[dict[str, Any]]:
    """{name, text, json, writer_exact} entries of json_examples.json."""
    data: list[dict[str, Any]] = json.loads((FIXTURES / "json_examples.json").read_text())
    return data
