"""Catalog Service: datasets and batches (catalog.yaml; AEP-API §8).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
