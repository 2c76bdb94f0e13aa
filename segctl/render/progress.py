"""Apply progress on stderr: a live, rewritten status line on a terminal; plain lines in CI."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

from segctl.engine.report import ActionResult, Outcome
from segctl.render.escape import terminal_line, terminal_safe
from segctl.render.style import Style
from segctl.render.text import duration

#: carriage return and "erase to the end of the line" (ECMA-48 EL): the live status line is
#: redrawn in place. A cursor control, not a colour (colours are click.style's, render/style.py)
ERASE_LINE = "\r\x1b[K"
_MARK = {Outcome.OK: ("ok", "green"), Outcome.FAILED: ("FAILED", "red"),
         Outcome.SKIPPED: ("skipped", "yellow")}


class StreamProgress:
    """``live``: rewrite one status line in place (a TTY). Otherwise each distinct status is
    printed once as its own line, so CI logs stay readable, and an unchanged one again every
    ``heartbeat`` seconds, so a long job does not look hung (or trip a CI no-output timeout)."""

    def __init__(self, stream: TextIO, *, live: bool, color: bool = False,
                 heartbeat: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._live = live
        self._style = Style(color)
        self._lock = threading.Lock()
        self._last = ""
        self._shown = False
        self._heartbeat = heartbeat
        self._clock = clock
        self._printed_at = clock()
        #: the results printed so far, so that the final report does not repeat them
        self.shown: list[ActionResult] = []

    def step(self, result: ActionResult) -> None:
        mark, colour = _MARK[result.outcome]
        safe = terminal_safe(result)  # keys, ids and API messages may hold control characters
        line = f"{self._style.paint(mark, colour)}: {safe.kind} {safe.action} {safe.key}"
        if safe.id:
            noun = "id" if safe.kind in ("segment", "dataset", "schedule") else "job"
            line += f"  {noun}={terminal_line(safe.id)}"
        if safe.detail:
            line += f" ({terminal_line(safe.detail)})"
        if result.outcome is not Outcome.SKIPPED:
            line += self._style.paint(f" [{duration(result.seconds)}]", "dim")
        with self._lock:
            self.shown.append(result)
            self._wipe()
            self._stream.write(line + "\n")
            self._stream.flush()

    def status(self, text: str) -> None:
        with self._lock:
            if self._live:
                self._stream.write(ERASE_LINE + text)
                self._shown = True
            elif (_state(text) != _state(self._last)
                  or self._clock() - self._printed_at >= self._heartbeat):
                self._stream.write(text + "\n")
                self._printed_at = self._clock()
            self._last = text
            self._stream.flush()

    def clear(self) -> None:
        with self._lock:
            self._wipe()
            self._last = ""

    def _wipe(self) -> None:
        if self._shown:
            self._stream.write(ERASE_LINE)
            self._shown = False


def _state(text: str) -> str:
    """A status without its elapsed-seconds suffix (CI prints only state changes)."""
    return text.rsplit(" (", 1)[0]
