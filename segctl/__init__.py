"""segctl: Adobe Experience Platform segment definitions as code."""

from __future__ import annotations

from typing import Any

__version__: str  # read from the installed metadata on first use (see __getattr__)


def __getattr__(name: str) -> Any:
    # ``__version__`` reads the installed metadata on first use: importlib.metadata costs
    # more than a command's own start-up, and most commands never print the version
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("segctl")
    except PackageNotFoundError:  # running from a source tree without an install
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found


__all__ = ["__version__"]
