"""How big a PQL tree may be: one depth rule shared by the parser and the pql/json reader.

Every consumer of a tree (printer, pql/json writer, evaluator compiler, eligibility, call checks,
``fmt``'s layout) walks it recursively, and so does CPython's own compiler for the evaluator's
generated code. Rather than catch ``RecursionError`` in each of them, the two readers of
untrusted input refuse a tree deeper than :data:`MAX_DEPTH` with a located error
(:func:`segctl.pql.depth.crossing` finds where), and every consumer is tested at that depth
(``tests/pql/test_limits.py``). This module holds only the numbers, so the YAML reader can use
them without loading the syntax tree.

:data:`MAX_DIGITS` bounds integer literals: ``int()`` of a longer digit string is refused by
CPython (quadratic conversion, CVE-2020-10735) and the printer could not write it back.
"""

from __future__ import annotations

#: deepest tree accepted: levels of nesting (brackets, operators, paths, method chains).
#: Real rules stay under ~12; the parser spends about 12 Python frames on a bracket level, and
#: may meet one bracket per tree level in printed text, so 32 levels parse within 800 frames
MAX_DEPTH = 32
#: bracket and prefix-operator levels the parser follows: the canonical text of a tree of
#: MAX_DEPTH levels may parenthesise every level, so printing and parsing again round-trips
MAX_NESTING = 2 * MAX_DEPTH + 1
#: longest integer literal accepted, in digits
MAX_DIGITS = 1000
