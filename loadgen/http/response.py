"""HTTP/1.1 response parsing on httptools: bytes in, status/headers/body out, no sockets.

One parser serves all responses of one connection. Per response the caller must call
`begin()`, then `feed()` whatever `recv` returned until it returns True, or `finish()` when
the peer closed the stream.
"""

from __future__ import annotations

import httptools

from loadgen.http.headers import Headers

_END_OF_HEAD = b"\r\n\r\n"


class ResponseError(ValueError):
    """The server sent bytes that are not a valid HTTP/1.1 response."""


class ResponseParser:
    """Accumulates one response at a time: status, raw header block, body chunks."""

    __slots__ = (
        "_chunks",
        "_head",
        "_parser",
        "complete",
        "headers_complete",
        "keep_alive",
        "status",
    )

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self.begin()

    def begin(self) -> None:
        """Forget the previous response (the new one's headers and body are new objects)."""
        self.status = 0
        """The status code once the headers are parsed, else 0."""
        self.headers_complete = False
        self.complete = False
        self.keep_alive = False
        self._head = b""
        self._chunks: list[bytes] = []

    def feed(self, data: bytes) -> bool:
        """Parse the next bytes; True when the response is complete (stop reading then)."""
        if self.headers_complete:
            self._parse(data)
            return self.complete
        head = self._head + data if self._head else data
        self._parse(data)
        if self.headers_complete:  # keep only the header block, not the body bytes with it
            end = head.find(_END_OF_HEAD)
            self._head = head[:end] if end >= 0 else head[: head.find(b"\n\n")]
        else:
            self._head = head
        return self.complete

    def _parse(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.keep_alive = False
            self.complete = True
        except httptools.HttpParserError as exc:
            raise ResponseError(f"invalid HTTP response: {exc}") from exc

    def finish(self) -> bool:
        """The peer closed the stream: True when that legitimately ends the response.

        A body with neither Content-Length nor chunked encoding is delimited by the close;
        anything else still incomplete here was cut short.
        """
        if not self.complete and self.headers_complete:
            headers = self.headers
            delimited = "content-length" in headers or "chunked" in headers.get(
                "transfer-encoding", ""
            )
            if not delimited:
                self.complete = True
        self.keep_alive = False
        return self.complete

    @property
    def headers(self) -> Headers:
        """The headers of the current response (empty until they are complete)."""
        return Headers(self._head if self.headers_complete else b"")

    @property
    def body(self) -> bytes:
        chunks = self._chunks
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    # httptools callbacks (no on_header: Headers parses the block lazily)
    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        self.headers_complete = True

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self._parser.should_keep_alive()
        self.complete = True
