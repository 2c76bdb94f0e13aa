"""Segmentation schedules (segmentation.yaml, /config/schedules; AEP-API §11).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
