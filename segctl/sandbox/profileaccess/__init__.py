"""The Profile access API for one entity (profile.yaml, /access/entities; AEP-API §9).

Modules: ``routes`` (the route table), ``responses`` (requests in, answers out), as moto lays
out a service."""
