"""Exports and the Environment for ``segctl import`` (pure, apart from :func:`read_exports`).

AEP keeps no export *definitions*, only export jobs: the newest export job into each dataset
says which segments went there, with which fields and membership statuses. Each such dataset
becomes one ``kind: Export`` when every segment it exported is declared (imported now or
already in the project). The key is the one segctl tagged the dataset with when it made it,
else a slug of the dataset name. A dataset name that starts with a value of the environment's
``vars`` is written with ``${vars.NAME}``, so the same file serves every environment.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segctl.adopt.keys import slugify, unique_key
from segctl.adopt.writer import dump_documents
from segctl.aep import AepClient, ApiError
from segctl.aep.documents import export_signature
from segctl.engine.marker import dataset_owner
from segctl.project import MEMBERSHIP_STATUSES, Environment

DEFAULT_STATUS = ("realized", "existing")


@dataclass(frozen=True)
class ImportedExport:
    key: str
    segments: tuple[str, ...]
    dataset: str  # as written: may hold ${vars.NAME}
    fields: tuple[str, ...] | None = None
    status: tuple[str, ...] = DEFAULT_STATUS
    job_id: str = ""

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"kind": "Export", "key": self.key,
                               "segments": list(self.segments), "dataset": self.dataset}
        if self.fields is not None:
            doc["fields"] = list(self.fields)
        if tuple(self.status) != DEFAULT_STATUS:
            doc["status"] = list(self.status)
        return doc


def read_exports(client: AepClient, limit: int = 100
                 ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The newest export jobs (newest first) and the datasets they wrote into, by id (a
    dataset that cannot be read any more is left out)."""
    jobs = client.recent_export_jobs(limit)
    datasets: dict[str, dict[str, Any]] = {}
    for job in jobs:
        dataset_id, _ = export_signature(job)
        if dataset_id is None or dataset_id in datasets:
            continue
        try:
            datasets[dataset_id] = client.get_dataset(dataset_id, properties="name,tags")
        except ApiError:
            continue
    return jobs, datasets


def _with_vars(name: str, variables: Mapping[str, str]) -> str:
    """``local-X`` -> ``${vars.datasetPrefix}X`` when ``datasetPrefix`` is ``local-``."""
    for var, value in sorted(variables.items(), key=lambda kv: -len(kv[1])):
        if value and name.startswith(value):
            return f"${{vars.{var}}}{name[len(value):]}"
    return name


def _fields(job: Mapping[str, Any]) -> tuple[str, ...] | None:
    fields = job.get("fields")
    if isinstance(fields, str) and fields.strip():
        return tuple(f.strip() for f in fields.split(",") if f.strip())
    return None


def _status(job: Mapping[str, Any]) -> tuple[str, ...]:
    segments = (job.get("filter") or {}).get("segments") or []
    for entry in segments if isinstance(segments, list) else []:
        status = entry.get("status") if isinstance(entry, dict) else None
        if isinstance(status, list) and status and all(s in MEMBERSHIP_STATUSES for s in status):
            return tuple(status)
    return DEFAULT_STATUS


def plan_exports(
    jobs: Sequence[Mapping[str, Any]],
    datasets: Mapping[str, Mapping[str, Any]],
    id_to_key: Mapping[str, str],
    *,
    declared_datasets: Collection[str] = (),
    declared_keys: Collection[str] = (),
    variables: Mapping[str, str] | None = None,
) -> tuple[tuple[ImportedExport, ...], tuple[str, ...]]:
    """One Export per dataset, from its newest export job (``jobs`` are newest first); the
    datasets the project exports to already are skipped. Returns (exports, warnings)."""
    seen: set[str] = set()
    taken = set(declared_keys)
    exports: list[ImportedExport] = []
    warnings: list[str] = []
    for job in jobs:
        if str(job.get("status", "")).upper() != "SUCCEEDED":
            continue
        dataset_id, segment_ids = export_signature(job)
        if dataset_id is None or dataset_id in seen or dataset_id not in datasets:
            continue
        seen.add(dataset_id)
        dataset = datasets[dataset_id]
        name = str(dataset.get("name") or dataset_id)
        if name in declared_datasets or not segment_ids:
            continue
        unknown = sorted(i for i in segment_ids if i not in id_to_key)
        if unknown:
            warnings.append(f"dataset {name!r}: not imported as an Export, its export job "
                            f"{job.get('id')} also exported segment(s) {', '.join(unknown)} "
                            "that are not imported")
            continue
        owner = dataset_owner(dataset)
        key = owner if owner and owner not in taken else unique_key(slugify(name), taken)
        taken.add(key)
        exports.append(ImportedExport(
            key=key, segments=tuple(sorted(id_to_key[i] for i in segment_ids)),
            dataset=_with_vars(name, variables or {}), fields=_fields(job),
            status=_status(job), job_id=str(job.get("id", ""))))
    return tuple(sorted(exports, key=lambda e: e.key)), tuple(warnings)


def render_exports(exports: Sequence[ImportedExport]) -> str:
    """``exports.yaml``: every imported Export, one document each."""
    jobs = ", ".join(e.job_id for e in exports if e.job_id)
    header = f"# imported by segctl from the newest export job into each dataset ({jobs})\n"
    return dump_documents([e.document() for e in exports], header, "exports.yaml")


def environment_document(environment: Environment | None, *, sandbox: str,
                         platform_url: str | None, org_id: str | None) -> dict[str, Any]:
    """The Environment to write: a copy of the selected one, else one for the sandbox read
    (named ``local`` for the embedded sandbox, ``imported`` for a real one)."""
    if environment is not None:
        doc: dict[str, Any] = {"kind": "Environment", "name": environment.name,
                               "sandbox": environment.sandbox}
        if environment.org_id:
            doc["orgId"] = environment.org_id
        if environment.platform_url:
            doc["platformUrl"] = environment.platform_url
        if environment.vars:
            doc["vars"] = dict(environment.vars)
        return doc
    doc = {"kind": "Environment", "name": "imported" if platform_url else "local",
           "sandbox": sandbox}
    if platform_url:
        doc["orgId"] = org_id
        doc["platformUrl"] = platform_url
    return doc


def render_environment(doc: Mapping[str, Any]) -> str:
    header = ("# imported by segctl: the sandbox these files were read from. Credentials "
              "never go here\n# (AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID).\n")
    return dump_documents([doc], header, "environments.yaml")


def project_name(owners: Sequence[str | None], folder: str) -> tuple[str, str]:
    """The ``kind: Project`` name for a new project root, and why: the project that owns the
    imported segments (their markers name it), the most common one when they name several,
    else one made from the folder's name (the segments are unmanaged: the next apply adopts
    them by name)."""
    named = [o for o in owners if o]
    if named:
        best = max(sorted(set(named)), key=named.count)
        why = "the project that owns the imported segments"
        if len(set(named)) > 1:
            why = (f"the most common of the projects owning the imported segments "
                   f"({', '.join(sorted(set(named)))}); the others' stay theirs")
        return best, why
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in folder).strip("-._")
    return slug or "imported", "a new project (no imported segment carries a project)"


def render_project(name: str, why: str) -> str:
    header = (f"# imported by segctl: {why}. Every object segctl writes carries this name\n"
              "# in its ownership marker; keep it stable.\n")
    return dump_documents([{"kind": "Project", "name": name}], header, "project.yaml")
