"""Apply progress when stderr is not a terminal: state changes, plus a line a minute while a
long job keeps the same state (so CI logs show it is alive)."""

from __future__ import annotations

import io

from segctl.engine.report import ActionResult, ApplyReport, Outcome
from segctl.render import StreamProgress, render_report


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_state_changes_and_heartbeat() -> None:
    clock, out = _Clock(), io.StringIO()
    progress = StreamProgress(out, live=False, clock=clock)
    for seconds, state in [(0, "NEW"), (5, "PROCESSING"), (30, "PROCESSING"),
                           (64, "PROCESSING"), (90, "PROCESSING"), (125, "PROCESSING"),
                           (126, "SUCCEEDED")]:
        clock.now = float(seconds)
        progress.status(f"segment job 1/1: {state} ({seconds}s)")
    assert out.getvalue().splitlines() == [
        "segment job 1/1: NEW (0s)",
        "segment job 1/1: PROCESSING (5s)",
        "segment job 1/1: PROCESSING (90s)",  # 60 s or more after the last line
        "segment job 1/1: SUCCEEDED (126s)",
    ]
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_live_line_is_rewritten() -> None:
    out = io.StringIO()
    progress = StreamProgress(out, live=True)
    progress.status("export x: PROCESSING (1s)")
    progress.status("export x: PROCESSING (2s)")
    assert out.getvalue() == "\r\x1b[Kexport x: PROCESSING (1s)\r\x1b[Kexport x: PROCESSING (2s)"


def test_keys_ids_and_api_messages_cannot_drive_the_terminal() -> None:
    """A deleted segment's key comes from a live marker and a detail from an API error: both
    reach stderr shown, not obeyed (issue 17)."""
    hostile = ActionResult("segment", "delete", "old\x1b[2Jkey", Outcome.FAILED,
                           id="id\x1b]0;title\x07", detail="HTTP 500\n\x1b[31mspoofed ok")
    out = io.StringIO()
    StreamProgress(out, live=False).step(hostile)
    report = render_report(ApplyReport((hostile,)))
    for text in (out.getvalue(), report):
        assert "\x1b" not in text and "\x07" not in text
        assert "old\\x1b[2Jkey" in text
    assert "HTTP 500\\n\\x1b[31mspoofed ok" in out.getvalue()
