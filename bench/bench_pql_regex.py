r"""PQL ``matches`` with Java semantics (``regex``, VERSION1) against Python's ``re``.

Usage: python bench/bench_pql_regex.py [--quick]

The same compiled predicate ``person.email matches PATTERN`` is evaluated over the same
profiles twice in this process: once as shipped (``segctl.pql.evaluator.regex_java``: the ``regex``
package, Java rewrites, the time limit for patterns that can run away) and once with the
evaluator's regex search swapped for Python's ``re`` (what PQL used before; it reads these
patterns the same way). Rows:

(a) an anchored pattern that cannot backtrack without end: no timer;
(b) a repeated group holding an alternative, ``^([a-z]+|[0-9]+|\.)+@example\.com$``: searched
    under the timer.

Each figure is the median of several runs; the script asserts both engines agree on every
profile.
"""

from __future__ import annotations

import platform
import random
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchlib import rate

from segctl.pql import compile, parse
from segctl.pql.evaluator import regex_java

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
ROWS = {
    "(a) anchored, unguarded": r"^[a-z]+\\.[a-z]+@example\\.com$",
    "(b) repeated alternative, guarded": r"^([a-z]+|[0-9]+|\\.)+@example\\.com$",
}


def make_profiles(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    words = ["ada", "alan", "grace", "linus", "ken", "barbara", "edsger", "donald"]
    domains = ["example.com", "example.org", "mail.test"]
    return [{"person": {"email": f"{rng.choice(words)}.{rng.choice(words)}"
                                  f"{rng.randint(0, 99) if rng.random() < 0.3 else ''}"
                                  f"@{rng.choice(domains)}"}} for _ in range(count)]


class _ReEngine:
    """Python ``re`` behind the same interface as :class:`regex_java.JavaRegex`."""

    def __init__(self, pattern: str):
        self.compiled = re.compile(pattern)
        self.groups = self.compiled.groups

    def search(self, text: str) -> Any:
        return self.compiled.search(text)




def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    count, runs = (20_000, 3) if quick else (100_000, 7)
    profiles = make_profiles(count)
    print(f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · Python "
          f"{platform.python_version()} · {count} profiles · medians of {runs} runs")
    shipped = regex_java.java_regex
    for label, pattern in ROWS.items():
        predicate = compile(parse(f'person.email matches "{pattern}"'))

        def run(pred: Any = predicate) -> int:
            return sum(pred.evaluate(p, None, NOW) is True for p in profiles)

        java, hits = rate(run, count, runs)
        regex_java.java_regex = _ReEngine  # type: ignore[assignment]  # what matches() calls
        try:
            python, hits_re = rate(run, count, runs)
        finally:
            regex_java.java_regex = shipped
        assert hits == hits_re, (label, hits, hits_re)
        guarded = shipped(pattern.replace("\\\\", "\\"))
        print(f"{label:36} regex {java:>11,.0f} eval/s   re {python:>11,.0f} eval/s   "
              f"ratio {java / python:.2f}   guarded={guarded.guarded if guarded else None}   "
              f"matches={hits}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
