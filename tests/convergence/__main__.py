"""The full chaos and crash profiles (figures for RELIABILITY.md).

Usage:
    python -m tests.convergence chaos [--seeds 20] [--segments 200]
    python -m tests.convergence crash [--random 10] [--segments 200] [--seed 17]

Each prints one line per run and a summary table in RELIABILITY.md's format; the exit status
is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from tests.convergence.harness import CHAOS_FAULTS, seed_template
from tests.convergence.suites import chaos_run, crash_moments, crash_run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.convergence")
    parser.add_argument("suite", choices=("chaos", "crash"))
    parser.add_argument("--seeds", type=int, default=20, help="chaos: seeds 1..N")
    parser.add_argument("--random", type=int, default=10, help="crash: random kill moments")
    parser.add_argument("--seed", type=int, default=17, help="crash: seed of the moments")
    parser.add_argument("--segments", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"# {args.suite}: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · "
          f"{platform.machine()} · Python {platform.python_version()} · {platform.node()}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix=f"segctl-{args.suite}-") as tmp:
        root = Path(tmp)
        template = seed_template(root / "template")
        if args.suite == "chaos":
            return _chaos(root, template, args.seeds, args.segments)
        return _crash(root, template, args.random, args.seed, args.segments)


def _chaos(root: Path, template: Path, seeds: int, segments: int) -> int:
    runs = []
    for seed in range(1, seeds + 1):
        run = chaos_run(seed, segments, root / f"seed-{seed}", template)
        runs.append(run)
        v = run.verdict
        print(f"seed {seed:2d}: first apply {'ok' if run.first_ok else 'FAILED'} "
              f"({run.seconds:.0f}s), re-runs {run.reruns}, converged {v.converged}, "
              f"duplicates {v.duplicates}, awaiting {v.awaiting}, needless {v.needless}"
              + (f" — {run.first_error}" if run.first_error else ""), flush=True)
    first = sum(r.first_ok for r in runs)
    converged = sum(r.verdict.converged for r in runs)
    dupes = sum(r.verdict.duplicates for r in runs)
    awaiting = sum(r.verdict.awaiting for r in runs)
    print(f"\n| suite | profile | first apply ok | converged | duplicates | awaiting evaluation "
          f"after convergence | median first apply |\n|---|---|---|---|---|---|---|\n"
          f"| chaos | {segments} segments, `{CHAOS_FAULTS},seed=1..{seeds}` | "
          f"{first}/{len(runs)} | {converged}/{len(runs)} | {dupes} | {awaiting} | "
          f"{sorted(r.seconds for r in runs)[len(runs) // 2]:.0f} s |")
    missed = first < len(runs) * 19 / 20 or converged < len(runs) or dupes or awaiting
    return 1 if missed else 0


def _crash(root: Path, template: Path, count: int, seed: int, segments: int) -> int:
    calibration = crash_run(1e9, segments, root / "calibration", template)  # never killed
    horizon = calibration.seconds
    print(f"calibration: an uninterrupted apply takes {horizon:.1f}s; "
          f"converged {calibration.verdict.converged}", flush=True)
    runs = []
    for n, moment in enumerate(crash_moments(seed, count, horizon)):
        run = crash_run(moment, segments, root / f"kill-{n}", template)
        runs.append(run)
        v = run.verdict
        print(f"kill at {run.moment:>15}: {'killed' if run.killed else 'finished first'}, "
              f"re-runs {run.reruns}, converged {v.converged}, duplicates {v.duplicates}, "
              f"needless re-evaluations {v.needless}, never evaluated {v.awaiting}", flush=True)
    converged = sum(r.verdict.converged for r in runs)
    killed = sum(r.killed for r in runs)
    dupes = sum(r.verdict.duplicates for r in runs)
    needless = sum(r.verdict.needless for r in runs)
    never = sum(r.verdict.awaiting for r in runs)
    print(f"\n| suite | profile | killed | converged | duplicates | needless re-evaluations | "
          f"never evaluated |\n|---|---|---|---|---|---|---|\n"
          f"| crash | {segments} segments, {count} random moments (seed {seed}) + "
          f"{len(runs) - count} phases | {killed}/{len(runs)} | {converged}/{len(runs)} | "
          f"{dupes} | {needless} | {never} |")
    return 1 if converged < len(runs) or dupes or needless or never else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
