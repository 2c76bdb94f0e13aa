"""Local segment jobs: max RSS, wall and CPU of the whole process, compact store vs object store.

Each measurement is one fresh process (this script with ``--child``) that opens the local
sandbox on a seeded data directory, creates the 20 segments of ``bench_sandbox_job`` (16 base
segments: attributes, event counts, an ``occurs`` window, a ``chain``; 4 ``inSegment``
composites) and runs one segment job with all of them, POST to SUCCEEDED, through the sandbox's
HTTP handler. The parent reads the child's own resource usage with ``os.wait4`` (max RSS,
user + system CPU) and its wall time.

* new: the sandbox as it is, reading the compact store (``profilestore.store``) from its file
  beside the NDJSON; the process that builds that file first is reported separately (one-off).
* old: the same job code over the object store as it was before (``profilestore.data.
  ProfileData``: one dict per profile and per event, all in memory), read from a marshal copy
  as the previous ``.prepared.marshal`` did (written by a one-off process first).

Both paths must report the same member counts per segment. Sizes are profiles; events are the
sample's (~9.5 per profile) topped up with older copies to 10 per profile. The old path is
skipped above ``--old-max`` profiles (it needs ~27 KB per profile).

    python bench/bench_sandbox_memory.py [--sizes 2000,10000,100000] [--runs 3] [--old-max 100000]
    python bench/bench_sandbox_memory.py --sizes 1000000 --runs 1 --old-max 0
"""

from __future__ import annotations

import argparse
import gc
import json
import marshal
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENTS_PER_PROFILE = 10
OLD_COPY = "bench-objects.marshal"


# -- data -----------------------------------------------------------------------------------
def prepare(directory: Path, profiles: int, seed: int = 42) -> int:
    """Seed ``profiles`` sample profiles and top the events up to 10 per profile with older
    copies of random events (streamed: memory stays flat). Returns the event count."""
    from segctl.sandbox.profilestore import profiles as sample_profiles

    _, events_path = sample_profiles.seed(directory, profiles, seed, NOW)
    with events_path.open("rb") as fh:
        have = sum(1 for line in fh if line.strip())
    want = profiles * EVENTS_PER_PROFILE
    if want <= have:
        return have
    rng = random.Random(seed)
    rate = (want - have) / have
    added = 0
    tmp = events_path.with_suffix(".topup")
    with events_path.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            copies = int(rate) + (rng.random() < rate - int(rate))
            for _ in range(copies):
                event = json.loads(line)
                shifted = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")) \
                    - timedelta(days=rng.randint(1, 120))
                event["_id"] = f"bench-{added}"
                event["timestamp"] = shifted.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                out.write(json.dumps(event, separators=(",", ":")) + "\n")
                added += 1
    with events_path.open("a", encoding="utf-8") as out, tmp.open(encoding="utf-8") as extra:
        shutil.copyfileobj(extra, out)
    tmp.unlink()
    return have + added


# -- the measured process -------------------------------------------------------------------
def _old_objects(directory: Path) -> Any:
    """The object store as the previous version kept it: every profile and event a dict,
    read back from a marshal copy (the old ``.prepared.marshal``), GC paused then frozen."""
    from segctl import pql
    from segctl.sandbox.profilestore import profiles as sample_profiles

    copy = directory / OLD_COPY
    gc.collect()
    gc.disable()
    try:
        if copy.is_file():
            ids, profiles, events, times, count = marshal.loads(copy.read_bytes())
            return sample_profiles.ProfileData(
                tuple(ids), tuple(profiles),
                tuple(pql.PreparedEvents(e, t) for e, t in zip(events, times, strict=True)),
                count)
        data = sample_profiles.load(directory)
        copy.write_bytes(marshal.dumps((list(data.ids), list(data.profiles),
                                        [e.events for e in data.events],
                                        [e.times for e in data.events], data.event_count)))
        return data
    finally:
        gc.freeze()
        gc.enable()


def child(path: str, directory: Path, tag: str) -> None:
    sys.path.insert(0, str(HERE))
    import bench_sandbox_job as job

    from segctl.sandbox import LocalSandbox

    app = LocalSandbox(directory, now=lambda: NOW)
    start = time.perf_counter()
    if path == "old":
        data = _old_objects(directory)
        app.profile_data = lambda: data  # type: ignore[method-assign]
    else:
        data = app.profile_data()
    load_s = time.perf_counter() - start
    if tag == "prepare":  # a one-off process: build the store / the marshal copy
        print(json.dumps({"load_s": load_s}))
        app.close()
        return
    client = job._client(app)
    made: dict[str, str] = {}

    def create(name: str, text: str) -> None:
        doc = client.post(f"{job.UPS}/segment/definitions", json={
            "name": f"{name} {tag} {os.getpid()}", "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": text}})
        doc.raise_for_status()
        made[name] = doc.json()["id"]

    for name, text in job.BASE_SEGMENTS:
        create(name, text)
    for name, template in job.COMPOSITES:
        create(name, template.format(**made))
    elapsed, doc = job.run_job(app, client, list(made.values()))
    counters = doc["metrics"]["segmentedProfileCounter"]
    print(json.dumps({"load_s": load_s, "job_s": elapsed, "profiles": len(data),
                      "events": data.event_count,
                      "members": {name: counters[sid] for name, sid in made.items()}}))
    client.close()
    app.close()


# -- the parent -----------------------------------------------------------------------------
def measure(path: str, directory: Path, tag: str) -> dict[str, Any]:
    """Run one child; its wall time, CPU and max RSS (from its own rusage) and its report."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", path, "--dir", str(directory),
                             "--tag", tag], stdout=subprocess.PIPE,
                            env={**os.environ, "SEGCTL_ONDEMAND_RATION": "off"})  # many jobs
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{path} child failed ({proc.returncode})")
    report = json.loads(out.decode().strip().splitlines()[-1])
    rss_kb = usage.ru_maxrss  # kilobytes on Linux
    return {**report, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "rss_mb": rss_kb / 1024}


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-max", type=int, default=100_000)
    parser.add_argument("--child", choices=("old", "new"))
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--tag", default="")
    parser.add_argument("--keep", type=Path, help="seed into (and reuse) this directory")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.dir, args.tag)
        return

    print(f"machine: {os.cpu_count()} cpu, {platform.machine()}, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print("size | path | max RSS MB | wall s | CPU s | job s (POST->SUCCEEDED) | load s")
    for size in [int(s) for s in args.sizes.split(",")]:
        base = args.keep / str(size) if args.keep else Path(tempfile.mkdtemp(prefix="segmem-"))
        try:
            marker = base / "bench-events.txt"
            t0 = time.perf_counter()
            if marker.is_file():
                events = int(marker.read_text())
            else:
                events = prepare(base, size)
                marker.write_text(str(events))
            print(f"# {size:,} profiles, {events:,} events (seeded in "
                  f"{time.perf_counter() - t0:.0f} s)", flush=True)
            paths = ["new"] + (["old"] if size <= args.old_max else [])
            results: dict[str, list[dict[str, Any]]] = {}
            for path in paths:
                once = measure(path, base, "prepare")
                label = "build the store" if path == "new" else "write the marshal copy"
                print(f"{size} | {path}: one-off ({label}) | {once['rss_mb']:.0f} | "
                      f"{once['wall_s']:.1f} | {once['cpu_s']:.1f} | - | {once['load_s']:.1f}",
                      flush=True)
            for run in range(args.runs):
                for path in paths:  # alternate, so load on the machine hits both alike
                    row = measure(path, base, f"{path}{run}")
                    results.setdefault(path, []).append(row)
                    print(f"{size} | {path} run {run + 1} | {row['rss_mb']:.0f} | "
                          f"{row['wall_s']:.1f} | {row['cpu_s']:.1f} | {row['job_s']:.1f} | "
                          f"{row['load_s']:.1f}", flush=True)
            for path, rows in results.items():
                print(f"{size} | {path} MEDIAN | {_median(rows, 'rss_mb'):.0f} | "
                      f"{_median(rows, 'wall_s'):.1f} | {_median(rows, 'cpu_s'):.1f} | "
                      f"{_median(rows, 'job_s'):.1f} | {_median(rows, 'load_s'):.1f}")
            if "old" in results:
                new, old = results["new"], results["old"]
                if new[0]["members"] != old[0]["members"]:
                    raise SystemExit(f"member counts differ: {new[0]['members']} vs "
                                     f"{old[0]['members']}")
                print(f"{size} | ratio old/new: max RSS "
                      f"{_median(old, 'rss_mb') / _median(new, 'rss_mb'):.1f}x, wall "
                      f"{_median(old, 'wall_s') / _median(new, 'wall_s'):.2f}x, CPU "
                      f"{_median(old, 'cpu_s') / _median(new, 'cpu_s'):.2f}x; member counts "
                      "identical", flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest child max RSS (RUSAGE_CHILDREN): {peak:.0f} MB")


if __name__ == "__main__":
    main()
