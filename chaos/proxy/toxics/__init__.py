"""The built-in toxics, one per module; importing this package registers them all."""

from chaos.proxy.toxics import (
    bandwidth,
    latency,
    limit_data,
    reset_peer,
    slicer,
    slow_close,
    timeout,
)

__all__ = ["bandwidth", "latency", "limit_data", "reset_peer", "slicer", "slow_close", "timeout"]
