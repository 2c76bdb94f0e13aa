"""The declared documents of a segctl project, as frozen values.

Every document keeps the :class:`~segctl.errors.Location` it came from (``location``: where the
document starts) and, for the fields a later stage may need to point at, ``field_locations``: a
mapping from the field name *as written in YAML* (``"pql"``, ``"name"``, ``"ttlInDays"``,
``"segments"``...) to where its value starts. For block scalars (``pql: |``) that is the first
character of the content, so an offset inside the value maps straight back into the file.

Mappings are not hashable; they are excluded from ``__hash__`` (still compared by ``==``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from segctl.errors import Diagnostic, Location

EVALUATIONS = ("batch", "streaming", "edge")
EXPORT_RUNS = ("on-change", "always", "never")
# an audience's lifecycle states a project may declare (AEP also has draft and archived)
LIFECYCLES = ("published", "inactive")
DEFAULT_LIFECYCLE = "published"
MEMBERSHIP_STATUSES = ("realized", "existing", "exited")
DEFAULT_SCHEMA = "_xdm.context.profile"
DEFAULT_MERGE_POLICY = "default"

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NOWHERE = Location()  # frozen, so one shared default is safe


def _no_locations() -> Mapping[str, Location]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Segment:
    """``kind: Segment``: one segment definition (an AEP audience built from PQL)."""

    key: str
    name: str
    description: str = ""
    pql: str | None = None
    pql_json: Mapping[str, Any] | None = field(default=None, hash=False)
    schema: str = DEFAULT_SCHEMA
    ttl_in_days: int | None = None
    merge_policy: str = DEFAULT_MERGE_POLICY
    evaluation: str = "batch"
    protect: bool = False
    labels: tuple[str, ...] = ()
    previous_keys: tuple[str, ...] = ()  # keys it had before (a declared move keeps the live id)
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(default_factory=_no_locations, hash=False)
    lifecycle: str = DEFAULT_LIFECYCLE

    def field_location(self, name: str) -> Location:
        """Where field ``name`` (YAML spelling) starts, or the document start if absent."""
        return self.field_locations.get(name, self.location)


@dataclass(frozen=True)
class Export:
    """``kind: Export``: persist the members of some segments into a dataset."""

    key: str
    segments: tuple[str, ...]
    dataset: str
    fields: tuple[str, ...] | None = None
    status: tuple[str, ...] = ("realized", "existing")
    run: str = "on-change"
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(default_factory=_no_locations, hash=False)

    def field_location(self, name: str) -> Location:
        return self.field_locations.get(name, self.location)


@dataclass(frozen=True)
class Environment:
    """``kind: Environment``: a target sandbox and the ``${vars.NAME}`` values for it.

    ``platform_url`` None means the embedded local sandbox.
    """

    name: str
    sandbox: str
    org_id: str | None = None
    platform_url: str | None = None
    vars: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(default_factory=_no_locations, hash=False)

    @property
    def is_local(self) -> bool:
        return self.platform_url is None


@dataclass(frozen=True)
class ProjectInfo:
    """``kind: Project``: the project's name, carried by every ownership marker segctl writes
    (at most one per project folder)."""

    name: str
    description: str = ""
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(default_factory=_no_locations, hash=False)

    def field_location(self, name: str) -> Location:
        return self.field_locations.get(name, self.location)


SCHEDULE_TYPES = ("batch_segmentation", "export")
SCHEDULE_STATES = ("active", "inactive")
SYSTEM_SCHEDULE_NAME = "Batch Segmentation"


@dataclass(frozen=True)
class Schedule:
    """``kind: Schedule``: the time (a daily Quartz cron, UTC) and state of a segmentation
    schedule. ``batch_segmentation``: the sandbox's one nightly evaluation, matched by type.
    ``export``: a daily run of the ``kind: Export`` whose key is ``export`` (one per export)."""

    key: str
    type: str
    schedule: str
    state: str = "active"
    name: str = SYSTEM_SCHEDULE_NAME
    location: Location = _NOWHERE
    field_locations: Mapping[str, Location] = field(default_factory=_no_locations, hash=False)
    export: str | None = None  # the Export key an export schedule runs

    def field_location(self, name: str) -> Location:
        return self.field_locations.get(name, self.location)


def export_schedule_name(export: str) -> str:
    """The name segctl gives an export schedule it creates when the file names none."""
    return f"segctl export {export}"


@dataclass(frozen=True)
class RuleForm:
    """What loading learnt of a pql/text rule: its canonical text (``pql.to_text`` of its tree,
    what a plan compares and apply writes) and the ``inSegment`` references in it, sorted."""

    canonical: str
    refs: tuple[str, ...]


def _no_forms() -> Mapping[str, RuleForm]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Project:
    """Everything loaded from a project path, validated.

    ``documents`` holds the built documents of every kind by kind name (``"Segment"``,
    ``"Export"``, ``"Environment"``, and kinds added to the kind table such as ``"SegmentTest"``),
    in file order; ``segments``/``exports``/``environments`` are the typed views of the first three.
    ``files_hash`` is a sha256 over every loaded file, in the order of their relative paths,
    of its relative path, its size and the sha256 of its bytes (``source.files_hash``).
    ``warnings`` are non-fatal diagnostics (e.g. a rule not eligible for its ``evaluation``).
    ``rule_forms`` maps each pql/text rule that parsed to its :class:`RuleForm` (from the load
    cache when the rule is unchanged), so planning need not parse it again; a rule missing
    from it is parsed where it is needed.
    """

    root: Path
    segments: tuple[Segment, ...] = ()
    exports: tuple[Export, ...] = ()
    environments: tuple[Environment, ...] = ()
    environment: Environment | None = None
    files_hash: str = ""
    documents: Mapping[str, tuple[Any, ...]] = field(default_factory=lambda: _EMPTY, hash=False)
    files: tuple[Path, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    rule_forms: Mapping[str, RuleForm] = field(default_factory=_no_forms, hash=False,
                                             compare=False)

    def of_kind(self, kind: str) -> tuple[Any, ...]:
        """The built documents of ``kind`` (empty when none were declared)."""
        return tuple(self.documents.get(kind, ()))

    @property
    def info(self) -> ProjectInfo | None:
        """The ``kind: Project`` document, or None when the folder declares none."""
        found = self.of_kind("Project")
        return found[0] if found else None

    @property
    def name(self) -> str | None:
        """The project name from ``kind: Project`` (None: undeclared)."""
        info = self.info
        return info.name if info is not None else None

    def segment(self, key: str) -> Segment | None:
        """The segment declared with ``key``, or None."""
        for seg in self.segments:
            if seg.key == key:
                return seg
        return None

    def export(self, key: str) -> Export | None:
        for exp in self.exports:
            if exp.key == key:
                return exp
        return None
