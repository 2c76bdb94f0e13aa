"""The PQL evaluator: a tree compiled once into Python, then run per profile (PQL.md §6-§10).

``compiler`` walks the tree and emits the code (``codegen`` the emitting machinery, ``loops``
the quantifiers, selects, aggregates, filters and chains, ``timespec`` the occurs windows);
``runtime`` and ``ops`` are what the generated code calls (paths, null rules, operators);
``functions`` is the one function registry (implementations and the columns the parser's
neighbours read: free or method, aggregate, segment or decisioning); ``regex_java`` gives
``matches``/``regexGroup`` Java's regex semantics.
"""

from segctl.pql.errors import PqlEvalError
from segctl.pql.evaluator.compiler import EventsInput, Predicate, compile, translate
from segctl.pql.evaluator.runtime import PreparedEvents, prepare_events

__all__ = ["EventsInput", "PqlEvalError", "Predicate", "PreparedEvents", "compile",
           "prepare_events", "translate"]
