"""Terminal colour, applied only when the caller says so (a TTY, and no --no-color/NO_COLOR)."""

from __future__ import annotations

from dataclasses import dataclass

from segctl.engine.model import Action

_CODES = {"green": "32", "yellow": "33", "red": "31", "cyan": "36", "bold": "1", "dim": "2"}
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
        return f"\x1b[{_CODES[colour]}m{text}\x1b[0m"

    def action(self, action: Action, text: str) -> str:
        return self.paint(text, ACTION_COLOURS[action])
