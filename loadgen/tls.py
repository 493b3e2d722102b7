"""SSL contexts from a scenario's TLS settings, one per distinct setting (building one reads
the CA bundle and costs milliseconds: never per request)."""

from __future__ import annotations

import ssl
from functools import lru_cache

from livefire.base.connect import Tls


@lru_cache(maxsize=64)
def client_context(tls: Tls) -> ssl.SSLContext:
    """A client context: the system store or `tls.ca`, the client certificate if any, no
    verification at all when `tls.verify` is False. Raises OSError/ssl.SSLError for unreadable
    or malformed files (the scenario's validation has checked they exist)."""
    context = ssl.create_default_context(cafile=tls.ca)
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.cert:
        context.load_cert_chain(tls.cert, tls.key)
    context.set_alpn_protocols(["http/1.1"])
    return context
