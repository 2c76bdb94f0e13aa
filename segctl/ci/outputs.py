"""The step's files: ``$GITHUB_OUTPUT`` (name/value pairs) and ``$GITHUB_STEP_SUMMARY``
(markdown, at most 1 MiB per step), and the workflow commands on stdout."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

SUMMARY_LIMIT = 1_000_000  # bytes; GitHub refuses a step summary over 1 MiB


def write_outputs(path: Path | None, values: Mapping[str, str]) -> None:
    """Append ``values`` to the output file, each as a heredoc with a random delimiter, so a
    value can never end its own entry early."""
    if path is None:
        return
    with path.open("a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: Path | None, markdown: str, *, limit: int = SUMMARY_LIMIT) -> bool:
    """Append ``markdown`` to the job summary within ``limit`` bytes; False when it was cut."""
    if path is None:
        return True
    used = path.stat().st_size if path.exists() else 0
    data = markdown.encode("utf-8")
    room = max(0, limit - used - 200)
    whole = len(data) <= room
    if not whole:
        data = data[:room].decode("utf-8", "ignore").encode("utf-8")
        data += b"\n\n> **Truncated** at GitHub's 1 MiB step-summary limit; see the artifact.\n"
    with path.open("ab") as out:
        out.write(data)
    return whole


def escape_data(text: str) -> str:
    """A workflow command's message (``::error::<data>``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=<value>``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int | None) -> str:
    """``::name k=v,...::message`` with both parts escaped."""
    pairs = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{name} {pairs}::{escape_data(message)}" if pairs else \
        f"::{name}::{escape_data(message)}"
