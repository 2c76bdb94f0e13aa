"""The compact store and its copy on disk: built from the NDJSON equal to the object path's
rows, used when it matches the NDJSON files, ignored when they change or it is damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segctl.sandbox.profilestore import build, profile_cache
from segctl.sandbox.profilestore import profiles as sample_profiles
from segctl.sandbox.profilestore.data import Profiles

from .conftest import NOW


def _rows(data: Profiles) -> list[object]:
    return [(pid, profile, events.events, events.times) for pid, profile, events in data.rows()]


def _same(a: Profiles, b: Profiles) -> bool:
    return len(a) == len(b) and a.event_count == b.event_count and _rows(a) == _rows(b)


def test_cached_writes_a_store_that_reads_back_equal_to_the_object_path(data_dir: Path) -> None:
    sample_profiles.forget(data_dir)
    built = sample_profiles.cached(data_dir)
    assert profile_cache.cache_path(data_dir).is_file()
    sig = profile_cache.signature(data_dir)
    from_disk = profile_cache.read(data_dir, sig)
    assert from_disk is not None and from_disk is not built
    objects = sample_profiles.load(data_dir)
    assert _same(from_disk, built) and _same(built, objects)
    assert len(built) == 300 and built.event_count == objects.event_count > 2000
    sample_profiles.forget(data_dir)
    assert _same(sample_profiles.cached(data_dir), objects)


def test_the_store_is_smaller_than_the_ndjson(data_dir: Path) -> None:
    store = sample_profiles.cached(data_dir)
    ndjson_bytes = sum(p.stat().st_size for p in sample_profiles.paths(data_dir))
    assert store.nbytes * 4 < ndjson_bytes


def test_reseeding_makes_the_copy_stale(data_dir: Path) -> None:
    sample_profiles.cached(data_dir)
    old_sig = profile_cache.signature(data_dir)
    sample_profiles.seed(data_dir, 7, 3, NOW)
    assert profile_cache.read(data_dir, profile_cache.signature(data_dir)) is None
    assert profile_cache.read(data_dir, old_sig) is not None
    data = sample_profiles.cached(data_dir)
    assert len(data) == 7
    assert _same(data, sample_profiles.load(data_dir))


def test_a_damaged_copy_is_ignored(data_dir: Path) -> None:
    sample_profiles.forget(data_dir)
    expected = sample_profiles.cached(data_dir)
    path = profile_cache.cache_path(data_dir)
    blob = path.read_bytes()
    sig = profile_cache.signature(data_dir)
    for damaged in (blob[: len(blob) // 2], b"", b"ARROW1\x00\x00nope!", blob[:40]):
        path.write_bytes(damaged)
        assert profile_cache.read(data_dir, sig) is None
        sample_profiles.forget(data_dir)
        assert _same(sample_profiles.cached(data_dir), expected)


def test_an_earlier_marshal_copy_is_removed(data_dir: Path) -> None:
    old = profile_cache.cache_path(data_dir).parent / ".prepared.marshal"
    old.write_bytes(b"from an earlier version")
    sample_profiles.forget(data_dir)
    sample_profiles.cached(data_dir)
    assert not old.exists()


def _write(tmp_path: Path, profiles: list[str], events: list[str], sep: str = "\n") -> None:
    profiles_path, events_path = sample_profiles.paths(tmp_path)
    profiles_path.parent.mkdir(parents=True, exist_ok=True)
    profiles_path.write_bytes((sep.join(profiles) + sep).encode())
    events_path.write_bytes((sep.join(events) + sep).encode())


@pytest.mark.parametrize("keep_bytes", [0, build.KEEP_BYTES])
def test_events_out_of_owner_order_and_odd_lines_link_as_the_object_path(
        tmp_path: Path, keep_bytes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events appended later for earlier profiles, owners named by id or identity, unknown
    owners, untimed events, blank lines and old Mac / Windows line ends; events read back by
    their spans (a large file) or kept from the first read (a small one)."""
    monkeypatch.setattr(build, "KEEP_BYTES", keep_bytes)
    profiles = [json.dumps({"_id": f"p{i}", "identityMap": {"ECID": [{"id": f"e{i}"}]}})
                for i in range(600)] + [json.dumps({"identityMap": {"Email": [{"id": "x@y"}]}})]
    events = []
    for n in range(3000):
        owner = {"profileId": f"p{(n * 7) % 600}"} if n % 3 else \
            {"identityMap": {"ECID": [{"id": f"e{(n * 13) % 650}"}]}}
        stamp = {} if n % 11 == 0 else {"timestamp": f"2026-05-{1 + n % 28:02d}T00:00:00Z"}
        events.append(json.dumps({"_id": f"ev{n}", **owner, **stamp, "n": n}))
    events[5] = ""
    _write(tmp_path, profiles, events[:1500])
    with sample_profiles.paths(tmp_path)[1].open("ab") as fh:
        fh.write(("\r".join(events[1500:2000]) + "\r\n").encode())
        fh.write(("\r\n".join(events[2000:]) + "\r\n").encode())
    store = build.build(tmp_path, block_size=64)
    objects = sample_profiles.load(tmp_path)
    assert _same(store, objects)
    assert 2000 < store.event_count < 3000  # some owners are unknown


def test_bad_ndjson_still_raises_on_the_bad_line(tmp_path: Path) -> None:
    _write(tmp_path, ['{"_id": "a"}', '{"_id": "b"}', '{"_id": '], [])
    with pytest.raises(json.JSONDecodeError) as caught:
        sample_profiles.load(tmp_path)
    assert caught.value.doc == '{"_id": \n'  # the bad line alone, as a per-line read gives
    with pytest.raises(json.JSONDecodeError) as caught:
        build.build(tmp_path)
    assert caught.value.doc == '{"_id": \n'
