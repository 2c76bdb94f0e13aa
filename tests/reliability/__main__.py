"""The full profile of the fuzz and markdown suites, with the figures RELIABILITY.md records.

    python -m tests.reliability                  # 10,000 YAML, 10,000 PQL, 1,000 plans
    python -m tests.reliability --examples 2000 --plans 100  # a quicker look

Runs the same hypothesis tests as ``pytest tests/reliability`` (which takes a short profile),
with more examples, then prints: inputs run, internal errors, refusals without line and
column, the slowest input and the process's peak RSS (an upper bound for every input).
Exits 1 when a target of issue 17 is missed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tests.reliability.oracle import Outcome


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability")
    parser.add_argument("--examples", type=int, default=10_000, help="YAML and PQL inputs each")
    parser.add_argument("--plans", type=int, default=1_000,
                        help="markdown: plans, each carrying 29 generated user strings")
    parser.add_argument("--suite", choices=("all", "fuzz", "yaml", "pql", "markdown"),
                        default="all")
    args = parser.parse_args()
    os.environ["SEGCTL_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ["SEGCTL_MARKDOWN_EXAMPLES"] = str(args.plans)
    # imported after the environment is set: the hypothesis settings read it at import
    from tests.reliability import test_fuzz, test_markdown

    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
          f"({platform.machine()}), Python {platform.python_version()}")
    failed = False
    fuzz = (("yaml", test_fuzz.test_mutated_yaml_is_accepted_or_refused_with_a_location),
            ("pql", test_fuzz.test_mutated_pql_is_accepted_or_refused_with_a_location))
    for name, test in fuzz:
        if args.suite in ("all", "fuzz", name):
            failed |= _fuzz(name, test, test_fuzz.RECORD[name])
    if args.suite in ("all", "markdown"):
        started = time.perf_counter()
        escaped = False
        for test in (test_markdown.test_user_text_in_a_markdown_plan_is_only_text,
                     test_markdown.test_user_text_in_a_text_plan_cannot_drive_the_terminal):
            try:
                test()
            except AssertionError as err:
                escaped = failed = True
                print(f"markdown: FAILED\n{err}")
        plans = len(test_markdown.RECORD)
        print(f"markdown: {plans} plans, {plans * 29:,} user strings (names, descriptions, "
              f"keys, datasets, labels, PQL, reasons, warnings, target) in "
              f"{time.perf_counter() - started:.0f} s; escapes: {'some' if escaped else 0}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run (every input, hypothesis and the records): {peak_mb:.0f} MB")
    return 1 if failed else 0


def _fuzz(name: str, test: Callable[[], None], record: list[tuple[Outcome, object]]) -> bool:
    """Run one fuzz test, print its figures; True when a target is missed."""
    started = time.perf_counter()
    failed = False
    try:
        test()
    except AssertionError as err:
        failed = True
        print(f"{name}: FAILED\n{err}")
    outcomes = [outcome for outcome, _ in record]
    kinds = {kind: sum(o.kind == kind for o in outcomes)
             for kind in ("ok", "located", "unlocated", "internal")}
    slow = sorted(record, key=lambda pair: -pair[0].seconds)[:3]
    slowest = slow[0][0].seconds if slow else 0.0
    wall = max((o.wall for o in outcomes), default=0.0)
    growth = max((o.peak_growth_kb for o in outcomes), default=0) / 1024
    for outcome, sample in slow:
        print(f"  slow: {outcome.seconds:.3f} s CPU, {outcome.wall:.3f} s wall, "
              f"{outcome.kind} {sample!r:.90}")
    print(f"{name}: {len(outcomes)} inputs in {time.perf_counter() - started:.0f} s; "
          f"accepted {kinds['ok']}, refused with line:col {kinds['located']}, "
          f"without {kinds['unlocated']}, internal errors {kinds['internal']}; "
          f"slowest {slowest:.3f} s CPU ({wall:.3f} s wall at worst); "
          f"largest rise of peak RSS by one input {growth:.1f} MB")
    return failed or kinds["unlocated"] + kinds["internal"] > 0 or slowest > 2.0 \
        or growth > 200


if __name__ == "__main__":
    sys.exit(main())
