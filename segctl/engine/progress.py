"""How apply reports progress while it works (the CLI supplies a terminal implementation)."""

from __future__ import annotations

from typing import Protocol

from segctl.engine.report import ActionResult


class Progress(Protocol):
    def step(self, result: ActionResult) -> None:
        """One action finished (whatever its outcome)."""

    def status(self, text: str) -> None:
        """A transient status while waiting (a job's state and elapsed time)."""

    def clear(self) -> None:
        """The current wait is over."""


class NullProgress:
    def step(self, result: ActionResult) -> None:
        pass

    def status(self, text: str) -> None:
        pass

    def clear(self) -> None:
        pass
