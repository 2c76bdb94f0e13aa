"""``segctl dataset preview NAME``: the rows the latest export wrote into a dataset, read through
the AEP client, so it works the same on real AEP: Data Access's dataset preview (the first 100
rows, decoded by the server) and, for more rows, the batch's Parquet files themselves."""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from segctl.aep import AepClient
from segctl.cli.options import env_option
from segctl.errors import SegctlError, UsageError
from segctl.project import Project, load_project
from segctl.render.escape import terminal_line
from segctl.target import open_client

PREVIEW_ROWS = 100  # what Data Access's dataset preview serves (data-access.yaml)
_PARQUET_MAGIC = b"PAR1"


def _parquet_rows(content: bytes) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq  # imported here: only the long-preview path needs it

    return list(pq.read_table(io.BytesIO(content)).to_pylist())


def without_nulls(value: Any) -> Any:
    """A row without its null fields: Parquet stores a field a row lacks as null (its schema
    is the union of all rows' fields), which is not data worth a column."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def parse_rows(files: Iterable[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Rows of Parquet files (AEP's batch format), or NDJSON / JSON array files; other formats
    are refused with a clear error."""
    rows: list[dict[str, Any]] = []
    for name, content in files:
        if content.startswith(_PARQUET_MAGIC):
            rows.extend(_parquet_rows(content))
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise SegctlError(f"file {name} of the dataset is neither Parquet nor JSON; "
                              "it cannot be previewed") from None
        stripped = text.lstrip()
        try:
            if stripped.startswith("["):
                rows.extend(json.loads(stripped))
            else:
                rows.extend(json.loads(line) for line in text.splitlines() if line.strip())
        except ValueError:
            raise SegctlError(f"file {name} of the dataset is neither Parquet nor JSON; "
                              "it cannot be previewed") from None
    return [without_nulls(r) for r in rows]


def flatten(row: Any, prefix: str = "") -> dict[str, Any]:
    """Dot paths to scalar values (lists of scalars are joined)."""
    if isinstance(row, dict):
        out: dict[str, Any] = {}
        for key, value in row.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(row, list):
        if all(not isinstance(v, dict | list) for v in row):
            return {prefix[:-1]: ", ".join(str(v) for v in row)}
        out = {}
        for i, value in enumerate(row):
            out.update(flatten(value, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: row}


def render_table(rows: list[dict[str, Any]], max_width: int = 40) -> str:
    flat = [flatten(r) for r in rows]
    columns: list[str] = []
    for r in flat:
        columns.extend(k for k in r if k not in columns)

    def cell(value: Any) -> str:
        text = "" if value is None else terminal_line(str(value))  # rows hold profile data
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    table = [[cell(r.get(c)) for c in columns] for r in flat]
    widths = [max([len(c), *(len(row[i]) for row in table)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
              for row in table]
    return "\n".join(lines)


def latest_rows(client: AepClient, name: str, prefixes: Iterable[str] = (),
                limit: int = PREVIEW_ROWS) -> tuple[str, list[dict[str, Any]]]:
    """(batch id, rows) of the newest successful batch of the dataset called ``name``: up to
    100 rows from Data Access's dataset preview, more by reading the batch's files;
    ``prefixes`` are the environment's var values, for the did-you-mean of a missing one."""
    found = client.find_dataset_by_name(name)
    if found is None:
        raise SegctlError(f"no dataset named {name!r}",
                          hint=did_you_mean(name, _dataset_names(client), prefixes)
                          or "`segctl plan` lists the datasets your exports create")
    last = found.get("lastSuccessfulBatch")
    if limit <= PREVIEW_ROWS and isinstance(last, str) and last:
        rows = client.preview_dataset(str(found["id"]))
        return last, [without_nulls(r) for r in rows]
    batches = [b for b in client.list_dataset_batches(str(found["id"]))
               if str(b.get("status", "")).lower() in ("success", "active")]
    if not batches:
        raise SegctlError(f"dataset {name!r} has no exported rows yet",
                          hint="run `segctl apply` (an export job writes the rows)")
    batch = batches[0]
    files = client.read_batch_files(str(batch["id"]))
    return str(batch["id"]), parse_rows((f.name, f.content) for f in files)


def _dataset_names(client: AepClient) -> list[str]:
    """Every dataset name the client can list (none if listing fails: the hint is optional)."""
    try:
        found = client.list_datasets(params={"properties": "name"})
    except SegctlError:
        return []
    return sorted({d["name"] for d in found if isinstance(d.get("name"), str)})


def did_you_mean(name: str, names: Iterable[str], prefixes: Iterable[str] = ()) -> str | None:
    """A hint naming the closest dataset name: one differing only in case first, then one
    off by an environment prefix (``${vars.datasetPrefix}``: ``prod-X`` for ``X``, or ``X``
    for ``prod-X``), else the nearest by :mod:`difflib`."""
    names = list(names)
    same_but_case = [n for n in names if n.casefold() == name.casefold()]
    if same_but_case:
        return f"did you mean {same_but_case[0]!r}? (dataset names are case-sensitive)"
    for prefix in (p for p in prefixes if p):
        if prefix + name in names:
            return (f"did you mean {prefix + name!r}? (the environment's vars prefix dataset "
                    f"names with {prefix!r})")
        if name.startswith(prefix) and name[len(prefix):] in names:
            return (f"did you mean {name[len(prefix):]!r}? (that dataset carries no "
                    f"{prefix!r} prefix)")
    folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1)
    return f"did you mean {folded[close[0]]!r}?" if close else None


def _project(project_path: str, env: str | None, needed: bool) -> Project | None:
    """The project; with no project folder and no --env (and no --export), none: the local
    sandbox is read directly."""
    if env is None and not needed and not Path(project_path).exists():
        return None
    return load_project(project_path, env=env)


def export_dataset(project: Project, key: str) -> str:
    """The dataset name (vars filled in) that the Export ``key`` writes into."""
    export = project.export(key)
    if export is None:
        keys = [e.key for e in project.exports]
        close = difflib.get_close_matches(key, keys, n=1)
        raise UsageError(f"--export {key}: no Export with this key in {project.root}",
                         hint=f"did you mean {close[0]!r}?" if close
                         else f"declared exports: {', '.join(keys) or 'none'}")
    return export.dataset


@click.group("dataset")
def dataset() -> None:
    """Inspect datasets that exports write.

    \b
    Examples:
      segctl dataset preview --export female-customers-daily --limit 5
      segctl dataset preview "Female customers" --format json
    """


@dataset.command("preview")
@click.argument("name", required=False)
@click.option("--export", "export_key", metavar="KEY",
              help="Preview the dataset of this Export (its key) instead of naming it.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@env_option("Environment (from the project at --project) whose sandbox to read.")
@click.option("--project", "project_path", default="segments", show_default=True,
              type=click.Path(file_okay=True, dir_okay=True),
              help="Project whose Environment documents --env names.")
def preview(name: str | None, export_key: str | None, limit: int, fmt: str, env: str | None,
            project_path: str) -> None:
    """Show the rows the latest export wrote into dataset NAME (or the dataset of the
    Export --export KEY, with the environment's vars filled in).

    The target is chosen like `segctl plan`: the project's Environment (--env, or the one
    named `local`), else the embedded local sandbox.

    \b
    Examples:
      segctl dataset preview "Female customers" --limit 5
      segctl dataset preview --export female-customers-daily
      segctl dataset preview "prod-Female customers" --env prod --format json
    """
    if (name is None) == (export_key is None):
        raise UsageError("give either a dataset NAME or --export KEY",
                         hint='segctl dataset preview "Female customers", or '
                              "segctl dataset preview --export female-customers-daily")
    project = _project(project_path, env, needed=export_key is not None)
    environment = project.environment if project else None
    if export_key is not None:
        assert project is not None
        name = export_dataset(project, export_key)
    assert name is not None
    prefixes = list(environment.vars.values()) if environment else []
    root = Path(project_path) if Path(project_path).exists() else None
    if root is not None and root.is_file():
        root = root.parent
    with open_client(environment, project_root=root, read_only=True) as client:
        batch_id, rows = latest_rows(client, name, prefixes, limit)
    shown = rows[:limit]
    if fmt == "json":
        click.echo(json.dumps(shown, indent=2, sort_keys=True))
        return
    if shown:
        click.echo(render_table(shown))
    of = f"the first {len(rows)}" if limit <= PREVIEW_ROWS else str(len(rows))
    click.echo(f"({len(shown)} of {of} rows, batch {batch_id})", err=True)
