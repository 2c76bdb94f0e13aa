"""Segment search (segmentation.yaml, /search/namespaces|entities|taxonomy).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), as moto lays
out a service."""
