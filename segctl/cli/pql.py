"""``segctl pql ...``: parse, format and convert PQL expressions."""

from __future__ import annotations

import json
import sys

import click

from segctl.pql import Expr, from_json, parse, to_json, to_text


def read_expression(expr: str) -> tuple[str, str]:
    """(text, file name for errors): the argument itself, or standard input for ``-``."""
    if expr == "-":
        return sys.stdin.read(), "<stdin>"
    return expr, "<expr>"


def looks_like_json(text: str) -> bool:
    """True for a pql/json document: a JSON object, or a JSON string holding one.

    A PQL text never starts with ``{`` except for a bare object literal, which is not a
    useful expression on its own.
    """
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return True
    if stripped.startswith('"'):
        try:
            inner = json.loads(stripped)
        except ValueError:
            return False
        return isinstance(inner, str) and inner.lstrip().startswith("{")
    return False


def read_any(expr: str) -> Expr:
    """The AST of a pql/text or pql/json argument (``-`` reads standard input)."""
    text, name = read_expression(expr)
    if looks_like_json(text):
        return from_json(text, file=name)
    return parse(text, file=name)


@click.group("pql")
def pql() -> None:
    """Work with PQL (Profile Query Language) expressions offline.

    EXPR is a PQL expression, or - to read it from standard input.

    \b
    Examples:
      segctl pql parse 'person.gender in ["female"] AND homeAddress.countryISO = "US"'
      segctl pql convert --to json 'workAddress.country = "US"'
      echo '{"nodeType":"fnApply", ...}' | segctl pql convert --to text -
    """


@pql.command("parse")
@click.argument("expr")
def parse_command(expr: str) -> None:
    """Check EXPR and print its canonical pql/text (exit 1 with the position if invalid)."""
    text, name = read_expression(expr)
    click.echo(to_text(parse(text, file=name)))


@pql.command("convert")
@click.option("--to", "target", type=click.Choice(["json", "text"]), required=True,
              help="Output format: pql/json (indented) or canonical pql/text.")
@click.argument("expr")
def convert_command(target: str, expr: str) -> None:
    """Convert EXPR between pql/text and pql/json (the input format is detected).

    JSON uses Adobe's node types where Adobe published them; constructs without a public
    encoding (occurs, chain, let, ...) are fnApply nodes marked with a "segctl" key.
    """
    tree = read_any(expr)
    if target == "json":
        click.echo(json.dumps(to_json(tree), indent=2, ensure_ascii=False))
    else:
        click.echo(to_text(tree))
