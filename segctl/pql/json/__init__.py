"""pql/json, the tree encoding AEP stores (PQL.md §13): ``codec`` writes it (:func:`to_json`),
``reader`` reads it tolerantly (:func:`from_json`), ``private`` encodes the constructs Adobe
never published under a ``"segctl"`` key, ``locate`` maps a JSON pointer to a text position."""

from segctl.pql.json.codec import to_json
from segctl.pql.json.reader import from_json

__all__ = ["from_json", "to_json"]
