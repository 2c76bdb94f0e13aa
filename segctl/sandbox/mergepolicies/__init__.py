"""Merge policies (Real-time Customer Profile API, /config/mergePolicies; AEP-API §9).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
