"""The lean HTTP client's I/O-free pieces: URLs, request bytes, response parsing, results."""

from __future__ import annotations

import time

import pytest

from loadgen.http import HttpResult, UnsupportedUrl
from loadgen.http.headers import Headers
from loadgen.http.request import encode_get
from loadgen.http.response import ResponseError, ResponseParser
from loadgen.http.url import parse_url


def test_url_with_port_and_query() -> None:
    target = parse_url("http://edge-eu:8080/live/abc/index.m3u8?_HLS_msn=7")
    assert target.address == ("edge-eu", 8080)
    assert target.host_header == "edge-eu:8080"
    assert target.target == "/live/abc/index.m3u8?_HLS_msn=7"
    assert target.path == "/live/abc/index.m3u8"


def test_url_defaults() -> None:
    target = parse_url("http://[::1]")
    assert (target.address, target.host_header, target.target) == (("::1", 80), "[::1]", "/")


def test_https_urls_default_to_443_and_leave_it_out_of_host() -> None:
    target = parse_url("https://cdn.example/live/a.m3u8?x=1")
    assert (target.address, target.tls) == (("cdn.example", 443), True)
    assert (target.host_header, target.target) == ("cdn.example", "/live/a.m3u8?x=1")
    other = parse_url("https://[::1]:8443")
    assert (other.address, other.host_header, other.target) == (("::1", 8443), "[::1]:8443", "/")
    assert parse_url("https://h:80/").host_header == "h:80"  # 80 is not https's default
    assert parse_url("http://h:443/").host_header == "h:443"
    assert not parse_url("http://h/").tls


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://cdn.example/a.ts", "not ftp://"),
        ("/live/a.ts", "not relative URLs"),
        ("http:///nohost", "no host"),
        ("http://h:99999/", "Port out of range"),
    ],
)
def test_unsupported_urls_fail_clearly(url: str, message: str) -> None:
    with pytest.raises(UnsupportedUrl, match=message):
        parse_url(url)


def test_request_bytes() -> None:
    request = encode_get(parse_url("http://h:81/p?q=1"), "ua/1", {"Range": "bytes=0-9"})
    assert request == (
        b"GET /p?q=1 HTTP/1.1\r\nHost: h:81\r\nUser-Agent: ua/1\r\nAccept: */*\r\n"
        b"Range: bytes=0-9\r\n\r\n"
    )


def test_caller_headers_replace_defaults_case_insensitively() -> None:
    request = encode_get(parse_url("http://h/"), "ua", {"user-agent": "other"})
    assert b"user-agent: other\r\n" in request and b"ua" not in request


def test_header_injection_is_refused() -> None:
    with pytest.raises(ValueError, match="CR/LF"):
        encode_get(parse_url("http://h/"), "ua", {"X": "a\r\nEvil: 1"})


def test_response_fed_byte_by_byte() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Seq: 9\r\n\r\nhello"
    parser = ResponseParser()
    done = [parser.feed(raw[i : i + 1]) for i in range(len(raw))]
    assert done == [False] * (len(raw) - 1) + [True]
    assert (parser.status, parser.body, parser.keep_alive) == (200, b"hello", True)
    assert parser.headers == {"content-length": "5", "x-seq": "9"}


def test_chunked_response() -> None:
    parser = ResponseParser()
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert parser.feed(head + b"3\r\nabc\r\n") is False
    assert parser.feed(b"2\r\nde\r\n0\r\n\r\n")
    assert parser.body == b"abcde" and parser.keep_alive


def test_connection_close_and_http10_are_not_kept_alive() -> None:
    closing = ResponseParser()
    assert closing.feed(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert not closing.keep_alive
    old = ResponseParser()
    assert old.feed(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert not old.keep_alive


def test_body_until_close_completes_at_eof() -> None:
    parser = ResponseParser()
    assert not parser.feed(b"HTTP/1.1 200 OK\r\n\r\npart")
    assert parser.finish() and parser.body == b"part" and not parser.keep_alive


def test_eof_inside_a_sized_body_is_incomplete() -> None:
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart")
    assert not parser.finish()
    chunked = ResponseParser()
    chunked.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npart\r\n")
    assert not chunked.finish()


def test_eof_before_headers_is_incomplete() -> None:
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 O")
    assert not parser.finish()


def test_no_body_statuses() -> None:
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
    assert parser.status == 304 and parser.body == b""


def test_garbage_is_a_response_error() -> None:
    with pytest.raises(ResponseError, match="invalid HTTP response"):
        ResponseParser().feed(b"SMTP ready\r\n\r\n")


def _result(**changes: object) -> HttpResult:
    fields: dict[str, object] = dict(
        url="http://h/", status=200, headers={}, body=b"", error=None,
        intended=100.0, began=100.02, sent=100.03, first_byte=100.3, last_byte=100.5,
    )  # fmt: skip
    fields.update(changes)
    return HttpResult(**fields)  # type: ignore[arg-type]


def test_result_ok_needs_a_good_status_and_no_error() -> None:
    assert _result().ok and _result(status=399).ok
    assert not _result(status=404).ok and not _result(status=0).ok
    assert not _result(error="connection reset").ok


def test_result_latency_is_from_intended() -> None:
    assert _result().latency_ms == pytest.approx(500.0)
    assert _result().self_delay_ms == pytest.approx(20.0)


def test_result_latency_without_last_byte_runs_to_now() -> None:
    result = _result(intended=time.time() - 1.0, last_byte=0.0, status=0, error="timeout")
    assert result.latency_ms == pytest.approx(1000.0, abs=50)


def test_one_parser_serves_consecutive_responses() -> None:
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-N: 1\r\n\r\none")
    first_headers, first_body = parser.headers, parser.body
    parser.begin()
    assert parser.status == 0 and not parser.complete
    assert parser.feed(b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-N: 2\r\n\r\ntwo")
    assert (parser.status, parser.body, parser.headers["x-n"]) == (404, b"two", "2")
    assert (first_body, first_headers["x-n"]) == (b"one", "1")


def test_head_split_across_reads() -> None:
    parser = ResponseParser()
    assert not parser.feed(b"HTTP/1.1 200 OK\r\nContent-Le")
    assert not parser.feed(b"ngth: 4\r\nX-Long: ")
    assert parser.feed(b"v\r\n\r\nbody")
    assert dict(parser.headers) == {"content-length": "4", "x-long": "v"}
    assert parser.body == b"body"


def test_headers_are_lower_case_and_last_value_wins() -> None:
    headers = Headers(b'HTTP/1.1 200 OK\r\nVary: a\r\nVary: b\r\nETag:  "x" ')
    assert dict(headers) == {"vary": "b", "etag": '"x"'}
    assert len(headers) == 2 and "etag" in headers and "ETag" not in headers
    assert Headers() == {}


def test_every_set_cookie_line_is_kept() -> None:
    raw = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT\r\n"
    headers = Headers(raw + b"Set-Cookie: b=2")
    assert headers["set-cookie"].split("\n") == [
        "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT",
        "b=2",
    ]
