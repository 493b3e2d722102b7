"""SSL contexts from a scenario's TLS settings, one per distinct setting.

Building one reads the CA bundle or the system store and costs milliseconds: never per
request, never per connection. The context is a `gevent.ssl` SSLContext, so a socket wrapped
with it waits cooperatively whether or not the process is monkey-patched; the lean client
itself runs it over memory buffers on its own gevent socket (`SSLContext.wrap_bio`, see
`loadgen.http.connection`).
"""

from __future__ import annotations

import ssl
from functools import lru_cache

from gevent import ssl as gevent_ssl

from livefire.base.connect import Tls
from livefire.base.errors import SetupError

DEFAULT = Tls()
"""What an https:// URL uses when nothing is configured: the system store, verification on."""


class TlsSettingsError(SetupError):
    """A CA bundle, client certificate or key cannot be loaded; names the file, never its
    contents."""


@lru_cache(maxsize=64)
def client_context(tls: Tls) -> ssl.SSLContext:
    """A client context: the system store or `tls.ca`, the client certificate if any, no
    verification at all when `tls.verify` is False, ALPN http/1.1. Raises TlsSettingsError
    for unreadable or malformed files (the scenario's validation has checked they exist)."""
    context = gevent_ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if tls.ca:
            context.load_verify_locations(cafile=tls.ca)
        else:
            context.load_default_certs()
    except (OSError, ssl.SSLError) as exc:
        store = f"CA bundle {tls.ca}" if tls.ca else "the system store"
        raise TlsSettingsError(f"TLS settings: {store}: {_reason(exc)}") from None
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.cert:
        try:
            context.load_cert_chain(tls.cert, tls.key, password=_no_password)
        except (OSError, ssl.SSLError) as exc:
            files = f"{tls.cert} with key {tls.key}" if tls.key else tls.cert
            raise TlsSettingsError(
                f"TLS settings: client certificate {files}: {_reason(exc)} "
                "(expected a PEM certificate and its unencrypted PEM private key)"
            ) from None
    context.set_alpn_protocols(["http/1.1"])
    return context


def _no_password() -> str:
    """An encrypted key would make OpenSSL prompt on the terminal: refuse it instead."""
    raise TlsSettingsError("TLS settings: the client key is encrypted (give it unencrypted)")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return f"not usable ({exc.reason or 'malformed'})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot be read ({exc.strerror})"
    return f"cannot be loaded ({exc})"
