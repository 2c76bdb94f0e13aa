"""Schema descriptions (what editors show on hover) point at documents that exist: a public
https URL, never a file that does not ship with segctl (such as the absent PQL.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _descriptions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def test_descriptions_reference_no_missing_document() -> None:
    texts = [t for f in sorted(SCHEMAS.glob("*.json"))
             for t in _descriptions(json.loads(f.read_text()))]
    assert texts
    for text in texts:
        assert not re.findall(r"\b[\w/-]+\.md\b", text), f"names an unshipped file: {text}"
        links = [u for u in re.findall(r"https?://[^\s`)]+", text)
                 if "platform.adobe.io" not in u]  # an example value, not a link
        for url in links:
            assert url.startswith("https://experienceleague.adobe.com/docs/"), url
