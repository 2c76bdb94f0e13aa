"""Java ``java.util.regex`` patterns (PQL.md §6.6) rewritten for Python ``re``.

Python reads most Java patterns as they are. Two Java forms it refuses are rewritten here:

* an inline flag group after the start, ``^(?i)john``: Java applies it from there to the end
  of the enclosing group, so it becomes the scoped ``(?i:...)`` form over that stretch;
* ``\\Q...\\E`` quoting: the quoted text is escaped.

Flags Python has no use for (``d``, ``u``, ``U``: Python patterns are Unicode already) are
dropped. Anything else Python cannot read (``\\p{Alpha}``) still fails to compile.
"""

from __future__ import annotations

import re

_INLINE_FLAGS = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?\)")
_PYTHON_FLAGS = "imsx"


def _flags(on: str, off: str) -> str | None:
    """The Python spelling of ``on``-``off`` (None when no flag is left)."""
    keep_on = "".join(f for f in on if f in _PYTHON_FLAGS)
    keep_off = "".join(f for f in off if f in _PYTHON_FLAGS)
    if not keep_on and not keep_off:
        return None
    return keep_on + (f"-{keep_off}" if keep_off else "")


def to_python(pattern: str) -> str:
    """``pattern`` with Java-only inline flags and ``\\Q...\\E`` quoting rewritten."""
    out: list[str] = []
    scoped: list[list[str]] = [[]]  # per open group: the flag groups opened inside it
    in_class = False
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("\\Q", i):
            end = pattern.find("\\E", i + 2)
            out.append(re.escape(pattern[i + 2:] if end < 0 else pattern[i + 2:end]))
            i = n if end < 0 else end + 2
            continue
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        flag = None if in_class or ch != "(" else _INLINE_FLAGS.match(pattern, i)
        if flag is not None and (flag.group(1) or flag.group(2)):
            python = _flags(flag.group(1), flag.group(2) or "")
            if python is not None:
                out.append(f"(?{python}:")
                scoped[-1].append(python)
            i = flag.end()
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            skip = (2 if pattern.startswith("^]", i + 1)
                    else 1 if pattern.startswith("]", i + 1) else 0)
            out.append(pattern[i:i + 1 + skip])  # a leading ] is a member, not the end
            i += 1 + skip
            continue
        elif ch == "(":
            scoped.append([])
        elif ch == ")" and len(scoped) > 1:
            out.append(")" * len(scoped.pop()))
        elif ch == "|" and scoped[-1]:  # the flags span each alternative separately
            out.append(")" * len(scoped[-1]) + "|" + "".join(f"(?{f}:" for f in scoped[-1]))
            i += 1
            continue
        out.append(ch)
        i += 1
    out.append(")" * len(scoped[0]))
    return "".join(out)
