"""HTTP/1.1 response parsing on httptools: bytes in, status/headers/body out, no sockets.

The connection feeds whatever `recv` returned, then `finish()` at end of stream, and stops
reading when `complete` turns true.
"""

from __future__ import annotations

import httptools


class ResponseError(ValueError):
    """The server sent bytes that are not a valid HTTP/1.1 response."""


class ResponseParser:
    """Accumulates one response; create a new one per request (cheap, and no state leaks)."""

    __slots__ = (
        "_chunks",
        "_parser",
        "complete",
        "headers",
        "headers_complete",
        "keep_alive",
        "status",
    )

    def __init__(self) -> None:
        self.status = 0
        """The status code once the headers are parsed, else 0."""
        self.headers: dict[str, str] = {}
        self.headers_complete = False
        self.complete = False
        self.keep_alive = False
        self._chunks: list[bytes] = []
        self._parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)

    def feed(self, data: bytes) -> bool:
        """Parse the next bytes; True when the response is complete (stop reading then)."""
        parser = self._parser
        if parser is None:
            return self.complete
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.keep_alive = False
            self.complete = True
        except httptools.HttpParserError as exc:
            raise ResponseError(f"invalid HTTP response: {exc}") from exc
        if self.complete:
            self._parser = None  # break the parser <-> protocol cycle: no cyclic GC per request
        return self.complete

    def finish(self) -> bool:
        """The peer closed the stream: True when that legitimately ends the response.

        A body with neither Content-Length nor chunked encoding is delimited by the close;
        anything else still incomplete here was cut short.
        """
        if not self.complete and self.headers_complete:
            delimited = "content-length" in self.headers or "chunked" in self.headers.get(
                "transfer-encoding", ""
            )
            if not delimited:
                self.complete = True
        self._parser = None
        self.keep_alive = False
        return self.complete

    @property
    def body(self) -> bytes:
        chunks = self._chunks
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    @property
    def received_body_bytes(self) -> int:
        return sum(map(len, self._chunks))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        self.status = self._parser.get_status_code()
        self.headers_complete = True

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        assert self._parser is not None
        self.keep_alive = self._parser.should_keep_alive()
        self.complete = True
