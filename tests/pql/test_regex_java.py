"""Java regex semantics for PQL ``matches`` / ``regexGroup`` (PQL.md §6.6), as a table.

Every row gives what Java's ``Pattern.compile(pattern).matcher(text).find()`` finds (the whole
match, ``group()``), or None for no match. The expectations come from the
``java.util.regex.Pattern`` javadoc of Java 21, the current LTS (section names are quoted in
the comments), not from running the Python side: Java is not available here, so each row says
where its answer is written down.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from segctl import pql
from segctl.pql.evaluator import regex_java

# (Java pattern, text, Java's find() group(), or None when find() is false)
CASES: list[tuple[str, str, str | None]] = [
    # "Character classes": [a-z&&[def]] intersection, [a-z&&[^bc]] subtraction, [a-d[m-p]] union
    ("[a-z&&[^aeiou]]+", "bcd", "bcd"),
    ("^[a-z&&[^aeiou]]+$", "bad", None),
    ("[a-z&&[def]]", "abe", "e"),
    ("[a-d[m-p]]+", "hnmx", "nm"),
    ("[\\p{Alpha}&&[^a]]+", "abc", "bc"),
    ("[^a[b]]", "abc", "c"),  # since Java 9 the ^ negates the nested union too
    # "|" and "~" are members of a class in Java, not set operators
    ("[a||b]", "x|", "|"),
    ("[~~]", "x~", "~"),
    ("[\\Q-]\\E]+", "a]-", "]-"),  # quoting inside a class
    # "POSIX character classes (US-ASCII only)"
    ("\\p{Alpha}+", "héllo", "h"),
    ("\\p{Lower}+", "éab", "ab"),
    ("\\p{Upper}+", "ÉAB", "AB"),
    ("\\p{Digit}+", "\u0663" + "12", "12"),
    ("\\p{Alnum}+", "é9a_", "9a"),
    ("\\p{Punct}+", "a«!?»", "!?"),
    ("\\p{Graph}+", " ab~ ", "ab~"),
    ("\\p{Print}+", "\x01a b\x02", "a b"),
    ("\\p{Blank}+", "a \t\nb", " \t"),
    ("\\p{Cntrl}", "a\x7f", "\x7f"),
    ("\\p{XDigit}+", "xyzBEEFg", "BEEF"),
    ("\\p{Space}+", "a\u00a0 \tb", " \t"),
    ("\\p{ASCII}+", "éab", "ab"),
    ("\\P{Alpha}+", "ab12é", "12é"),
    ("[\\P{Digit}&&[a-c]]+", "1ab2", "ab"),
    # "UNICODE_CHARACTER_CLASS": (?U) makes the POSIX classes and \w Unicode
    ("(?U)\\p{Alpha}+", "héllo", "héllo"),
    ("(?U)\\w+", "héllo", "héllo"),
    # "Predefined character classes": \d [0-9], \s [ \t\n\x0B\f\r], \w [a-zA-Z_0-9]
    ("\\d+", "\u0663" + "12", "12"),
    ("\\w+", "héllo", "h"),
    ("\\s", "a\u00a0b", None),
    ("(?u)\\w+", "héllo", "h"),  # UNICODE_CASE alone leaves \w ASCII
    ("\\h+", "a\u00a0\t b", "\u00a0\t "),
    ("\\H", " \ta", "a"),
    ("\\v", "a\u2028", "\u2028"),
    ("\\V", "\n\rb", "b"),
    # "Classes for Unicode scripts, blocks, categories and binary properties"
    ("\\p{L}+", "héllo1", "héllo"),
    ("\\pL+", "é1", "é"),
    ("\\p{Lu}", "aÉ", "É"),
    ("\\p{IsLu}", "aÉ", "É"),
    ("\\p{IsLatin}+", "abc\u03b1\u03b2", "abc"),
    ("\\p{InGreek}+", "ab\u03b1\u03b2", "\u03b1\u03b2"),
    ("\\p{IsAlphabetic}+", "é1", "é"),
    ("\\p{sc=Greek}", "aβ", "β"),
    ("\\P{L}", "é1", "1"),
    ("[\\p{L}&&[^a]]+", "aéb", "éb"),
    # "java.lang.Character classes"
    ("\\p{javaLowerCase}+", "éA", "é"),
    ("\\p{javaUpperCase}+", "éÀ", "À"),
    ("\\p{javaWhitespace}", "a\u00a0\u2003", "\u2003"),  # no-break spaces are not whitespace
    # "Linebreak matcher": \R is \r\n|[\n\x0B\f\r\x85\u2028\u2029]
    ("a\\Rb", "a\r\nb", "a\r\nb"),
    ("a\\Rb", "a\u2028b", "a\u2028b"),
    # "Boundary matchers": \z end of input, \Z end but for the final terminator
    ("a\\z", "a\n", None),
    ("a\\Z", "a\n", "a"),
    ("a\\Z", "a\r\n", "a"),
    ("a\\Z", "a\u0085", "a"),
    ("a$", "a\n", "a"),
    ("\\bfoo\\b", "a foo.", "foo"),
    ("\\bé", " é", None),  # \b is ASCII like \w (Java 19+)
    # "Case-insensitive matching": US-ASCII only unless UNICODE_CASE; no full case folding
    ("(?i)é", "É", None),
    ("(?iu)é", "É", "É"),
    ("(?i)[a-c]+", "xABC", "ABC"),
    ("(?iu)ß", "SS", None),
    ("(?i)strasse", "STRASSE", "STRASSE"),
    # "Special constructs": inline flags hold to the end of their group
    ("^(?i)john", "JOHNNY", "JOHN"),
    ("^(?i)john", "xjohn", None),
    ("a(?i)b", "AB", None),  # the flag starts where it is written
    ("a(?i)b|c", "C", "C"),  # ... and spans the later alternatives of its group
    ("(x(?i)y)z", "xYZ", None),  # ... and ends with its group
    ("(?i)a(?-i)b", "AB", None),
    ("(?i:a)b", "Ab", "Ab"),
    ("a(?s).b", "a\nb", "a\nb"),
    ("a.b", "a\nb", None),
    ("(?x) a  b  # comment", "ab", "ab"),
    ("[(?i)]a", "?a", "?a"),  # inside a class it is just characters
    ("(?<=\\d{1,3})x", "12x", "x"),  # bounded look-behind
    ("(?<!a)b", "abcb", "b"),
    # "Possessive quantifiers" and independent (atomic) groups
    ("a*+a", "aaa", None),
    ("a++b", "aaab", "aaab"),
    ("(?>a|ab)c", "abc", None),
    # "Back references" and "Groups and capturing"
    ("(?<y>\\d{2})-\\k<y>", "24-24", "24-24"),
    ("(a)\\1", "xaa", "aa"),
    # "Characters" and "Quotation"
    ("\\x{1F600}", "a😀", "😀"),
    ("\\x41\\u0042", "AB", "AB"),
    ("\\0101", "A", "A"),  # \0mnn, octal
    ("\\011", "\t", "\t"),
    ("\\cA", "\x01", "\x01"),
    ("\\e", "\x1b", "\x1b"),
    ("\\t\\n", "\t\n", "\t\n"),
    ("\\N{LATIN SMALL LETTER E WITH ACUTE}", "é", "é"),
    ("\\Qa.b\\E", "a.b", "a.b"),
    ("\\Qa.b\\E", "axb", None),
    ("\\Qa.b", "a.b", "a.b"),  # \Q to the end
    ("\\Q(\\E(?i)X", "(x", "(x"),
    ("\\Q \\E", "a b", " "),
    ("(?x)\\Q a\\E", " a", " a"),  # quoted blanks stay even in comments mode
    # "Unicode support": \X is an extended grapheme cluster
    ("\\X", "e\u0301", "e\u0301"),
]

# Patterns Java refuses (Pattern.compile throws PatternSyntaxException)
INVALID = [
    "(unclosed",
    "[b",
    "*a",  # dangling meta character
    "a{2,1}",  # illegal repetition range
    "\\p{NoSuchProperty}",
    "\\x{110000}",  # beyond Character.MAX_CODE_POINT
    "(?<n>a)\\k<m>",  # unknown group name
]


@pytest.mark.parametrize(("pattern", "text", "found"), CASES,
                         ids=[f"{p!r} ~ {t!r}" for p, t, _ in CASES])
def test_java_pattern(pattern: str, text: str, found: str | None) -> None:
    compiled = regex_java.java_regex(pattern)
    assert compiled is not None, regex_java.pattern_problem(pattern)
    match = compiled.search(text)
    assert (match.group(0) if match is not None else None) == found


@pytest.mark.parametrize("pattern", INVALID)
def test_patterns_java_refuses_are_refused(pattern: str) -> None:
    assert regex_java.java_regex(pattern) is None
    assert regex_java.pattern_problem(pattern)


def test_a_valid_pattern_has_no_problem() -> None:
    assert regex_java.pattern_problem("[a-z&&[^aeiou]]") is None


# ---- through PQL ----------------------------------------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _evaluate(text: str, name: str) -> object:
    return pql.compile(pql.parse(text)).evaluate({"person": {"name": name}}, [], NOW)


@pytest.mark.parametrize(("rule", "name", "expected"), [
    ('person.name.matches("^[a-z&&[^aeiou]]+$")', "bcd", True),
    ('person.name.matches("^[a-z&&[^aeiou]]+$")', "bad", False),
    ('person.name matches "^\\\\p{L}+$"', "Zoë", True),
    ('person.name matches "^\\\\p{Alpha}+$"', "Zoë", False),
    ('person.name.regexGroup("(\\\\p{Upper})\\\\h*(\\\\p{L}+)", 2)', "A  bé", "bé"),
    ('regexGroup(person.name, "x\\\\R(y)", 1)', "x\r\ny", "y"),
])
def test_rules_use_java_semantics(rule: str, name: str, expected: object) -> None:
    assert _evaluate(rule, name) == expected


@pytest.mark.parametrize("rule", [
    'person.name.matches("[a-z")',
    'person.name matches "(a"',
    'person.name.regexGroup("\\\\p{Nope}", 1) = "x"',
    'regexGroup(person.name, "*", 0) = "x"',
])
def test_a_constant_pattern_java_refuses_is_a_located_error(rule: str) -> None:
    with pytest.raises(pql.PqlEvalError) as caught:
        pql.check(pql.parse(rule), rule, file="rule.pql")
    err = caught.value
    assert "invalid regular expression" in err.message
    assert err.location is not None and err.location.file == "rule.pql"
    # the caret points at the pattern's string literal, not at the start of the rule
    assert rule[err.location.col - 1] == '"'
    assert rule.index('"') == err.location.col - 1


def test_a_computed_pattern_java_refuses_is_false() -> None:
    predicate = pql.compile(pql.parse('person.name matches person.pattern'))
    profile = {"person": {"name": "a", "pattern": "(a"}}
    assert predicate.evaluate(profile, [], NOW) is False


# ---- runaway patterns -----------------------------------------------------------------------

RUNAWAY = "(a|aa)+$"  # exponential backtracking in a backtracking engine
RUNAWAY_TEXT = "a" * 40 + "!"


def test_a_runaway_pattern_times_out_as_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_java, "TIMEOUT", 0.02)
    compiled = regex_java.java_regex(RUNAWAY)
    assert compiled is not None and compiled.guarded
    with pytest.raises(TimeoutError):  # the engine really gives up: this is not a plain miss
        compiled.compiled.search(RUNAWAY_TEXT, timeout=regex_java.TIMEOUT)
    assert compiled.search(RUNAWAY_TEXT) is None
    # documented (SEMANTICS.md): matches is false, regexGroup null
    assert _evaluate(f'person.name matches "{RUNAWAY}"', RUNAWAY_TEXT) is False
    assert _evaluate(f'person.name.regexGroup("{RUNAWAY}", 1)', RUNAWAY_TEXT) is None
    # the same pattern still answers on a text it can decide quickly
    assert _evaluate(f'person.name matches "{RUNAWAY}"', "aaa") is True


@pytest.mark.parametrize(("pattern", "guarded"), [
    ("(a|aa)+$", True),  # a repeated alternative
    ("(\\w+\\s?)+$", True),  # a repeated repeat
    ("(?:x(a*))*y", True),  # ... however deep the inner repeat is
    ("((a|b)c)+", True),
    ("(a)\\1", True),  # a back reference
    ("(?<n>a)\\k<n>", True),
    ("^[a-z]+@example\\.com$", False),
    ("(ab)+c*", False),  # a repeated group of plain text
    ("(?:a|b)c+", False),  # an alternative that is not repeated
    ("(a+)?b", False),  # optional, not repeated
    ("[(a|b)+]+", False),  # inside a class these are characters
    ("\\Q(a|b)+\\E", False),
])
def test_only_patterns_that_can_run_away_pay_for_the_timer(pattern: str, guarded: bool) -> None:
    compiled = regex_java.java_regex(pattern)
    assert compiled is not None
    assert compiled.guarded is guarded
