"""An unknown profile id in a SegmentTest expectation is reported where that id is written."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_unknown_fixture_id_points_at_the_id(workdir: Path, run: Run) -> None:
    path = workdir / "segments" / "tests" / "profile-attributes.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    members: [ben, dev]\n" in text
    path.write_text(text.replace("    members: [ben, dev]\n", "    members: [ben, zed]\n"),
                    encoding="utf-8")
    line = text[: text.index("    members: [ben, dev]")].count("\n") + 1
    for command in ("test", "validate"):
        code, out, err = run(command)
        assert code == 1 and out == ""
        assert (f"segments/tests/profile-attributes.yaml:{line}:20: error: expect.us-residents: "
                "'zed' is not a fixture profile id") in err
        assert "        members: [ben, zed]\n" + " " * 23 + "^" in err
