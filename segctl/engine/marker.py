"""The ownership marker (DESIGN §4): the single place that formats and parses it.

Objects segctl writes carry who owns them: the **project** (the ``name`` of the project's
``kind: Project`` document) and the object's **key** inside that project.

- Segment definitions (and audiences) have no free-form tags, so the marker is a short trailer
  in the description: ``"<description>\\n\\n[segctl:project=<project>;key=<key>]"``
  (``;protect`` is appended inside the brackets for protected segments). It is hidden from
  every diff.
- Datasets carry a Catalog tag instead: ``{"segctl": ["project=<project>", "export=<key>"]}``.

Markers written before projects existed (``[segctl:key=<key>]``, a tag without ``project=``)
parse with ``project=None``: the engine reads them as **unclaimed** (adoptable, never pruned)
and re-stamps them with the project on the next apply. Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# the trailer at the very end of a description: [segctl:<field>;<field>...]
_TRAILER = re.compile(r"\s*\[segctl:(?P<body>[^\]\s]+)\]\s*\Z")
# project names and keys share the key grammar of the schemas (no `;`, `]`, `=` or spaces)
NAME_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")
DATASET_TAG = "segctl"


@dataclass(frozen=True)
class Marker:
    """Who owns a live object: ``key`` inside ``project`` (None = a marker from before
    projects, read as unclaimed)."""

    key: str
    protect: bool = False
    project: str | None = None

    def owned_by(self, project: str) -> bool:
        return self.project == project


def format_marker(mark: Marker) -> str:
    """The bracketed trailer for ``mark`` (``[segctl:project=p;key=k;protect]``)."""
    fields = ([f"project={mark.project}"] if mark.project is not None else [])
    fields.append(f"key={mark.key}")
    if mark.protect:
        fields.append("protect")
    return f"[segctl:{';'.join(fields)}]"


def stamp(description: str, key: str, *, project: str | None, protect: bool = False) -> str:
    """``description`` with the ownership trailer (replacing any earlier one).

    ``protect`` travels in the marker too, so a protected segment removed from the files is
    still never pruned.
    """
    clean, _ = parse(description)
    trailer = format_marker(Marker(key, protect, project))
    return f"{clean}\n\n{trailer}" if clean else trailer


def parse(description: str | None) -> tuple[str, Marker | None]:
    """Split a live description into (text without the trailer, the marker or None)."""
    text = description or ""
    match = _TRAILER.search(text)
    if match is None:
        return text, None
    mark = _parse_fields(match.group("body").split(";"))
    if mark is None:
        return text, None
    return text[: match.start()], mark


def _parse_fields(fields: list[str]) -> Marker | None:
    values: dict[str, str] = {}
    flags: set[str] = set()
    for item in fields:
        name, eq, value = item.partition("=")
        if eq:
            values[name] = value
        else:
            flags.add(name)
    key = values.get("key")
    if not key:
        return None
    return Marker(key, "protect" in flags, values.get("project") or None)


def dataset_tags(export_key: str, *, project: str | None) -> dict[str, list[str]]:
    """Catalog tags stamped on a dataset segctl creates for an export."""
    values = ([f"project={project}"] if project is not None else [])
    return {DATASET_TAG: [*values, f"export={export_key}"]}


def parse_dataset(dataset: Mapping[str, Any]) -> Marker | None:
    """The marker of a live dataset (``key`` is the export key), or None when unmarked."""
    tags = dataset.get("tags") or {}
    if not isinstance(tags, Mapping):
        return None
    values = [v for v in tags.get(DATASET_TAG) or () if isinstance(v, str)]
    fields = dict(v.partition("=")[::2] for v in values if "=" in v)
    export = fields.get("export")
    if not export:
        return None
    return Marker(export, False, fields.get("project") or None)


def dataset_owner(dataset: Mapping[str, Any]) -> str | None:
    """The export key a live dataset was created for, or None when segctl does not own it."""
    mark = parse_dataset(dataset)
    return mark.key if mark is not None else None
