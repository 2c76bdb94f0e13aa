"""Export jobs (segmentation.yaml, /export/jobs; AEP-API §7).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
