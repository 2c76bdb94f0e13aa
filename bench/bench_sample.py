"""Sample-data generator speed (segctl.sandbox.profilestore.sample).

Measures, as medians of 3 runs over N profiles (default 20,000; ~190,000 events):

* generate: consume ``iter_sample`` (build the profile and event dicts);
* write: ``write_sample`` end to end (generate, encode NDJSON, write both files);
* baseline: ``json.dumps`` + write of the *same, already generated* records, i.e. the cost of
  serialisation alone, which no generator can beat.

The ratio write / baseline says how much generation adds on top of plain serialisation; the
extrapolation to 100,000 profiles is linear (the generator streams, memory stays flat).

Usage: python bench/bench_sample.py [PROFILES]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from segctl.sandbox.profilestore.sample import iter_sample, write_sample

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
RUNS = 3


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    profiles = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    records = list(iter_sample(profiles, 42, NOW))
    events = sum(len(evs) for _, evs in records)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def baseline() -> None:
            with (out / "p.ndjson").open("w") as pf, (out / "e.ndjson").open("w") as ef:
                for profile, evs in records:
                    pf.write(json.dumps(profile) + "\n")
                    for event in evs:
                        ef.write(json.dumps(event) + "\n")

        def generate() -> None:
            for _ in iter_sample(profiles, 42, NOW):
                pass

        results = {name: statistics.median(timed(fn) for _ in range(RUNS)) for name, fn in (
            ("generate", generate),
            ("write", lambda: write_sample(out / "w", profiles, 42, NOW)),
            ("baseline", baseline),
        )}
    scale = 100_000 / profiles
    print(f"{profiles} profiles, {events} events (median of {RUNS})")
    for name, seconds in results.items():
        print(f"  {name:9s} {seconds:7.2f} s   {events / seconds:10,.0f} events/s   "
              f"~{seconds * scale:5.1f} s per 100k profiles")
    print(f"  ratio write / baseline (serialisation only): "
          f"{results['write'] / results['baseline']:.2f}x")


if __name__ == "__main__":
    main()
