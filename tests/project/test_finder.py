"""One finder for a project's files: validate/plan (the loader) and fmt read the same files in
the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from segctl.fmt import format_paths
from segctl.project import load_project, project_files

SEGMENT = "kind: Segment\nkey: {key}\nname: {key}\npql: person.gender = \"female\"\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for relative in ("a/x.yaml", "a-b/y.yaml", "a.b/z.yml", "b.yaml", "A/upper.yaml",
                     ".hidden/skipped.yaml", "a/.dotfile.yaml", ".segctl/state.yaml"):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        key = relative.replace("/", "-").replace(".", "-")
        path.write_text(SEGMENT.format(key=key))
    (root / "notes.txt").write_text("not yaml")
    (root / "a" / "readme.YAML.bak").write_text("x")
    (root / "elsewhere").mkdir()
    (root / "elsewhere" / "e.yaml").write_text(SEGMENT.format(key="elsewhere"))
    os.symlink(root / "elsewhere", root / "linked", target_is_directory=True)
    return root


def test_git_order_of_relative_paths_hidden_and_non_yaml_skipped(tree: Path) -> None:
    found = [p.relative_to(tree).as_posix() for p in project_files(tree)]
    # compared as text, "/" sorts after "-" and ".": a-b/ and a.b/ come before a/
    assert found == ["A/upper.yaml", "a-b/y.yaml", "a.b/z.yml", "a/x.yaml", "b.yaml",
                     "elsewhere/e.yaml"]


def test_a_file_is_itself(tree: Path) -> None:
    assert project_files(tree / "a" / "x.yaml") == [tree / "a" / "x.yaml"]


def test_paths_keep_the_form_they_were_given_in(tree: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    monkeypatch.chdir(tree)
    assert project_files(Path("."))[0] == Path("A/upper.yaml")
    assert project_files(Path("a"))[0] == Path("a/x.yaml")


def test_fmt_and_the_loader_read_the_same_files_in_the_same_order(tree: Path) -> None:
    project = load_project(tree)
    results, errors = format_paths([tree])
    assert not errors
    assert [r.path for r in results] == list(project.files) == project_files(tree)
    assert [s.key for s in project.segments] == [
        "A-upper-yaml", "a-b-y-yaml", "a-b-z-yml", "a-x-yaml", "b-yaml", "elsewhere"]
