"""Apply throughput: 500 segment creates against the local sandbox with 50 ms of injected
latency per request, at concurrency 1 (the baseline: one call after another) and 8.

Target: a speed-up of at least 6x. Only definitions are written (no jobs), so the figure is the
writer's parallelism, not the job runner's. Medians of REPEAT runs, each on a fresh sandbox.

Usage: python bench/bench_apply.py [--count 500] [--latency-ms 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from segctl.aep import AepClient, AepConfig
from segctl.engine import ApplyOptions, Outcome, apply_plan, build_plan
from segctl.project import Project, Segment
from segctl.sandbox import FaultConfig, LocalSandbox


def project(count: int) -> Project:
    segments = tuple(
        Segment(key=f"seg-{i:04d}", name=f"Segment {i:04d}",
                pql=f'person.birthYear = {1940 + i % 70} and loyalty.points > {i}')
        for i in range(count)
    )
    return Project(root=Path("bench"), segments=segments, files_hash="bench")


def one_run(count: int, latency_ms: int, concurrency: int) -> tuple[float, int]:
    proj = project(count)
    faults = FaultConfig(latency_ms=latency_ms)
    with tempfile.TemporaryDirectory() as tmp, \
            LocalSandbox(Path(tmp), faults, sample_profiles=20) as sbx, \
            AepClient(AepConfig.local(), transport=sbx.transport()) as client:
        plan = build_plan(proj, client)
        before = client.request_count
        t0 = time.perf_counter()
        report = apply_plan(plan, client, ApplyOptions(concurrency=concurrency, run_jobs=False))
        elapsed = time.perf_counter() - t0
        sent = client.request_count - before
        assert report.ok and report.count(Outcome.OK) == count, report.summary()
        assert len(client.list_segment_definitions()) == count
        return elapsed, sent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[int, float] = {}
    print(f"{args.count} creates, {args.latency_ms} ms injected latency per request, "
          f"median of {args.repeat}")
    print("| concurrency | wall s (median) | requests | creates/s |")
    print("|---:|---:|---:|---:|")
    for concurrency in (1, 8):
        runs = [one_run(args.count, args.latency_ms, concurrency) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        results[concurrency] = wall
        print(f"| {concurrency} | {wall:.2f} | {runs[0][1]} | {args.count / wall:.0f} |",
              flush=True)
    speedup = results[1] / results[8]
    print(f"speed-up at concurrency 8: {speedup:.1f}x (target >= 6x): "
          f"{'met' if speedup >= 6 else 'MISSED'}")
    return 0 if speedup >= 6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
