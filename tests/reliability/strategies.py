"""Hostile inputs: real YAML files and PQL expressions, mutated by hypothesis.

Seeds are the example project and the PQL fixture corpus, so most mutants are close to valid
input and reach deep into the loader, the parser and their consumers. Mutations mix random
edits with the shapes that crashed segctl before (issue 17): alias cycles and bombs, bad
tags, huge integers, deep nesting, long paths and call chains, control characters, bad
encodings.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

from tests.pql.corpus import canonical_pairs, identity_lines

ROOT = Path(__file__).resolve().parents[2]
YAML_SEEDS: tuple[bytes, ...] = tuple(
    path.read_bytes() for path in sorted((ROOT / "segments").rglob("*.yaml")))
PQL_SEEDS: tuple[str, ...] = (*identity_lines(), *(source for source, _ in canonical_pairs()))

#: characters and pieces that PQL's tokenizer and parser treat specially
PQL_PIECES = st.sampled_from([
    "(", ")", "[", "]", "{", "}", ".", ",", ":", "=", "=>", "!", "-", "+", "*", "/", "%", "<",
    "^", "$", "$1", "@{", "@event{x}", '"', "'", "\\", "\\u00", " and ", " or ", "not ",
    " in ", " like ", " occurs ", "select X from xEvent where ", "exists ", "let x = 1 in ",
    "chain(", "WHAT(", "WHEN(", " between ", " before now", " days", "date(", "inSegment(",
    ".count()", ".f()", "x", "1", "1.5", "1e999", ".5", "0", "\n", "\r", "\t", " ",
    "\x00", "\x07", "\x1b[31m", "\x7f", "\x9b", "\u202e", "\ufeff", "\U0001f600", "é",
    "9" * 5000, "$" + "9" * 50, "1" * 400,
])
#: pieces inserted into YAML files
YAML_PIECES = st.sampled_from([
    b"&a [*a]", b"*a", b"&a", b"!!int x", b"!!float abc", b"!!bool maybe", b"!!str", b"!!binary",
    b"!!timestamp x", b"!custom", b"!!map", b"!!seq", b"!!set", b"!!omap", b"<<: *a", b"? ",
    b"---", b"...", b"%YAML 1.1", b"%TAG ! x", b"#", b"|", b">", b"|-", b"'", b'"', b"\\",
    b'"\\x00"', b'"\\e[31m"', b'"\\u202e"', b"\t", b"\r", b"\r\n", b"\x00", b"\x01", b"\x1b",
    b"\x7f", b"\x85", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80",
    b"9" * 5000, b"0x" + b"f" * 5000, b"1e9999", b"-.inf", b".nan", b"~", b"null", b"yes",
    b"[" * 70, b"{a: " * 70, b"- " * 70, b"[]", b"{}", b"[a, b]", b"{a: 1}", b"x: 1",
    b"labels: [C1]", b"ttlInDays: 30", b"pql: ", b"kind: Segment", b"key: k", b"name: n",
])


def _bomb(depth: int, width: int) -> bytes:
    lines = [b"l0: &l0 [" + b",".join([b"lol"] * width) + b"]"]
    for level in range(1, depth):
        refs = b",".join([b"*l%d" % (level - 1)] * width)
        lines.append(b"l%d: &l%d [%s]" % (level, level, refs))
    return b"\n".join(lines) + b"\n"


@st.composite
def mutated_pql(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(PQL_SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        end = draw(st.integers(at, min(len(text), at + 12)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "repeat", "wrap", "random"]))
        if edit == "insert":
            text = text[:at] + draw(PQL_PIECES) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[end:]
        elif edit == "replace":
            text = text[:at] + draw(PQL_PIECES) + text[end:]
        elif edit == "repeat":  # long paths, call chains, operator runs
            text = text[:at] + text[at:end] * draw(st.integers(2, 300)) + text[end:]
        elif edit == "wrap":
            depth = draw(st.integers(1, 300))
            opener = draw(st.sampled_from(["(", "not ", "-", "!", "[", "x[", "f("]))
            closer = {"(": ")", "[": "]", "x[": "]", "f(": ")"}.get(opener, "")
            text = opener * depth + text + closer * depth
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[end:]
    return text


def _lines_edit(data: bytes, at: int, piece: bytes) -> bytes:
    """Insert ``piece`` at the start of the line holding byte ``at``."""
    start = data.rfind(b"\n", 0, at) + 1
    return data[:start] + piece + data[start:]


@st.composite
def mutated_yaml(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(YAML_SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        end = draw(st.integers(at, min(len(data), at + 16)))
        edit = draw(st.sampled_from(
            ["insert", "delete", "replace", "line", "value", "pql", "bomb", "encode", "bytes"]))
        if edit == "insert":
            data = data[:at] + draw(YAML_PIECES) + data[at:]
        elif edit == "delete":
            data = data[:at] + data[end:]
        elif edit == "replace":
            data = data[:at] + draw(YAML_PIECES) + data[end:]
        elif edit == "line":
            data = _lines_edit(data, at, draw(YAML_PIECES) + b"\n")
        elif edit == "value":  # a hostile value for a real key
            key = draw(st.sampled_from([b"labels", b"ttlInDays", b"name", b"description",
                                        b"key", b"evaluation", b"kind", b"vars", b"pql"]))
            data = data + b"\n" + key + b": " + draw(YAML_PIECES) + b"\n"
        elif edit == "pql":  # a segment with a hostile rule, as a double-quoted scalar
            rule = json.dumps(draw(mutated_pql())).encode()
            style = draw(st.sampled_from(["quoted", "block"]))
            if style == "block":
                rule = b"|\n  " + draw(mutated_pql()).encode(errors="replace").replace(
                    b"\n", b"\n  ")
            data = b"kind: Segment\nkey: fuzz\nname: Fuzz\npql: " + rule + b"\n"
        elif edit == "bomb":
            depth, width = draw(st.integers(2, 9)), draw(st.integers(2, 9))
            data = data + b"\n" + _bomb(depth, width)
        elif edit == "encode":
            encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1"]))
            data = data.decode("utf-8", errors="replace").encode(encoding, errors="replace")
        else:
            data = data[:at] + draw(st.binary(max_size=8)) + data[end:]
    return data
