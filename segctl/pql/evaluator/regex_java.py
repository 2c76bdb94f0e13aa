"""Java ``java.util.regex`` patterns (PQL.md §6.6) compiled with the ``regex`` package.

``regex`` in VERSION1 mode reads most of Java's syntax as Java does: nested classes with ``&&``
intersection (``[a-z&&[^aeiou]]``), possessive quantifiers and atomic groups, ``\\p{L}``,
``\\p{IsLatin}``, ``\\p{InGreek}``, ``\\X``, ``\\G``, ``\\z``, and inline flags that hold from
where they are written to the end of their group (``^(?i)john``). What it reads differently is
rewritten here, one escape or group at a time (citations: the ``java.util.regex.Pattern``
javadoc, Java 21):

* ``\\Q...\\E`` quotes its text (to the end when there is no ``\\E``);
* Java's classes are ASCII unless a pattern asks for Unicode: ``\\w \\d \\s \\b`` and
  case-insensitive matching ("by default, case-insensitive matching assumes that only characters
  in the US-ASCII charset are being matched") and the POSIX classes ``\\p{Alpha}``,
  ``\\p{Punct}``... (table "POSIX character classes (US-ASCII only)"). The pattern compiles with
  ``regex.ASCII`` and the POSIX classes become their ASCII sets, while Unicode properties
  (``\\p{L}``, ``\\p{IsLatin}``) keep their Unicode meaning in a ``(?u:...)`` scope;
* ``(?u)`` (UNICODE_CASE) makes case-insensitive matching Unicode: ``\\w \\d \\s \\b`` are then
  spelled out as ASCII; ``(?U)`` (UNICODE_CHARACTER_CLASS) makes every class Unicode, the POSIX
  ones included. Either flag anywhere applies to the whole pattern;
* ``\\h \\H \\v \\V \\R \\Z \\e \\cX \\x{h...h} \\0ooo \\k<name>`` become their definitions;
  ``\\p{IsLu}`` (category with ``Is``) and the ``\\p{javaLowerCase}`` family are mapped;
* inside a class ``|`` and ``~`` are literal characters in Java, so they are escaped (VERSION1
  reads ``||`` and ``~~`` as set operators); a ``]`` right after ``[`` or ``[^`` is a member.

Not emulated (documented in SEMANTICS.md): ``.`` and ``$`` know ``\\n`` as the only line
terminator (Java's UNIX_LINES), a flag ``(?u)``/``(?U)`` written inside a group still applies to
the whole pattern, ``(?x)`` does not ignore blanks inside a class, and without ``(?u)``/``(?U)``
``\\X`` is a character with its combining marks (Java also joins Hangul and emoji sequences).

Matching a pattern that can backtrack without end runs under a time limit (:data:`TIMEOUT`):
past it (``(a|aa)+$`` on a long run of ``a``) the search gives no match, so ``matches`` is
false and ``regexGroup`` null, like a pattern computed at run time that does not compile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: seconds one search may take before it counts as no match (a runaway pattern)
TIMEOUT = 0.1

# `regex` (~8 ms to import) is imported where a pattern is compiled: most commands never do
_FLAG_GROUP = re.compile(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])")
_REGEX_FLAGS = "imsx"  # d (UNIX_LINES) is regex's default; u and U choose the mode

_LINE_BREAKS = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
_HORIZONTAL = "\\x20\\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
#: escapes valid in and out of a class, as sets (javadoc "Predefined character classes")
_SETS = {
    "h": f"[{_HORIZONTAL}]", "H": f"[^{_HORIZONTAL}]",
    "v": f"[{_LINE_BREAKS}]", "V": f"[^{_LINE_BREAKS}]",
}
#: escapes only meaningful outside a class (javadoc "Linebreak matcher", "Boundary matchers")
_OUTSIDE = {
    "R": f"(?:\\r\\n|[{_LINE_BREAKS}])",
    "Z": "(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?\\z)",
}
#: \w \d \s (and \b) when the pattern is Unicode for case but ASCII for classes, (?u)
_ASCII_SETS = {
    "w": "[a-zA-Z0-9_]", "W": "[^a-zA-Z0-9_]", "d": "[0-9]", "D": "[^0-9]",
    "s": "[\\x20\\t\\n\\x0b\\f\\r]", "S": "[^\\x20\\t\\n\\x0b\\f\\r]",
}
#: \X where regex.ASCII is on: \r\n, or a character with its combining marks (Java's \X
#: also keeps Hangul syllables and emoji sequences together; SEMANTICS.md)
_GRAPHEME = "(?>\\r\\n|(?u:\\P{M}\\p{M}*|\\p{M}+))"
_WORD = "[a-zA-Z0-9_]"
_ASCII_BOUNDARY = {
    "b": f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))",
    "B": f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))",
}
#: javadoc "POSIX character classes (US-ASCII only)"
_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7f", "Alpha": "a-zA-Z",
    "Digit": "0-9", "Alnum": "a-zA-Z0-9", "Punct": "\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e",
    "Graph": "\\x21-\\x7e", "Print": "\\x20-\\x7e", "Blank": "\\x20\\t",
    "Cntrl": "\\x00-\\x1f\\x7f", "XDigit": "0-9a-fA-F", "Space": "\\x20\\t\\n\\x0b\\f\\r",
}
#: javadoc "java.lang.Character classes (simple java character type)"
_JAVA_CHARACTER = {
    "javaLowerCase": "\\p{Lowercase}", "javaUpperCase": "\\p{Uppercase}",
    "javaTitleCase": "\\p{Lt}", "javaDigit": "\\p{Nd}", "javaLetter": "\\p{L}",
    "javaLetterOrDigit": "[\\p{L}\\p{Nd}]", "javaAlphabetic": "\\p{Alphabetic}",
    "javaIdeographic": "\\p{Ideographic}", "javaSpaceChar": "[\\p{Zs}\\p{Zl}\\p{Zp}]",
    "javaWhitespace": "[\\t-\\r\\x1c-\\x1f\\p{Zs}\\p{Zl}\\p{Zp}--[\\xa0\\u2007\\u202f]]",
    "javaISOControl": "[\\x00-\\x1f\\x7f-\\x9f]", "javaMirrored": "\\p{Bidi_Mirrored}",
    "javaDefined": "\\P{Cn}",
}
_CATEGORIES = frozenset({
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "LC", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
    "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Co", "Cs", "Cn",
})


class _Rewriter:
    """One pass over a Java pattern, producing the ``regex`` VERSION1 pattern."""

    def __init__(self, pattern: str, *, unicode_case: bool, unicode_classes: bool):
        self.pattern = pattern
        self.unicode_case = unicode_case or unicode_classes
        self.unicode_classes = unicode_classes
        self.out: list[str] = []
        self.depth = 0  # nesting of character classes
        self.class_start = 0  # index in out of the outermost class's "["
        self.class_unicode = False  # the outermost class holds a Unicode property
        self.flags_seen = ""
        # per open group: whether it holds a repeat or an alternative; such a group repeated
        # (or a back reference) is where backtracking can run away
        self.groups: list[bool] = [False]
        self.guarded = False

    def run(self) -> str:
        pattern, n, i = self.pattern, len(self.pattern), 0
        while i < n:
            ch = pattern[i]
            if ch == "\\":
                i = self._escape(i)
            elif ch == "[":
                i = self._open_class(i)
            elif self.depth:
                i = self._in_class(i)
            elif ch == "(":
                i = self._group(i)
            else:
                self._structure(ch, pattern[i + 1:i + 2])
                self.out.append(ch)
                i += 1
        return "".join(self.out)

    def _structure(self, ch: str, after: str) -> None:
        """Track repeats and alternatives, to tell whether matching needs the time limit."""
        if ch in "*+{|":
            self.groups[-1] = True
        elif ch == ")" and len(self.groups) > 1:
            holds = self.groups.pop()
            self.groups[-1] = self.groups[-1] or holds
            self.guarded = self.guarded or (holds and after in ("*", "+", "{"))

    # ---- classes --------------------------------------------------------------------------

    def _open_class(self, i: int) -> int:
        if self.depth == 0:
            self.class_start, self.class_unicode = len(self.out), False
        self.depth += 1
        negated = self.pattern.startswith("^", i + 1)
        self.out.append("[^" if negated else "[")
        i += 2 if negated else 1
        if self.pattern.startswith("]", i):  # a leading ] is a member, not the end
            self.out.append("\\]")
            i += 1
        return i

    def _in_class(self, i: int) -> int:
        ch = self.pattern[i]
        if ch == "]":
            self.depth -= 1
            self.out.append("]")
            if self.depth == 0 and self.class_unicode:
                self.out.insert(self.class_start, "(?u:")
                self.out.append(")")
        else:
            self.out.append("\\" + ch if ch in "|~" else ch)
        return i + 1

    # ---- groups ---------------------------------------------------------------------------

    def _group(self, i: int) -> int:
        flag = _FLAG_GROUP.match(self.pattern, i)
        if flag is None:
            self.groups.append(False)
            self.out.append("(")
            return i + 1
        on, off, end = flag.group(1), flag.group(2) or "", flag.group(3)
        self.flags_seen += on
        keep_on = "".join(f for f in on if f in _REGEX_FLAGS)
        keep_off = "".join(f for f in off if f in _REGEX_FLAGS)
        flags = keep_on + (f"-{keep_off}" if keep_off else "")
        if end == ":":
            self.groups.append(False)
        if flags or end == ":":
            self.out.append(f"(?{flags}{end}")
        return flag.end()

    # ---- escapes --------------------------------------------------------------------------

    def _escape(self, i: int) -> int:
        pattern = self.pattern
        code = pattern[i + 1:i + 2]
        if code == "Q":
            end = pattern.find("\\E", i + 2)
            text = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
            import regex

            self.out.append(regex.escape(text))
            return len(pattern) if end < 0 else end + 2
        if code in ("p", "P"):
            return self._property(i, negated=code == "P")
        if code in _SETS:
            self.out.append(_SETS[code])
        elif code in _OUTSIDE and not self.depth:
            self.out.append(_OUTSIDE[code])
        elif code in _ASCII_SETS and self.unicode_case and not self.unicode_classes:
            self.out.append(_ASCII_SETS[code])
        elif (code in _ASCII_BOUNDARY and not self.depth and self.unicode_case
              and not self.unicode_classes):
            self.out.append(_ASCII_BOUNDARY[code])
        elif code == "X" and not self.unicode_case and not self.depth:
            self.out.append(_GRAPHEME)  # regex's \X is ASCII-bound under regex.ASCII
        elif code == "e":
            self.out.append("\\x1b")
        elif code == "c" and i + 2 < len(pattern):  # \cX: the control character X ^ 64
            self.out.append(_char(ord(pattern[i + 2]) ^ 64))
            return i + 3
        else:
            return self._numeric_or_named(i, code)
        return i + 2

    def _numeric_or_named(self, i: int, code: str) -> int:
        pattern = self.pattern
        if code == "x" and pattern.startswith("{", i + 2):  # \x{h...h}
            end = pattern.find("}", i + 3)
            digits = pattern[i + 3:end] if end > 0 else ""
            if digits and all(c in "0123456789abcdefABCDEF" for c in digits) \
                    and int(digits, 16) <= 0x10FFFF:
                self.out.append(_char(int(digits, 16)))
                return end + 1
        elif code == "0":  # \0n, \0nn, \0mnn (m <= 3): octal
            digits = ""
            for c in pattern[i + 2:i + 5]:
                if c not in "01234567" or (len(digits) == 2 and digits[0] > "3"):
                    break
                digits += c
            if digits:
                self.out.append(_char(int(digits, 8)))
                return i + 2 + len(digits)
        elif code == "k" and pattern.startswith("<", i + 2):  # \k<name>
            end = pattern.find(">", i + 3)
            if end > 0:
                self.guarded = True
                self.out.append(f"(?P={pattern[i + 3:end]})")
                return end + 1
        if code.isdigit():  # a back reference
            self.guarded = True
        self.out.append(pattern[i:i + 2])  # as written (regex refuses what Java refuses)
        return i + 2

    def _property(self, i: int, *, negated: bool) -> int:
        pattern = self.pattern
        if pattern.startswith("{", i + 2):
            end = pattern.find("}", i + 3)
            if end < 0:
                self.out.append(pattern[i:])
                return len(pattern)
            name, after = pattern[i + 3:end], end + 1
        else:  # \pL: a one-letter category
            name, after = pattern[i + 2:i + 3], i + 3
        posix = _POSIX.get(name)
        if posix is not None and not self.unicode_classes:
            self.out.append(f"[^{posix}]" if negated else f"[{posix}]")
            return after
        if name in _JAVA_CHARACTER:
            text = _JAVA_CHARACTER[name]
            text = f"[^{text}]" if negated else text
        else:
            if name.startswith("Is") and name[2:] in _CATEGORIES:
                name = name[2:]
            text = f"\\{'P' if negated else 'p'}{{{name}}}"
        if self.unicode_case:
            self.out.append(text)
        elif self.depth:
            self.class_unicode = True
            self.out.append(text)
        else:
            self.out.append(f"(?u:{text})")
        return after


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def to_regex(pattern: str) -> tuple[str, int, bool]:
    """The ``regex`` VERSION1 pattern and flags that match as Java's ``pattern`` does, and
    whether its searches need the time limit."""
    import regex

    rewriter = _rewrite(pattern, unicode_case=False, unicode_classes=False)
    unicode_classes, unicode_case = "U" in rewriter.flags_seen, "u" in rewriter.flags_seen
    if unicode_case or unicode_classes:
        rewriter = _rewrite(pattern, unicode_case=unicode_case, unicode_classes=unicode_classes)
        # Java folds case one character at a time: no full case folding (ß is not "SS")
        return "(?-f)" + "".join(rewriter.out), regex.VERSION1, rewriter.guarded
    return "".join(rewriter.out), regex.VERSION1 | regex.ASCII, rewriter.guarded


def _rewrite(pattern: str, *, unicode_case: bool, unicode_classes: bool) -> _Rewriter:
    rewriter = _Rewriter(pattern, unicode_case=unicode_case, unicode_classes=unicode_classes)
    rewriter.run()
    return rewriter


@dataclass(frozen=True, slots=True)
class JavaRegex:
    """A compiled Java pattern. ``guarded`` patterns (a repeated group that holds a repeat or
    an alternative, ``(a|aa)+``, or a back reference) search under :data:`TIMEOUT`; the others
    cannot backtrack without end and skip the timer, which costs more than a short search."""

    compiled: Any
    guarded: bool

    @property
    def groups(self) -> int:
        return int(self.compiled.groups)

    def search(self, text: str) -> Any | None:
        """The first match (Java ``find()``); None too when a guarded search runs out of time."""
        if not self.guarded:
            return self.compiled.search(text)
        try:
            return self.compiled.search(text, timeout=TIMEOUT)
        except TimeoutError:
            return None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> JavaRegex | str:
    """The compiled pattern, or the reason it does not compile (a str)."""
    import regex

    text, flags, guarded = to_regex(pattern)
    try:
        return JavaRegex(regex.compile(text, flags), guarded)
    except regex.error as err:
        return err.msg
    except (OverflowError, RecursionError, ValueError) as err:  # e.g. a huge repeat count
        return str(err)


def java_regex(pattern: str) -> JavaRegex | None:
    """``pattern`` compiled with Java semantics (cached); None when Java would refuse it."""
    compiled = _compiled(pattern)
    return None if isinstance(compiled, str) else compiled


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid regular expression, or None when it is."""
    compiled = _compiled(pattern)
    return compiled if isinstance(compiled, str) else None

