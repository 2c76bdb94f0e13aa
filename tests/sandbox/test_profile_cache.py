"""The prepared on-disk copy of the sample profiles: used when it matches the NDJSON files,
ignored when they change or it is damaged, and always equal to a fresh parse."""

from __future__ import annotations

from pathlib import Path

from segctl.sandbox.profilestore import profile_cache
from segctl.sandbox.profilestore import profiles as sample_profiles

from .conftest import NOW


def _same(a: sample_profiles.ProfileData, b: sample_profiles.ProfileData) -> bool:
    return (a.ids == b.ids and a.profiles == b.profiles and a.event_count == b.event_count
            and [(e.events, e.times) for e in a.events] == [(e.events, e.times) for e in b.events])


def test_cached_writes_a_prepared_copy_that_reads_back_equal(data_dir: Path) -> None:
    sample_profiles.forget(data_dir)
    parsed = sample_profiles.cached(data_dir)
    assert profile_cache.cache_path(data_dir).is_file()
    sig = profile_cache.signature(data_dir)
    from_disk = profile_cache.read(data_dir, sig)
    assert from_disk is not None and from_disk is not parsed
    assert _same(from_disk, parsed)
    assert _same(parsed, sample_profiles.load(data_dir))
    sample_profiles.forget(data_dir)
    assert _same(sample_profiles.cached(data_dir), parsed)


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
    for damaged in (blob[: len(blob) // 2], b"", b"\x00\x00\x00\x05nope!", blob[:40]):
        path.write_bytes(damaged)
        assert profile_cache.read(data_dir, sig) is None
        sample_profiles.forget(data_dir)
        assert _same(sample_profiles.cached(data_dir), expected)


def test_bad_ndjson_still_raises_on_the_bad_line(tmp_path: Path) -> None:
    import json

    import pytest

    profiles_path, events_path = sample_profiles.paths(tmp_path)
    profiles_path.parent.mkdir(parents=True)
    profiles_path.write_text('{"_id": "a"}\n{"_id": "b"}\n{"_id": \n', encoding="utf-8")
    events_path.write_text("", encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as caught:
        sample_profiles.load(tmp_path)
    assert caught.value.doc == '{"_id": \n'  # the bad line alone, as a per-line read gives
