"""YAML files for imported segments, and writing them without clobbering anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from segctl.adopt.importer import ImportedSegment
from segctl.adopt.writer import dump_documents
from segctl.errors import SegctlError
from segctl.fmt.formatter import pql_scalar


class ImportConflictError(SegctlError):
    """Import would overwrite existing files (and --force was not given)."""


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    text: str
    segment: ImportedSegment
    exists: bool


def render_segment(segment: ImportedSegment) -> str:
    """One ``kind: Segment`` YAML document, already in ``segctl fmt`` form."""
    doc = dict(segment.document())
    if isinstance(doc.get("pql"), str):
        doc["pql"] = pql_scalar(doc["pql"])
    header = f"# imported by segctl from AEP segment definition {segment.live_id}\n"
    if segment.dependency_of:
        header += f"# (needed by {', '.join(segment.dependency_of)}, which refer to it)\n"
    return dump_documents([doc], header, f"{segment.key}.yaml")


def plan_files(segments: Sequence[ImportedSegment], out_dir: Path) -> list[PlannedFile]:
    """Where each segment goes (``<out>/<key>.yaml``) and what it will contain."""
    planned = []
    for segment in segments:
        path = out_dir / f"{segment.key}.yaml"
        planned.append(PlannedFile(path, render_segment(segment), segment, path.exists()))
    return planned


def write_files(planned: Sequence[PlannedFile], *, force: bool = False) -> list[Path]:
    """Write every planned file; refuses (writing nothing) when one exists, unless ``force``."""
    clashes = [p.path for p in planned if p.exists]
    if clashes and not force:
        shown = "\n".join(f"  {path}" for path in clashes)
        raise ImportConflictError(
            f"import would overwrite {len(clashes)} existing file(s):\n{shown}",
            hint="move them away, import into another folder with --out, or pass --force",
        )
    written = []
    for item in planned:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.text, encoding="utf-8")
        written.append(item.path)
    return written
