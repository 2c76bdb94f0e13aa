"""``${vars.NAME}`` substitution from the selected Environment.

Substitution applies to every string value of every document except Environments themselves.
``$${`` writes a literal ``${``. Any other ``${...}`` form is an error, so a typo never reaches
a sandbox as literal text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from segctl.errors import Diagnostic
from segctl.project.source import JsonPath, RawDocument

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VAR = re.compile(r"vars\.([A-Za-z_][A-Za-z0-9_-]*)")


def substitute(
    doc: RawDocument, variables: Mapping[str, str] | None, env_name: str | None,
    declared: tuple[str, ...] = (),
) -> tuple[RawDocument, list[Diagnostic]]:
    """The document with placeholders replaced, and a diagnostic per unresolvable one."""
    text = doc.source.text
    if "${" not in text and "\\" not in text:
        return doc, []  # nothing to substitute (an escape could write "${" in quotes)
    problems: list[Diagnostic] = []

    def walk(value: Any, path: JsonPath) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str) and "${" in value:
            return _substitute_text(value, path)
        return value

    def _substitute_text(text: str, path: JsonPath) -> str:
        def repl(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            inner = match.group(1)
            var = _VAR.fullmatch(inner.strip())
            where = doc.offset_in_value(path, match.start())
            if var is None:
                problems.append(Diagnostic(
                    f"unsupported placeholder '${{{inner}}}': only ${{vars.NAME}} is substituted"
                    " (write $${ for a literal ${)", where))
                return match.group(0)
            name = var.group(1)
            if variables is None:
                hint = f"; declared environments: {', '.join(declared)}" if declared else ""
                problems.append(Diagnostic(
                    f"'${{vars.{name}}}' needs an environment: pass --env NAME{hint}", where))
                return match.group(0)
            if name not in variables:
                known = ", ".join(sorted(variables)) or "none"
                problems.append(Diagnostic(
                    f"unknown variable '{name}' in environment '{env_name}' (defined: {known})",
                    where))
                return match.group(0)
            return variables[name]

        return _PLACEHOLDER.sub(repl, text)

    data = walk(doc.data, ())
    if data == doc.data:
        return doc, problems
    return replace(doc, data=data), problems
