"""The one YAML writer of ``segctl import``: ruamel in ``fmt``'s layout, then ``fmt`` itself.

Strings that a plain scalar would not give back in every YAML reader are quoted: ruamel quotes
what YAML 1.2 reads otherwise (``'0777'``, ``'~'``), and this writer also quotes what YAML 1.1
reads otherwise (``'No'``, ``'on'``, ``'1:30'``), so an imported file means the same to segctl,
to editors and to YAML 1.1 tools, and ``segctl validate`` has nothing to warn about.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import ScalarString, SingleQuotedScalarString

from segctl.fmt import format_source
from segctl.project import means_else_in_yaml11


def _quoted(value: Any) -> Any:
    """``value`` with every string that needs it turned into a single-quoted scalar."""
    if isinstance(value, Mapping):
        return {k: _quoted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_quoted(v) for v in value]
    if isinstance(value, str) and not isinstance(value, ScalarString) \
            and "\n" not in value and means_else_in_yaml11(value):
        return SingleQuotedScalarString(value)
    return value


def dump_documents(docs: Sequence[Mapping[str, Any]], header: str, file: str) -> str:
    """The documents as one YAML file in ``segctl fmt`` form, ``header`` (comment lines) first;
    ``file`` names it in a formatting error."""
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump_all([_quoted(d) for d in docs], out)
    return format_source(header + out.getvalue(), file)
