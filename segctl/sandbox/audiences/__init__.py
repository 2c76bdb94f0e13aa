"""Audiences (segmentation.yaml, /audiences; AEP-API §12): Platform audiences are the segment
definitions of the same store; audiences of other origins are seeded beside them.

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
