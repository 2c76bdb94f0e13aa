"""Segment-job throughput of the local sandbox: 100,000 profiles, 1,000,000 events, 20 segments.

Runs a real segment job through the sandbox's HTTP handler (in-process transport) and times it
from POST to SUCCEEDED (median of several runs, profiles already loaded in memory; the one-off
NDJSON load is reported separately). Baseline, in the same run: a naive evaluator that parses
and compiles the PQL for every (profile, segment) and hands the evaluator raw, unprepared event
lists, timed on a sample of profiles and extrapolated. Reports the ratio.

    python bench/bench_sandbox_job.py [--profiles 100000] [--events 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from segctl import pql
from segctl.aep.ration import UNLIMITED
from segctl.sandbox import LocalSandbox
from segctl.sandbox.core.store import Partition
from segctl.sandbox.profilestore import profiles as sample_profiles

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ORG = "BENCH000000000000000000@AdobeOrg"
UPS = "/data/core/ups"

BASE_SEGMENTS = [
    ("women", 'person.gender = "female"'),
    ("men", 'person.gender = "male"'),
    ("us", 'homeAddress.countryCode = "US"'),
    ("ca-gb", 'homeAddress.countryCode in ["CA", "GB"]'),
    ("born-before-1980", "person.birthYear < 1980"),
    ("born-1995-plus", "person.birthYear >= 1995"),
    ("gold", 'loyalty.tier = "gold"'),
    ("points", "loyalty.points > 1000"),
    ("gmail", 'personalEmail.address.endsWith("gmail.com")'),
    ("repeat-buyers", 'xEvent[eventType = "commerce.purchases"].count() >= 2'),
    ("carters", 'xEvent[eventType = "commerce.productListAdds"].count() > 0'),
    ("abandoners", 'xEvent[eventType = "commerce.productListAdds"].count() > 0 and '
                   'xEvent[eventType = "commerce.checkouts"].count() = 0'),
    ("recent-buyers", 'select X from xEvent where X.eventType = "commerce.purchases" and '
                      "X.timestamp occurs < 30 days before now"),
    ("add-then-buy", 'chain(xEvent, timestamp, [A: WHAT(eventType = "commerce.productListAdds"),'
                     ' B: WHAT(eventType = "commerce.purchases")])'),
    ("browsers", 'xEvent[eventType = "web.webpagedetails.pageViews"].count() >= 10'),
    ("london-toronto", 'homeAddress.city = "London" or homeAddress.city = "Toronto"'),
]
# composites over the ids of the segments above (segment of segments: dependency order)
COMPOSITES = [
    ("women-repeat-buyers", "inSegment(\"{women}\") and inSegment(\"{repeat-buyers}\")"),
    ("us-not-carters", "inSegment(\"{us}\") and not inSegment(\"{carters}\")"),
    ("gold-or-chain", "inSegment(\"{gold}\") or inSegment(\"{add-then-buy}\")"),
    ("young-women-buyers",
     "inSegment(\"{women-repeat-buyers}\") and inSegment(\"{born-1995-plus}\")"),
]


def prepare_data(directory: Path, profiles: int, events: int, seed: int) -> tuple[int, int]:
    """Sample data, topped up with older copies of each profile's events to reach ``events``."""
    _, events_path = sample_profiles.seed(directory, profiles, seed, NOW)
    with events_path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    rng = random.Random(seed)
    extra = max(0, events - len(lines))
    with events_path.open("a", encoding="utf-8") as out:
        for i in range(extra):
            event = json.loads(lines[rng.randrange(len(lines))])
            shifted = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")) \
                - timedelta(days=rng.randint(1, 120))
            event["_id"] = f"bench-{i}"
            event["timestamp"] = shifted.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            out.write(json.dumps(event, separators=(",", ":")) + "\n")
    return profiles, len(lines) + extra


def _client(app: LocalSandbox) -> httpx.Client:
    client = httpx.Client(transport=app.transport(), base_url="http://bench")
    token = client.post("/ims/token/v3", data={
        "grant_type": "client_credentials", "client_id": "bench",
        "client_secret": "local-client-secret"}).json()["access_token"]
    client.headers.update({"Authorization": f"Bearer {token}", "x-api-key": "bench",
                           "x-gw-ims-org-id": ORG, "x-sandbox-name": "prod"})
    return client


def create_segments(client: httpx.Client) -> dict[str, tuple[str, str]]:
    """name -> (id, pql text)"""
    made: dict[str, tuple[str, str]] = {}

    def create(name: str, text: str) -> None:
        doc = client.post(f"{UPS}/segment/definitions", json={
            "name": name, "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text", "value": text}})
        doc.raise_for_status()
        made[name] = (doc.json()["id"], text)

    for name, text in BASE_SEGMENTS:
        create(name, text)
    for name, template in COMPOSITES:
        create(name, template.format(**{k: v[0] for k, v in made.items()}))
    return made


def run_job(app: LocalSandbox, client: httpx.Client, ids: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    job = client.post(f"{UPS}/segment/jobs", json=[{"segmentId": i} for i in ids]).json()
    while True:
        doc = client.get(f"{UPS}/segment/jobs/{job['id']}").json()
        if doc["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if doc["status"] != "SUCCEEDED":
        raise SystemExit(f"job ended {doc['status']}: {doc.get('errors')}")
    return elapsed, doc


def naive_baseline(data: sample_profiles.ProfileStore, segments: dict[str, tuple[str, str]],
                   memberships: dict[str, set[str]], sample: int,
                   *, compile_each: bool = True) -> float:
    """Seconds per (profile, segment) when each evaluation gets raw, unprepared event dicts
    and (``compile_each``) parses and compiles its PQL again: what a straightforward
    per-profile implementation would do."""
    raw_events: dict[str, list[dict]] = {}
    rows = list(itertools.islice(data.rows(), sample))
    for pid, _, prepared in rows:
        events = getattr(prepared, "events", prepared)
        raw_events[pid] = [dict(e) for e in events]
    names = list(segments)
    compiled = {name: pql.compile(pql.parse(segments[name][1])) for name in names}
    start = time.perf_counter()
    count = 0
    for pid, profile, _ in rows:
        for name in names:
            text = segments[name][1]
            predicate = pql.compile(pql.parse(text)) if compile_each else compiled[name]
            predicate.evaluate(profile, raw_events[pid], NOW,
                               lambda ref, _p=pid: _p in memberships.get(ref, set()))
            count += 1
    return (time.perf_counter() - start) / count


def naive_load(directory: Path) -> tuple[float, int]:
    """The one-off load as it was before the prepared copy: ``json.loads`` line by line with
    the cyclic garbage collector running, every event's identities listed to find its owner,
    then events sorted and their timestamps parsed per profile. (seconds, events linked)"""
    start = time.perf_counter()
    profiles_path, events_path = sample_profiles.paths(directory)
    index: dict[str, int] = {}
    ids: list[str] = []
    profiles: list[dict] = []
    with profiles_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                profile = json.loads(line)
                pid = sample_profiles.profile_id(profile)
                index[pid] = len(ids)
                for namespace, entries in (profile.get("identityMap") or {}).items():
                    for entry in entries or []:
                        index.setdefault(f"{namespace}:{entry['id']}", len(ids))
                ids.append(pid)
                profiles.append(profile)
    per_profile: list[list[dict]] = [[] for _ in ids]
    linked = 0
    with events_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                event = json.loads(line)
                keys = [f"{ns}:{e['id']}" for ns, entries in
                        (event.get("identityMap") or {}).items() for e in entries or []
                        if isinstance(e, dict) and e.get("id")]
                owner = event.get("profileId") or (keys[0] if keys else None)
                slot = index.get(owner) if owner is not None else None
                if slot is not None:
                    per_profile[slot].append(event)
                    linked += 1
    prepared = [pql.prepare_events(evs) for evs in per_profile]
    elapsed = time.perf_counter() - start
    del prepared, per_profile, profiles
    return elapsed, linked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="segctl-bench-"))
    try:
        t0 = time.perf_counter()
        n_profiles, n_events = prepare_data(workdir, args.profiles, args.events, args.seed)
        gen_s = time.perf_counter() - t0
        app = LocalSandbox(workdir, now=lambda: NOW, ration=UNLIMITED)  # --runs jobs a day
        t0 = time.perf_counter()
        data = app.profile_data()  # builds the compact store from the NDJSON and writes it
        load_s = time.perf_counter() - t0
        sample_profiles.forget(workdir)  # what a new process does: read the store file
        del data
        t0 = time.perf_counter()
        data = app.profile_data()
        copy_s = time.perf_counter() - t0
        client = _client(app)
        segments = create_segments(client)
        ids = [sid for sid, _ in segments.values()]
        times = []
        doc: dict = {}
        for _ in range(args.runs):
            elapsed, doc = run_job(app, client, ids)
            times.append(elapsed)
        median = statistics.median(times)
        pairs = n_profiles * len(ids)
        per_pair = median / pairs
        scope = Partition(ORG, "prod")
        members = {sid: {pid for pid, entry in app.store.memberships(scope, sid).items()
                         if entry[0] in ("realized", "existing")} for sid in ids}
        base_per_pair = naive_baseline(data, segments, members, args.baseline_sample)
        raw_per_pair = naive_baseline(data, segments, members, args.baseline_sample * 10,
                                      compile_each=False)
        client.close()
        app.close()
        linked = data.event_count
        del data, app
        naive_load_s, naive_linked = naive_load(workdir)
        assert naive_linked == linked, (naive_linked, linked)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    counters = doc["metrics"]["segmentedProfileCounter"]
    print(f"machine: {os.cpu_count()} cpu, {platform.machine()}, Python {sys.version.split()[0]}")
    print(f"data: {n_profiles} profiles, {n_events} events ({linked} linked); "
          f"generated in {gen_s:.1f} s")
    print(f"one-off load: first process (build the compact store from the NDJSON) "
          f"{load_s:.1f} s; later processes (store file) {copy_s:.1f} s; baseline loader as before "
          f"(line by line, GC on) {naive_load_s:.1f} s -> ratios "
          f"{naive_load_s / load_s:.1f}x / {naive_load_s / copy_s:.1f}x")
    print(f"segments: {len(ids)} ({len(COMPOSITES)} inSegment composites)")
    print(f"segment job runs (s): {', '.join(f'{t:.2f}' for t in times)}; median {median:.2f} s")
    print(f"throughput: {pairs / median:,.0f} profile-segment evaluations/s "
          f"({per_pair * 1e6:.2f} us each)")
    print(f"naive baseline (parse+compile per evaluation, raw events, {args.baseline_sample} "
          f"profiles): {base_per_pair * 1e6:.1f} us each -> "
          f"extrapolated {base_per_pair * pairs:.0f} s for the same job")
    print(f"ratio naive/sandbox: {base_per_pair / per_pair:.1f}x")
    print(f"compiled once but raw events ({args.baseline_sample * 10} profiles): "
          f"{raw_per_pair * 1e6:.1f} us each -> ratio {raw_per_pair / per_pair:.1f}x")
    print("members per segment: " + ", ".join(
        f"{name}={counters[sid]}" for name, (sid, _) in segments.items()))


if __name__ == "__main__":
    main()
