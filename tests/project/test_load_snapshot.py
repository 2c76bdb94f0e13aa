"""The load cache's stat snapshot (segctl/project/cache.py, like git's index): an unchanged file
is not opened, yet everything a load reports is what a fresh read reports; a file whose stat
changed, or that was modified too close to the load that recorded it ("racily clean"), is read
again; the project hash needs no file's bytes and is the same with the cache or without."""

from __future__ import annotations

import builtins
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from segctl.errors import SegctlError
from segctl.project import analyse_project
from segctl.project import cache as cache_module
from segctl.project.source import SourceFile, files_hash, read_source

from .conftest import FIXTURES
from .test_load_cache import _seen

REPO = Path(__file__).resolve().parents[2]
HOUR_NS = 3600 * 10**9


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(folder))
    return folder


def _copy(source: Path, target: Path) -> Path:
    """A copy of a project (its files just written)."""
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()
        shutil.copy(source, target / source.name)
    return target


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads begin an hour from now: the files just written are old enough to be trusted (not
    "racily clean"), as they would be on a second run an hour later."""
    _an_hour_later(monkeypatch)


def _an_hour_later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_clock", lambda: time.time_ns() + HOUR_NS)


class _Reads:
    """Counts the project files segctl opens (``open``) and reads (``read_source``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[str] = []
        self.read: list[str] = []
        real_open, real_read = builtins.open, cache_module.read_source

        def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if str(file).endswith((".yaml", ".yml")):
                self.opened.append(str(file))
            return real_open(file, *args, **kwargs)

        def counting_read(path: Path, *args: Any) -> Any:
            self.read.append(path.name)
            return real_read(path, *args)

        monkeypatch.setattr(builtins, "open", counting_open)
        monkeypatch.setattr(cache_module, "read_source", counting_read)

    def clear(self) -> None:
        self.opened.clear()
        self.read.clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Reads]:
    yield _Reads(monkeypatch)


def _fresh(path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> tuple[object, ...]:
    """What a load without any cache reports."""
    monkeypatch.setenv("SEGCTL_CACHE_DIR", "")
    try:
        return _seen(analyse_project(path))
    finally:
        monkeypatch.setenv("SEGCTL_CACHE_DIR", str(cache_dir))


@pytest.mark.parametrize("source", [REPO / "segments",
                                    *sorted((FIXTURES / "invalid").glob("*.yaml"))],
                         ids=lambda p: p.name)
def test_an_unchanged_project_is_loaded_without_opening_a_file(
        source: Path, tmp_path: Path, cache_dir: Path, reads: _Reads, later: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagnostics (with their source lines and carets), built documents with every field
    location, counts and the project hash are those of a fresh read, from files not opened."""
    project = _copy(source, tmp_path / "proj")
    fresh = _fresh(project, monkeypatch, cache_dir)
    first = _seen(analyse_project(project))  # fills the cache
    assert reads.read and reads.opened
    reads.clear()
    second = _seen(analyse_project(project))
    assert reads.read == [] and reads.opened == []
    assert first == fresh and second == fresh


def test_a_diagnostic_of_an_unread_file_shows_its_source_line(
        tmp_path: Path, cache_dir: Path, reads: _Reads, later: None) -> None:
    project = _copy(FIXTURES / "invalid" / "bad-pql.yaml", tmp_path / "proj")
    first = analyse_project(project).errors
    reads.clear()
    second = analyse_project(project).errors
    assert reads.opened == []
    assert [e.format() for e in second] == [e.format() for e in first]
    assert second and all(e.location.source_line and "^" in e.format() for e in second)


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Rewrite ``path`` in place (same inode) with ``old`` replaced by ``new`` (same length),
    and give it back the modification time it had."""
    assert len(old) == len(new)
    before = path.stat()
    text = path.read_text()
    assert old in text
    with open(path, "r+") as handle:
        handle.write(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == \
        (before.st_size, before.st_mtime_ns, before.st_ino)


def test_an_edit_with_the_same_size_and_mtime_is_seen_by_its_ctime(
        tmp_path: Path, cache_dir: Path, reads: _Reads, later: None) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    target = project / "female-customers.yaml"
    assert analyse_project(project).errors == ()
    _same_size_edit(target, 'gender = "female"', 'gender = = female')
    reads.clear()
    errors = analyse_project(project).errors
    assert reads.read == ["female-customers.yaml"]
    assert [e.message for e in errors] == ["invalid PQL: expected an expression, found '='"]


def test_an_edit_that_changes_the_mtime_is_read_and_reported(
        tmp_path: Path, cache_dir: Path, reads: _Reads, later: None) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    assert analyse_project(project).errors == ()
    target = project / "female-customers.yaml"
    target.write_text(target.read_text().replace('person.gender = "female"',
                                                 'person.gender = = "female"'))
    reads.clear()
    errors = analyse_project(project).errors
    assert reads.read == ["female-customers.yaml"]
    assert [e.message for e in errors] == ["invalid PQL: expected an expression, found '='"]
    assert errors[0].location.source_line == 'pql: person.gender = = "female"'


def _coarse_stat(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """A file system on which only the modification time and the size tell anything."""
    return (st.st_mtime_ns, st.st_size, 0, 0, 0)


@pytest.mark.parametrize("old", [False, True], ids=["racy", "old"])
def test_a_file_modified_within_the_racy_margin_is_read_again(
        old: bool, tmp_path: Path, cache_dir: Path, reads: _Reads,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where only mtime and size are recorded, an edit that keeps both is caught when the file
    was modified within the margin of the load that recorded it (it must be read again);
    a file older than that is trusted (as git trusts its index), which shows that the margin is
    what catches the first."""
    monkeypatch.setattr(cache_module, "stat_key", _coarse_stat)
    if old:
        _an_hour_later(monkeypatch)
    project = _copy(REPO / "segments", tmp_path / "proj")
    assert analyse_project(project).errors == ()
    _same_size_edit(project / "female-customers.yaml", 'gender = "female"', 'gender = = female')
    reads.clear()
    errors = analyse_project(project).errors
    if old:
        assert reads.read == [] and errors == ()
    else:
        assert "female-customers.yaml" in reads.read
        assert [e.message for e in errors] == ["invalid PQL: expected an expression, found '='"]


def test_a_racy_file_is_trusted_once_a_later_load_records_it_old_enough(
        tmp_path: Path, cache_dir: Path, reads: _Reads, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    analyse_project(project)
    reads.clear()
    analyse_project(project)
    assert reads.read  # still within the margin of the first load: read again
    monkeypatch.setattr(cache_module, "RACY_MARGIN_NS", 0)
    analyse_project(project)  # reads them once more, and records them as old enough
    reads.clear()
    analyse_project(project)
    assert reads.read == []


@pytest.mark.parametrize("change", ["delete", "add", "rename", "edit"])
def test_a_deleted_added_renamed_or_edited_file_changes_the_hash_and_the_results(
        change: str, tmp_path: Path, cache_dir: Path, later: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    before = analyse_project(project, offline_checks=False).project
    analyse_project(project)  # the cache is filled and used
    target = project / "gmail-subscribers.yaml"
    if change == "delete":
        target.unlink()
    elif change == "add":
        (project / "extra.yaml").write_text(
            "kind: Segment\nkey: extra\nname: Extra\npql: person.gender = \"male\"\n")
    elif change == "rename":
        target.rename(project / "gmail.yaml")
    else:
        target.write_text(target.read_text().replace("gmail.com", "gmail.org"))
    after = analyse_project(project, offline_checks=False).project  # (a SegmentTest names it)
    assert before is not None and after is not None
    assert after.files_hash != before.files_hash
    keys = {s.key for s in after.segments}
    assert ("gmail-subscribers" in keys) == (change != "delete")
    assert ("extra" in keys) == (change == "add")
    assert {f.name for f in after.files} != {f.name for f in before.files} or change == "edit"
    assert _seen(analyse_project(project)) == _fresh(project, monkeypatch, cache_dir)


def test_the_hash_is_the_same_with_the_cache_or_without(
        tmp_path: Path, cache_dir: Path, later: None, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    monkeypatch.setenv("SEGCTL_CACHE_DIR", "")
    off = analyse_project(project).project
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(cache_dir))
    first, second = analyse_project(project).project, analyse_project(project).project
    assert off is not None and first is not None and second is not None
    assert off.files_hash == first.files_hash == second.files_hash
    assert off == second


def test_the_hash_is_over_relative_paths_sizes_and_digests(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_bytes(b"kind: Project\nname: p\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_bytes(b"\xef\xbb\xbfkind: Project\r\nname: q\r\n")
    expected = hashlib.sha256()
    for relative in ("b.yaml", "sub/a.yaml"):
        data = (tmp_path / relative).read_bytes()
        expected.update(relative.encode() + b"\0" + len(data).to_bytes(8, "big")
                        + hashlib.sha256(data).digest())
    sources = [read_source(tmp_path / name, tmp_path) for name in ("sub/a.yaml", "b.yaml")]
    assert all(isinstance(s, SourceFile) for s in sources)
    assert files_hash([s for s in sources if isinstance(s, SourceFile)]) == expected.hexdigest()


def test_the_bytes_of_an_unread_file_are_read_when_asked_for_and_checked(
        tmp_path: Path, cache_dir: Path, later: None) -> None:
    project = _copy(REPO / "segments", tmp_path / "proj")
    analyse_project(project)  # fills the cache
    source = _source_of(project, cache_dir)
    assert "data" not in source.__dict__  # not read
    target = project / "female-customers.yaml"
    assert source.data == target.read_bytes()
    other = _source_of(project, cache_dir)
    target.write_text(target.read_text() + "# changed\n")
    with pytest.raises(SegctlError, match="changed while segctl was reading"):
        _ = other.data


def _source_of(project: Path, cache_dir: Path) -> SourceFile:
    """The SourceFile of female-customers.yaml as a load from the cache makes it."""
    from segctl.project.cache import LoadCache
    from segctl.project.source import FileNames

    cache = LoadCache.open(project)
    path = project / "female-customers.yaml"
    found = cache.read(os.fspath(path), path, project, FileNames(project))
    assert not isinstance(found, SegctlError) and isinstance(found, tuple)
    return found[0]
