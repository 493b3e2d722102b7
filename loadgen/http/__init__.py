"""The lean HTTP path: thousands of HLS viewers per Locust worker core, over http:// or https://.

    LeanHttpClient.get(url) ─► parse_url ─► encode_get ─► Connection.exchange ─► ResponseParser
        (tls= for https://)                                  (gevent socket;      (httptools)
                                                              TlsConnection: OpenSSL over
                                                              memory buffers)
                           ◄─ HttpResult (status, headers, body, error, 4 timestamps)
                           ─► environment.events.request (optional)

`url`, `request` and `response` do no I/O; `connection` is the only module touching sockets.
"""

from loadgen.http.client import LeanHttpClient
from loadgen.http.result import HttpResult, RequestFailed
from loadgen.http.url import UnsupportedUrl

__all__ = ["HttpResult", "LeanHttpClient", "RequestFailed", "UnsupportedUrl"]
