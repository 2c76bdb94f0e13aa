"""The markdown plan (a PR comment) shows every field of a new segment, like the text plan."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_markdown_create_lists_ttl_labels_and_protect(workdir: Path, run: Run) -> None:
    code, out, _ = run("plan", "--format", "markdown")
    assert code == 0
    block = out.split("<b>active-males-90d</b>", 1)[1].split("</details>", 1)[0]
    assert '+ ttlInDays: 30\n' in block and '+ labels: ["C1"]\n' in block
    assert '+ schema: "_xdm.context.profile"\n' in block
    protected = out.split("<b>high-value-purchasers</b>", 1)[1].split("</details>", 1)[0]
    assert "+ protect: true\n" in protected
