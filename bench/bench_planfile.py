"""Saved plans: `segctl show PLANFILE` as a user runs it, and what each reading step costs.

Usage: python bench/bench_planfile.py [--quick]

A hand-built plan of N segment changes (tests/render/sample_plans.py ``many_changes``) is saved
with ``segctl.engine.save_plan``. Measured, medians:

* ``show``             ``segctl show p.plan --format json``, the whole process (exec to exit):
                       version, checksum, JSON Schema check, derived reader, the diff-against-
                       writes check, and the rendering
* ``show, no schema``  the same process with the JSON Schema check switched off in it (the
                       baseline: what reading a saved plan cost before schemas/plan.schema.json)
* in process, per plan: ``plan_to_dict`` and ``plan_from_dict`` (the dataclass-derived codec),
                       the schema check alone, and ``load_plan`` whole

The headline ratio is show / show-without-schema: what checking every saved plan against the
published schema costs a user.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segctl.engine import load_plan, plan_from_dict, plan_to_dict, save_plan  # noqa: E402
from segctl.engine.planfile import _check_schema  # noqa: E402
from tests.render.sample_plans import many_changes  # noqa: E402

_RUN = "from segctl.cli import main; main(['show', {path!r}, '--format', 'json'])"
_NO_SCHEMA = ("import segctl.engine.planfile as p; p._check_schema = lambda doc: None; "
              + _RUN)


def process_ms(code: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL,
                       cwd=ROOT)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def call_ms(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = (30, 300) if quick else (30, 300, 3000)
    runs = 3 if quick else 7
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; medians of {runs}")
    print(f"{'changes':>8} {'show ms':>9} {'no schema':>10} {'ratio':>6} {'to_dict':>8} "
          f"{'from_dict':>10} {'schema':>8} {'load_plan':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            plan = many_changes(size)
            path = Path(tmp) / f"p{size}.plan"
            save_plan(plan, path)
            doc = json.loads(path.read_text(encoding="utf-8"))
            show = process_ms(_RUN.format(path=str(path)), runs)
            bare = process_ms(_NO_SCHEMA.format(path=str(path)), runs)
            print(f"{size:>8} {show:>9.0f} {bare:>10.0f} {show / bare:>6.2f} "
                  f"{call_ms(lambda p=plan: plan_to_dict(p), runs):>8.1f} "
                  f"{call_ms(lambda d=doc: plan_from_dict(d), runs):>10.1f} "
                  f"{call_ms(lambda d=doc: _check_schema(d), runs):>8.1f} "
                  f"{call_ms(lambda p=path: load_plan(p), runs):>10.1f}")


if __name__ == "__main__":
    main()
