"""Segment definitions (segmentation.yaml, /segment/definitions; AEP-API §5).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
