"""Runs one hostile input through everything segctl does with it, and classifies the outcome.

``ok``: accepted; ``located``: refused with a segctl error carrying file, line and column;
``unlocated``: refused without line or column; ``internal``: any other exception (a crash).
The suites require ``ok`` or ``located`` for every input.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from segctl import pql
from segctl.errors import Diagnostic, Location, SegctlError
from segctl.fmt import FormatError, format_file
from segctl.project import analyse_project
from segctl.testing import run_tests

#: one scratch directory per process (hypothesis examples cannot use function fixtures)
_SCRATCH = Path(tempfile.mkdtemp(prefix="segctl-fuzz-"))


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok" | "located" | "unlocated" | "internal"
    detail: str
    seconds: float  # CPU time of this thread (a shared machine's waits left out)
    wall: float = 0.0  # wall-clock time
    peak_growth_kb: int = 0  # how far this input raised the process's peak RSS

    @property
    def acceptable(self) -> bool:
        return self.kind in ("ok", "located")


def located(location: Location | None) -> bool:
    return location is not None and location.line is not None and location.col is not None


def _errors_outcome(diagnostics: tuple[Diagnostic, ...]) -> tuple[str, str] | None:
    errors = [d for d in diagnostics if d.severity == "error"]
    if not errors:
        return None
    bad = [d for d in errors if not located(d.location)]
    if bad:
        return "unlocated", bad[0].format()
    return "located", errors[0].format()


def _classify(err: BaseException) -> tuple[str, str]:
    if isinstance(err, SegctlError):
        diagnostics = getattr(err, "diagnostics", None)
        if diagnostics:
            found = _errors_outcome(tuple(diagnostics))
            if found is not None:
                return found
        return ("located" if located(err.location) else "unlocated"), err.format()
    return "internal", f"{type(err).__name__}: {err}"


def _clock() -> tuple[float, float, int]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return time.thread_time(), time.perf_counter(), peak


def _timed(kind_detail: tuple[str, str], started: tuple[float, float, int]) -> Outcome:
    cpu, wall, peak = _clock()
    return Outcome(kind_detail[0], kind_detail[1], cpu - started[0], wall - started[1],
                   peak - started[2])


def run_pql(text: str) -> Outcome:
    """parse, call checks, canonical print and re-parse, pql/json both ways, compile, classify."""
    started = _clock()
    try:
        expr = pql.parse(text, file="rule.pql")
        pql.check(expr, text, file="rule.pql")
        printed = pql.to_text(expr)
        if pql.parse(printed) != expr:
            return _timed(("internal", f"printer round trip changed the tree: {printed!r}"),
                          started)
        pql.from_json(json.dumps(pql.to_json(expr)))  # meaning kept, not always the tree
        pql.compile(expr)
        pql.classify(expr)
        pql.segment_refs(expr)
    except RecursionError as err:
        return _timed(("internal", f"RecursionError: {err}"), started)
    except Exception as err:
        return _timed(_classify(err), started)
    return _timed(("ok", printed), started)


def run_yaml(data: bytes, name: str = "fuzz.yaml") -> Outcome:
    """validate (load, schema, PQL, references), then what plan and test do with a valid
    project (canonical PQL, pql/json, compile, run the SegmentTests), and ``fmt``."""
    started = _clock()
    path = _SCRATCH / name
    path.write_bytes(data)
    try:
        fmt = _fmt(path)
        if fmt is not None:
            return _timed(fmt, started)
        result = analyse_project(path)
        found = _errors_outcome(result.diagnostics)
        if found is not None:
            return _timed(found, started)
        project = result.project
        assert project is not None
        for segment in project.segments:
            expr = (pql.parse(segment.pql) if segment.pql is not None
                    else pql.from_json(dict(segment.pql_json or {})))
            pql.to_text(expr)
            pql.to_json(expr)
            pql.compile(expr)
        run_tests(project)
    except RecursionError as err:
        return _timed(("internal", f"RecursionError: {err}"), started)
    except Exception as err:
        return _timed(_classify(err), started)
    return _timed(("ok", ""), started)


def _fmt(path: Path) -> tuple[str, str] | None:
    """``segctl fmt`` on the file: None when it formats, else how it refused."""
    try:
        format_file(path)
    except FormatError as err:
        kind, detail = _classify(err)
        return None if kind == "located" else (kind, "fmt: " + detail)
    return None
