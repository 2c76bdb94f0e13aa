"""Adobe IMS: the OAuth client-credentials token endpoint (AEP-API §2).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), ``models``
(state and behaviour), as moto lays out a service."""
