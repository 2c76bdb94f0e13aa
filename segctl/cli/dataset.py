"""``segctl dataset preview NAME``: the rows the latest export wrote into a dataset, read through
the AEP client (Catalog batches + Data Access), so it works the same on real AEP."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from segctl.aep import AepClient
from segctl.cli.common import env_option
from segctl.errors import SegctlError
from segctl.project import Environment, load_project
from segctl.render.escape import terminal_line
from segctl.target import open_client


def parse_rows(files: Iterable[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Rows of NDJSON (or JSON array) files; other formats are refused with a clear error."""
    rows: list[dict[str, Any]] = []
    for name, content in files:
        text = content.decode("utf-8")
        stripped = text.lstrip()
        try:
            if stripped.startswith("["):
                rows.extend(json.loads(stripped))
            else:
                rows.extend(json.loads(line) for line in text.splitlines() if line.strip())
        except ValueError:
            raise SegctlError(f"file {name} of the dataset is not JSON; "
                              "only JSON exports can be previewed") from None
    return rows


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


def latest_rows(client: AepClient, name: str) -> tuple[str, list[dict[str, Any]]]:
    """(batch id, rows) of the newest successful batch of the dataset called ``name``."""
    found = client.find_dataset_by_name(name)
    if found is None:
        raise SegctlError(f"no dataset named {name!r}",
                          hint=did_you_mean(name, _dataset_names(client))
                          or "`segctl plan` lists the datasets your exports create")
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


def did_you_mean(name: str, names: Iterable[str]) -> str | None:
    """A hint naming the closest dataset name: one differing only in case first, else the
    nearest by :mod:`difflib`."""
    names = list(names)
    same_but_case = [n for n in names if n.casefold() == name.casefold()]
    if same_but_case:
        return f"did you mean {same_but_case[0]!r}? (dataset names are case-sensitive)"
    folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1)
    return f"did you mean {folded[close[0]]!r}?" if close else None


def _environment(project_path: str, env: str | None) -> Environment | None:
    """The selected Environment; with no project and no --env, none (the local sandbox)."""
    if env is None and not Path(project_path).exists():
        return None
    return load_project(project_path, env=env).environment


@click.group("dataset")
def dataset() -> None:
    """Inspect datasets that exports write."""


@dataset.command("preview")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@env_option("Environment (from the project at --project) whose sandbox to read.")
@click.option("--project", "project_path", default="segments", show_default=True,
              type=click.Path(file_okay=True, dir_okay=True),
              help="Project whose Environment documents --env names.")
def preview(name: str, limit: int, fmt: str, env: str | None, project_path: str) -> None:
    """Show the rows the latest export wrote into dataset NAME.

    The target is chosen like `segctl plan`: the project's Environment (--env, or the one
    named `local`), else the embedded local sandbox.

    \b
    Example:
      segctl dataset preview "Female customers" --limit 5
      segctl dataset preview "prod-Female customers" --env prod --format json
    """
    environment = _environment(project_path, env)
    root = Path(project_path) if Path(project_path).exists() else None
    if root is not None and root.is_file():
        root = root.parent
    with open_client(environment, project_root=root, read_only=True) as client:
        batch_id, rows = latest_rows(client, name)
    shown = rows[:limit]
    if fmt == "json":
        click.echo(json.dumps(shown, indent=2, sort_keys=True))
        return
    if shown:
        click.echo(render_table(shown))
    click.echo(f"({len(shown)} of {len(rows)} rows, batch {batch_id})", err=True)
