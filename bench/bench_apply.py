"""Apply throughput: segment creates with 50 ms of injected latency per request, at concurrency
1 (the baseline: one call after another) and 8. Target: a speed-up of at least 6x at 500.

Two measures:
- whole process, as a user runs it: ``segctl apply PATH --auto-approve --no-jobs
  --concurrency N`` in its own process against ``segctl sandbox serve --latency-ms 50`` (its
  own process, a fresh data directory each run): wall time and the apply process's CPU
  (os.wait4), including start-up, project load, the plan's read, the re-read before the first
  write and the report. Then concurrency 8 alone at 100, 1,000 and 4,000 creates (growth; one
  run each: concurrency 1 at 4,000 would take over 200 s);
- engine only: ``apply_plan`` of 500 creates in-process through the sandbox's transport.

Only definitions are written (no jobs), so the figure is the writer's parallelism, not the job
runner's. Medians of REPEAT runs.

Usage: python bench/bench_apply.py [--count 500] [--latency-ms 50] [--repeat 3]
                                   [--sizes 100,1000,4000] [--skip-engine]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_served import child

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


def write_project(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    (root / "project.yaml").write_text("kind: Project\nname: bench-apply\n")
    for i in range(count):
        (root / f"seg-{i:04d}.yaml").write_text(
            f"kind: Segment\nkey: seg-{i:04d}\nname: Segment {i:04d}\n"
            f"pql: person.birthYear = {1940 + i % 70} and loyalty.points > {i}\n")


def process_run(count: int, latency_ms: int, concurrency: int) -> tuple[float, float, float]:
    """Wall and CPU seconds of one ``segctl apply`` process creating ``count`` segments, and
    the seconds until its first write ended (start-up, project load, plan, re-read)."""
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = Path(tmp) / "project"
        write_project(project_dir, count)
        serve = ["-m", "segctl", "sandbox", "serve", "--port", "0", "--data",
                 str(Path(tmp) / "sandbox"), "--latency-ms", str(latency_ms)]
        with child(serve) as url, (Path(tmp) / "report.json").open("wb") as report:
            env = {**os.environ, "AEP_PLATFORM_URL": url, "AEP_IMS_URL": f"{url}/ims/token/v3"}
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "segctl", "apply", str(project_dir), "--auto-approve",
                 "--no-jobs", "--concurrency", str(concurrency), "--format", "json"],
                env=env, stdout=report, stderr=subprocess.PIPE, text=True)
            assert proc.stderr is not None
            first_write = 0.0
            tail: list[str] = []
            for line in proc.stderr:  # the plan, then one progress line per finished action
                if not first_write and line.startswith("ok:"):
                    first_write = time.perf_counter() - t0
                tail = [*tail[-20:], line]
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            assert proc.returncode == 0, (proc.returncode, "".join(tail))
            with AepClient(AepConfig.local(url)) as client:
                assert len(client.list_segment_definitions()) == count
        return wall, usage.ru_utime + usage.ru_stime, first_write


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,4000")
    parser.add_argument("--skip-engine", action="store_true")
    args = parser.parse_args()
    ok = True
    print(f"Whole process: `segctl apply` of {args.count} creates against `segctl sandbox "
          f"serve --latency-ms {args.latency_ms}`, median of {args.repeat}")
    print("| concurrency | wall s | apply process CPU s | first write done after s | "
          "creates/s |")
    print("|---:|---:|---:|---:|---:|")
    walls: dict[int, float] = {}
    for concurrency in (1, 8):
        runs = [process_run(args.count, args.latency_ms, concurrency)
                for _ in range(args.repeat)]
        walls[concurrency] = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        first = statistics.median(r[2] for r in runs)
        print(f"| {concurrency} | {walls[concurrency]:.2f} | {cpu:.2f} | {first:.2f} | "
              f"{args.count / walls[concurrency]:.0f} |", flush=True)
    speedup = walls[1] / walls[8]
    ok &= speedup >= 6
    print(f"whole-process speed-up at concurrency 8: {speedup:.1f}x (target >= 6x): "
          f"{'met' if speedup >= 6 else 'MISSED'}")
    print(f"\nGrowth, concurrency 8, whole process, one run each, {args.latency_ms} ms latency")
    print("| creates | wall s | apply process CPU s | first write done after s | creates/s |")
    print("|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",") if s):
        wall, cpu, first = process_run(n, args.latency_ms, 8)
        print(f"| {n:,} | {wall:.2f} | {cpu:.2f} | {first:.2f} | {n / wall:.0f} |", flush=True)
    if args.skip_engine:
        return 0 if ok else 1
    print(f"\nEngine only: apply_plan of {args.count} creates in-process, median of "
          f"{args.repeat}")
    results: dict[int, float] = {}
    print("| concurrency | wall s (median) | requests | creates/s |")
    print("|---:|---:|---:|---:|")
    for concurrency in (1, 8):
        engine = [one_run(args.count, args.latency_ms, concurrency) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in engine)
        results[concurrency] = wall
        print(f"| {concurrency} | {wall:.2f} | {engine[0][1]} | {args.count / wall:.0f} |",
              flush=True)
    speedup = results[1] / results[8]
    print(f"engine-only speed-up at concurrency 8: {speedup:.1f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
