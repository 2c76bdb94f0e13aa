"""Previews and estimates (segmentation.yaml, /preview and /estimate; AEP-API §10).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
