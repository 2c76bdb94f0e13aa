"""Terminal colour, applied only when the caller says so (``segctl.cli.options.use_color``: a
terminal, or FORCE_COLOR, and neither ``--color never`` nor NO_COLOR). Every colour segctl prints
is ``click.style``'s, so click's ``echo`` strips them all alike where colour is off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from segctl.engine.model import Action

#: colour name -> click.style arguments
_STYLES: dict[str, dict[str, Any]] = {
    "green": {"fg": "green"}, "yellow": {"fg": "yellow"}, "red": {"fg": "red"},
    "cyan": {"fg": "cyan"}, "bold": {"bold": True}, "dim": {"dim": True},
}
ACTION_COLOURS = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "red",
    Action.DELETE: "red",
    Action.NOOP: "dim",
}


@dataclass(frozen=True)
class Style:
    color: bool = False

    def paint(self, text: str, colour: str) -> str:
        if not self.color or not text:
            return text
        return click.style(text, **_STYLES[colour])

    def action(self, action: Action, text: str) -> str:
        return self.paint(text, ACTION_COLOURS[action])
