"""Code every emulated service stands on: the request context, routing and error bodies
(``web``), the SQLite state (``store``), ids, timestamps and the sandbox object (``common``),
the background job runner (``runner``), PQL as the API carries it (``pqlbridge``) and the
``Host`` protocol through which services see the running sandbox (``host``). Nothing here
imports a service."""
