"""``segctl show PLANFILE``: render a saved plan without touching any sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from segctl.cli.options import use_color


@click.command("show", short_help="Render a saved plan (no sandbox is read).")
@click.argument("planfile", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="How to print the plan on stdout.")
@click.pass_context
def show(ctx: click.Context, planfile: Path, output_format: str) -> None:
    """Render PLANFILE, a plan saved by `segctl plan --out FILE`, exactly as it will be
    applied. Nothing is read from or written to any sandbox, and no credentials are needed.
    A plan that was edited or truncated after it was saved is refused (exit 1).

    \b
    Examples:
      segctl show prod.plan
      segctl show prod.plan --format markdown > plan.md   # a pull-request comment
    """
    from segctl.engine import load_plan  # the engine is slow to import
    from segctl.render import render_plan

    the_plan = load_plan(planfile)
    click.echo(render_plan(the_plan, output_format, color=use_color(ctx, sys.stdout)), nl=False)
