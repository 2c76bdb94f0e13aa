"""``segctl import [--env E] [--out DIR] [--match GLOB]``: adopt a live sandbox as YAML files:
its segments, the Exports its export jobs describe, and (for a new project) the Environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from segctl.adopt import (
    ImportConflictError,
    PlannedFile,
    declared_in,
    import_segments,
    plan_files,
    write_files,
)
from segctl.adopt.exports import (
    ImportedExport,
    environment_document,
    plan_exports,
    project_name,
    read_exports,
    render_environment,
    render_exports,
    render_project,
)
from segctl.aep import AepClient
from segctl.cli.options import env_option
from segctl.engine import build_plan
from segctl.engine.marker import parse as parse_marker
from segctl.errors import SegctlError, UsageError
from segctl.project import Project, load_project, project_files
from segctl.render.escape import terminal
from segctl.target import open_client


@dataclass(frozen=True)
class _Extra:
    """A file import writes besides the segments (exports.yaml, environments.yaml)."""

    path: Path
    text: str
    what: str


def _project(path: Path, env: str | None) -> Project | None:
    """The existing project (for environments and what is declared), None for a fresh start."""
    if env is None and (not path.exists() or (path.is_dir() and not project_files(path))):
        return None
    if env is not None and not path.exists():
        raise UsageError(f"--env {env}: project folder {path} not found",
                         hint="declare the Environment documents there, or pass --project")
    return load_project(path, env)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve() == folder.resolve() or path.resolve().is_relative_to(folder.resolve())


def _declared_ids(definitions: list[dict[str, object]], project: Project | None
                  ) -> dict[str, str]:
    """live id -> key of the segments the project declares already (by marker key or name)."""
    if project is None:
        return {}
    declared = declared_in(project)
    found: dict[str, str] = {}
    for definition in definitions:
        _, mark = parse_marker(str(definition.get("description") or ""))
        key = mark.key if mark is not None and mark.key in declared.keys \
            else declared.names.get(str(definition.get("name")))
        if key is not None and "id" in definition:
            found[str(definition["id"])] = key
    return found


def _free_name(folder: Path, *names: str) -> Path:
    """The first of ``names`` not taken in ``folder`` (else the first: --force decides)."""
    for name in names:
        if not (folder / name).exists():
            return folder / name
    return folder / names[0]


@click.command("import", short_help="Write YAML files for the segments and exports of a sandbox.")
@env_option("Environment to read from (default: the local sandbox).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the files into (default: the project folder). Outside the "
                   "project it becomes a new project root, with its own environments.yaml.")
@click.option("--match", "match", metavar="GLOB",
              help="Only segments whose name matches GLOB (fnmatch, case-sensitive), plus the "
                   "segments they refer to.")
@click.option("--project", "project_dir", default="segments", show_default=True,
              type=click.Path(path_type=Path),
              help="Project folder: its Environment documents and the segments it declares "
                   "already (those are not imported again).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--dry-run", is_flag=True, help="Print the YAML instead of writing files.")
def import_(env: str | None, out_dir: Path | None, match: str | None, project_dir: Path,
            force: bool, dry_run: bool) -> None:
    """Write YAML for a live sandbox (adopt it): one file per segment definition, the
    Exports its export jobs describe (exports.yaml, with their datasets), and for a new
    project the Environment it was read from (environments.yaml).

    Keys are slugs of the names; PQL (text or pql/json) is written as canonical text with
    inSegment ids turned into key: references; server defaults are left out. An Export comes
    from the newest successful export job into each dataset whose segments are all declared.
    Nothing is written to the sandbox: the next `segctl apply` adopts the segments (by name)
    and stamps ownership. Existing files are never overwritten without --force.

    \b
    Examples:
      segctl import --dry-run
      segctl import --env prod --match 'VIP*' --out segments/imported
      segctl import --out adopted && segctl plan adopted    # a new project from a sandbox
    """
    project = _project(project_dir, env)
    target = out_dir or project_dir
    new_root = project is None or not _inside(target, project.root)
    root = project.root if project else (project_dir if project_dir.is_dir() else None)
    with open_client(project.environment if project else None, project_root=root,
                     read_only=True) as client:
        # a new project root declares nothing yet: everything is imported into it
        declared = None if new_root else project
        result = import_segments(client, match=match, project=declared)
        definitions = client.list_segment_definitions()
        id_to_key = {**_declared_ids(definitions, declared),
                     **{s.live_id: s.key for s in result.segments}}
        jobs, datasets = read_exports(client)
        environment = project.environment if project else None
        exports, export_warnings = plan_exports(
            jobs, datasets, id_to_key,
            declared_datasets={e.dataset for e in declared.exports} if declared else (),
            declared_keys={e.key for e in declared.exports} if declared else (),
            variables=environment.vars if environment else None)
        if match is not None:  # a partial import: only exports of what it took, quietly
            export_warnings = ()
        config = client.config
        owners = _owners(definitions, {s.live_id for s in result.segments})
        extras = _extras(target, exports, new_root, environment_document(
            environment, sandbox=config.sandbox,
            platform_url=None if config.is_local else config.platform_url,
            org_id=config.org_id), project_name(owners, target.resolve().name))
        for warning in (*result.warnings, *export_warnings):
            click.echo(terminal(f"warning: {warning}"), err=True)
        if result.already_declared:
            names = ", ".join(repr(n) for n in result.already_declared)
            click.echo(f"skipped {len(result.already_declared)} segment(s) the project "
                       f"declares already: {names}", err=True)
        planned = plan_files(result.segments, target)
        if not planned and not exports:
            _nothing(match, bool(result.already_declared))
            return
        if dry_run:
            for item in planned:
                click.echo(f"# --- {item.path}")
                click.echo(item.text, nl=False)
            for extra in extras:
                click.echo(f"# --- {extra.path}")
                click.echo(extra.text, nl=False)
            return
        _write(planned, extras, force)
        plan_root = target if new_root or project is None else project.root
        _tell_what_plan_shows(client, plan_root, env, len(planned), len(exports), target)


def _owners(definitions: list[dict[str, object]], ids: set[str]) -> list[str | None]:
    """The project each imported live segment's marker names (None: none)."""
    owners: list[str | None] = []
    for definition in definitions:
        if str(definition.get("id")) in ids:
            _, mark = parse_marker(str(definition.get("description") or ""))
            owners.append(mark.project if mark else None)
    return owners


def _extras(target: Path, exports: tuple[ImportedExport, ...], new_root: bool,
            environment: dict[str, object], project: tuple[str, str]) -> list[_Extra]:
    extras = []
    if new_root:
        name, why = project
        extras.append(_Extra(target / "project.yaml", render_project(name, why),
                             f"project {name!r}"))
    if exports:
        extras.append(_Extra(_free_name(target, "exports.yaml", "exports-imported.yaml"),
                             render_exports(exports), f"{len(exports)} export(s)"))
    if new_root:
        extras.append(_Extra(target / "environments.yaml", render_environment(environment),
                             f"environment {environment['name']!r}"))
    return extras


def _nothing(match: str | None, declared: bool) -> None:
    what = f" matching {match!r}" if match else ""
    if declared:
        click.echo(f"nothing to import: the project declares every live segment "
                   f"definition{what} already", err=True)
    else:
        click.echo(f"no live segment definitions{what} to import", err=True)


def _write(planned: list[PlannedFile], extras: list[_Extra], force: bool) -> None:
    clashes = [p.path for p in planned if p.exists] + [e.path for e in extras if e.path.exists()]
    if clashes and not force:
        shown = "\n".join(f"  {path}" for path in clashes)
        raise ImportConflictError(
            f"import would overwrite {len(clashes)} existing file(s):\n{shown}",
            hint="move them away, import into another folder with --out, or pass --force")
    write_files(planned, force=True)
    for item in planned:
        note = f" (needed by {', '.join(item.segment.dependency_of)})" \
            if item.segment.dependency_of else ""
        click.echo(f"wrote {item.path}  [{item.segment.name}]{note}")
    for extra in extras:
        extra.path.parent.mkdir(parents=True, exist_ok=True)
        extra.path.write_text(extra.text, encoding="utf-8")
        click.echo(f"wrote {extra.path}  [{extra.what}]")


def _tell_what_plan_shows(client: AepClient, root: Path, env: str | None, segments: int,
                          exports: int, target: Path) -> None:
    """Plan the written project with the open client and say what that plan shows, instead
    of guessing it."""
    head = f"imported {segments} segment(s) and {exports} export(s) into {target}"
    try:
        project = load_project(root, env)
        plan = build_plan(project, client)
    except SegctlError as err:
        click.echo(f"{head}; `segctl plan {root}` does not run on them yet: {err.message}",
                   err=True)
        return
    adopted = sum(1 for c in plan.changes if c.adopted)
    if adopted:
        shows = (f"adopts {adopted} segment(s) by name (apply stamps the ownership marker). "
                 f"{plan.summary()}")
    elif not plan.has_changes:
        shows = "shows no changes: the files match the sandbox."
    else:
        shows = f"shows changes: {plan.summary()}"
    click.echo(f"{head}. `segctl plan {root}` {shows}", err=True)
