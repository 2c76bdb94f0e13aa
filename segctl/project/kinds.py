"""The kind table: ``kind:`` value → (schema file, builder, project checks).

Adding a kind is adding one entry to :data:`KINDS`. A builder receives a schema-valid
:class:`~segctl.project.source.RawDocument` and returns a frozen document; it may raise
:class:`DocumentError` for problems the schema cannot express. ``check`` (optional) runs on the
loaded project and yields further diagnostics. Builders and checks may be given as
``"module:function"`` strings so a kind can live in another package without an import cycle.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from segctl.errors import Diagnostic, Location
from segctl.project.model import (
    SYSTEM_SCHEDULE_NAME,
    Environment,
    Export,
    Project,
    ProjectInfo,
    Schedule,
    Segment,
    export_schedule_name,
)
from segctl.project.source import RawDocument

Builder = Callable[[RawDocument], Any]
Check = Callable[[Project], Iterable[Diagnostic]]


class DocumentError(Exception):
    """Raised by a builder: the document is schema-valid but still wrong."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Kind:
    schema: str
    build: Builder | str
    check: Check | str | None = None
    #: True: ``check`` guards offline commands only (validate, test), not plan and apply
    #: (a SegmentTest naming a deleted segment must not block a deploy)
    offline_check: bool = False

    def builder(self) -> Builder:
        return _resolve(self.build)

    def checker(self) -> Check | None:
        return None if self.check is None else _resolve(self.check)


def _resolve(target: Any) -> Any:
    if isinstance(target, str):
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)
    return target


def field_locations(doc: RawDocument) -> Mapping[str, Location]:
    """YAML field name → where its value starts (top-level fields of the document); each
    Location is made when it is first asked for (most never are)."""
    return _FieldLocations(doc)


class _FieldLocations(Mapping[str, Location]):
    """A read-only mapping of the top-level fields of ``doc`` to their locations."""

    __slots__ = ("_doc", "_made")

    def __init__(self, doc: RawDocument) -> None:
        self._doc = doc
        self._made: dict[str, Location] = {}

    def __getitem__(self, name: str) -> Location:
        made = self._made.get(name)
        if made is None:
            if name not in self._doc.data:
                raise KeyError(name)
            made = self._made[name] = self._doc.value_location((name,))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._doc.data)

    def __len__(self) -> int:
        return len(self._doc.data)

    def __repr__(self) -> str:
        return repr(dict(self))


def build_segment(doc: RawDocument) -> Segment:
    d = doc.data
    pql_json = d.get("pqlJson")
    if isinstance(pql_json, str):
        try:
            pql_json = json.loads(pql_json)
        except json.JSONDecodeError as err:
            where = doc.location_in_value(("pqlJson",), err.lineno, err.colno)
            raise DocumentError(
                [Diagnostic(f"pqlJson is not valid JSON: {err.msg}", where)]) from None
        except (ValueError, RecursionError) as err:  # a 4,300+ digit number; nesting json.loads
            # cannot follow (the pql/json reader's depth rule then refuses what it can read)
            problem = ("nested too deeply" if isinstance(err, RecursionError)
                       else "a number has too many digits" if "digits" in str(err) else str(err))
            raise DocumentError([Diagnostic(f"pqlJson is not valid JSON: {problem}",
                                            doc.value_location(("pqlJson",)))]) from None
        if not isinstance(pql_json, dict):
            raise DocumentError([Diagnostic("pqlJson must be a JSON object",
                                            doc.value_location(("pqlJson",)))])
    return Segment(
        key=d["key"],
        name=d["name"],
        description=d.get("description", ""),
        pql=d.get("pql"),
        pql_json=MappingProxyType(pql_json) if pql_json is not None else None,
        schema=d.get("schema", "_xdm.context.profile"),
        ttl_in_days=d.get("ttlInDays"),
        merge_policy=d.get("mergePolicy", "default"),
        evaluation=d.get("evaluation", "batch"),
        protect=d.get("protect", False),
        labels=tuple(d.get("labels", ())),
        previous_keys=tuple(d.get("previousKeys", ())),
        location=doc.start,
        field_locations=field_locations(doc),
        lifecycle=d.get("lifecycle", "published"),
    )


def build_export(doc: RawDocument) -> Export:
    d = doc.data
    fields = d.get("fields")
    return Export(
        key=d["key"],
        segments=tuple(d["segments"]),
        dataset=d["dataset"],
        fields=tuple(fields) if fields is not None else None,
        status=tuple(d.get("status", ("realized", "existing"))),
        run=d.get("run", "on-change"),
        location=doc.start,
        field_locations=field_locations(doc),
    )


def build_environment(doc: RawDocument) -> Environment:
    d = doc.data
    return Environment(
        name=d["name"],
        sandbox=d["sandbox"],
        org_id=d.get("orgId"),
        platform_url=d.get("platformUrl"),
        vars=MappingProxyType(dict(d.get("vars", {}))),
        location=doc.start,
        field_locations=field_locations(doc),
    )


def build_project(doc: RawDocument) -> ProjectInfo:
    d = doc.data
    return ProjectInfo(name=d["name"], description=d.get("description", ""),
                       location=doc.start, field_locations=field_locations(doc))


def check_single_project(project: Project) -> Iterable[Diagnostic]:
    """One project name per folder: a second ``kind: Project`` is an error at its name."""
    found = project.of_kind("Project")
    for extra in found[1:]:
        yield Diagnostic(f"a second kind: Project document (the project is already named "
                         f"'{found[0].name}' at {found[0].location}); declare it once",
                         extra.field_location("name"))


# Quartz (help/segmentation/api/schedules.md: "a schedule may only run once every 24 hours"):
# 6 or 7 fields; seconds, minutes and hours are one number each, so it fires at most once a day
_CRON_FIXED = re.compile(r"^\d{1,2}$")
_CRON_LIMITS = (("second", 59), ("minute", 59), ("hour", 23))


def cron_problem(expr: str) -> str | None:
    """Why ``expr`` is not a daily Quartz cron expression, or None when it is one."""
    parts = expr.split()
    if len(parts) not in (6, 7):
        return (f"schedule {expr!r} must be a Quartz cron expression with 6 or 7 fields "
                "(second minute hour day-of-month month day-of-week [year])")
    for text, (unit, top) in zip(parts, _CRON_LIMITS, strict=False):
        if not _CRON_FIXED.match(text) or int(text) > top:
            return (f"schedule {expr!r} may run at most once every 24 hours: its {unit} must "
                    f"be one number from 0 to {top}, not {text!r}")
    if any(c in p.upper() for p in parts[3:6] for c in "LW#"):
        return f"schedule {expr!r}: L, W and # are not supported"
    return None


def build_schedule(doc: RawDocument) -> Schedule:
    d = doc.data
    problem = cron_problem(d["schedule"])
    if problem is not None:
        raise DocumentError([Diagnostic(problem, doc.value_location(("schedule",)))])
    export = d.get("export")
    if export is not None and d["type"] != "export":
        raise DocumentError([Diagnostic(
            f"export: names the Export an export schedule runs; a {d['type']} schedule "
            "runs none (remove it, or use type: export)", doc.key_location(("export",)))])
    default_name = export_schedule_name(export) if export is not None else SYSTEM_SCHEDULE_NAME
    return Schedule(key=d["key"], type=d["type"], schedule=" ".join(d["schedule"].split()),
                    state=d.get("state", "active"), name=d.get("name", default_name),
                    export=export, location=doc.start, field_locations=field_locations(doc))


def check_single_schedule(project: Project) -> Iterable[Diagnostic]:
    """One batch segmentation Schedule (a sandbox has one) and one Schedule per Export."""
    seen: dict[tuple[str, str | None], Schedule] = {}
    for schedule in project.of_kind("Schedule"):
        first = seen.setdefault((schedule.type, schedule.export), schedule)
        if first is schedule:
            continue
        if schedule.export is None:
            yield Diagnostic(f"a second Schedule of type {schedule.type} ({schedule.key!r}; "
                             f"{first.key!r} is at {first.location}); a sandbox has one, "
                             "declare it once", schedule.field_location("type"))
        else:
            yield Diagnostic(f"a second Schedule of export {schedule.export!r} "
                             f"({schedule.key!r}; {first.key!r} is at {first.location}); "
                             "an export has one schedule, declare it once",
                             schedule.field_location("export"))


# kind → (schema file in schemas/, builder, optional project-level check)
KINDS: dict[str, Kind] = {
    "Segment": Kind("segment.schema.json", build_segment),
    "Export": Kind("export.schema.json", build_export),
    "Environment": Kind("environment.schema.json", build_environment),
    "Project": Kind("project.schema.json", build_project, check_single_project),
    "SegmentTest": Kind("segmenttest.schema.json", "segctl.testing.model:build_segment_test",
                        "segctl.testing.model:check_segment_tests", offline_check=True),
    "Schedule": Kind("schedule.schema.json", build_schedule, check_single_schedule),
}

# Environments are built first: the selected one supplies ${vars.NAME} for the others.
UNSUBSTITUTED_KINDS = frozenset({"Environment"})
