"""``segctl completion bash|zsh|fish``: the shell completion script (click's own)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
#: the variable click reads to answer completion requests for the ``segctl`` program
COMPLETE_VAR = "_SEGCTL_COMPLETE"


@click.command("completion", short_help="Print the shell completion script.")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL: commands, options, choices and file names
    complete on Tab.

    \b
    Examples:
      eval "$(segctl completion bash)"                        # in ~/.bashrc
      eval "$(segctl completion zsh)"                         # in ~/.zshrc
      segctl completion fish > ~/.config/fish/completions/segctl.fish
    """
    completer = get_completion_class(shell)
    assert completer is not None  # every name in SHELLS is one of click's
    root = ctx.find_root().command
    click.echo(completer(root, {}, "segctl", COMPLETE_VAR).source())
