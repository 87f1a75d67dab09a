"""The durable queue and the worker that runs flows off the request path."""
