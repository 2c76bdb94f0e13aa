"""The Platform API gateway in front of every service (AEP-API §2): bearer token, API key, IMS
org and sandbox headers, content type, and request ids in error bodies (``auth``)."""
