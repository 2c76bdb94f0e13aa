"""Sandbox management (Sandbox API, /data/foundation/sandbox-management; sandbox.yaml):
list, look up and create the sandboxes of an IMS org. The org's default production sandbox
``prod`` always exists; the gateway refuses every other name until it is created.

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
