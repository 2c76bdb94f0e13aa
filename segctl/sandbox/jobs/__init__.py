"""Segment jobs (segmentation.yaml, /segment/jobs; AEP-API §6).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
