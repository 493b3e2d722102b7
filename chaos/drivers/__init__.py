"""Fault drivers: each one file, each registering its `from_spec` under its name."""

from chaos.drivers import proxy  # noqa: F401  (registers the proxy drivers)
