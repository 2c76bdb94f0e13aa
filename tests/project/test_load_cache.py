"""The load cache (segctl/project/cache.py): a load that reads its results from the cache
reports exactly what a fresh read reports, a file or rule that changed is read again, and a
cache that is corrupt, from another version, or turned off changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from segctl.project import analyse_project
from segctl.project import cache as cache_module
from segctl.project.loader import LoadResult

from .conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]
PROJECTS = [*sorted((FIXTURES / "invalid").glob("*.yaml")), REPO / "segments"]


def _seen(result: LoadResult) -> tuple[object, ...]:
    """Everything a command shows of a load: diagnostics with their locations and excerpts,
    counts, and the built documents with every field location."""
    project = result.project
    built = None
    if project is not None:
        built = [(s, dict(s.field_locations)) for s in project.segments] + [
            (e, dict(e.field_locations)) for e in project.exports]
    return (tuple((d.message, d.severity, d.location, d.format()) for d in result.diagnostics),
            dict(result.counts), built, project.files_hash if project else None)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(folder))
    return folder


@pytest.mark.parametrize("path", PROJECTS, ids=lambda p: p.name)
def test_a_load_from_the_cache_reports_what_a_fresh_read_reports(
        path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_CACHE_DIR", "")
    fresh = _seen(analyse_project(path))
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(cache_dir))
    first = _seen(analyse_project(path))  # fills the cache
    assert list(cache_dir.glob("load-*.marshal"))
    second = _seen(analyse_project(path))  # reads it
    assert first == fresh
    assert second == fresh


def test_a_changed_file_and_a_changed_rule_are_read_again(tmp_path: Path, cache_dir: Path
                                                          ) -> None:
    project = tmp_path / "proj"
    shutil.copytree(REPO / "segments", project)
    assert analyse_project(project).errors == ()
    target = project / "female-customers.yaml"
    target.write_text(target.read_text().replace('person.gender = "female"',
                                                 'person.gender = = "female"'))
    errors = analyse_project(project).errors
    assert [e.message for e in errors] == ["invalid PQL: expected an expression, found '='"]
    assert errors[0].location.file is not None
    assert errors[0].location.file.endswith("female-customers.yaml")


def test_locations_name_the_file_as_this_run_names_it(tmp_path: Path, cache_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache keeps lines and columns only: the file's name comes from this run (it is
    relative to the working directory, which may have changed)."""
    broken = FIXTURES / "invalid" / "wrong-type.yaml"
    monkeypatch.chdir(broken.parent)
    here = analyse_project(broken).errors[0].location
    monkeypatch.chdir(tmp_path)
    there = analyse_project(broken).errors[0].location
    assert here.file == "wrong-type.yaml" and there.file == str(broken)
    assert (here.line, here.col, here.source_line) == (there.line, there.col, there.source_line)


def test_a_corrupt_cache_or_another_version_is_ignored(tmp_path: Path, cache_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "invalid" / "bad-pql.yaml"
    expected = _seen(analyse_project(path))
    (stored,) = cache_dir.glob("load-*.marshal")
    stored.write_bytes(b"\x00not marshal")
    assert _seen(analyse_project(path)) == expected
    monkeypatch.setattr(cache_module, "_code_digest", lambda: "another version")
    assert _seen(analyse_project(path)) == expected


def test_an_empty_setting_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    analyse_project(REPO / "segments")
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_an_unwritable_cache_folder_is_not_an_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(blocker / "cache"))
    assert analyse_project(REPO / "segments").errors == ()


def test_rule_forms_are_the_canonical_text_and_references_whether_cached_or_not(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading hands planning each pql/text rule's canonical text and references
    (``Project.rule_forms``), the same from a fresh read as from the cache."""
    from segctl import pql

    monkeypatch.setenv("SEGCTL_CACHE_DIR", "")
    fresh = analyse_project(REPO / "segments").project
    monkeypatch.setenv("SEGCTL_CACHE_DIR", str(cache_dir))
    analyse_project(REPO / "segments")  # fills the cache
    cached = analyse_project(REPO / "segments").project
    assert fresh is not None and cached is not None
    texts = [s.pql for s in fresh.segments if s.pql is not None]
    assert texts and set(fresh.rule_forms) == set(texts)
    assert dict(cached.rule_forms) == dict(fresh.rule_forms)
    for text in texts:
        tree = pql.parse(text)
        form = fresh.rule_forms[text]
        assert form.canonical == pql.to_text(tree)
        assert form.refs == tuple(sorted(pql.segment_refs(tree)))
    assert any(form.refs for form in fresh.rule_forms.values())  # an inSegment example
