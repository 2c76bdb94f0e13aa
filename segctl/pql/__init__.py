"""PQL (Adobe Profile Query Language): AST, parser, printer, pql/json codec (see PQL.md).

Public names are listed in CONTRIBUTING.md; everything else in this package is private.
"""

from segctl.pql import ast
from segctl.pql.ast import Expr

__all__ = ["Expr", "ast"]
