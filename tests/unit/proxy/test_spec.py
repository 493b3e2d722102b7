"""JSON bodies parsed into specs: defaults, and errors that name the field (no sockets)."""

from __future__ import annotations

import pytest

from chaos.proxy.errors import ApiError, Err
from chaos.proxy.spec import (
    MAX_DEPTH,
    ProxySpec,
    Stream,
    decode_json,
    parse_proxy,
    parse_proxy_update,
    parse_toxic,
    parse_toxic_update,
)


def test_proxy_defaults() -> None:
    spec = parse_proxy({"name": "redis", "upstream": "127.0.0.1:6379"})
    assert spec == ProxySpec("redis", "127.0.0.1:0", "127.0.0.1:6379", True)


@pytest.mark.parametrize(
    ("body", "kind", "text"),
    [
        ({"upstream": "h:1"}, Err.MISSING_FIELD, "missing required field: name"),
        ({"name": "x"}, Err.MISSING_FIELD, "missing required field: upstream"),
        ({"name": "x", "upstream": 1}, Err.BAD_REQUEST_BODY, "upstream: expected str, got 1"),
        ({"name": "x", "upstream": "h:1", "enabled": 1}, Err.BAD_REQUEST_BODY, "enabled"),
        ("proxy", Err.BAD_REQUEST_BODY, "expected a JSON object, got 'proxy'"),
    ],
)
def test_proxy_errors_name_the_field(body: object, kind: Err, text: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_proxy(body)
    assert caught.value.kind is kind and text in caught.value.message


def test_proxy_update_keeps_absent_fields() -> None:
    current = ProxySpec("p", "127.0.0.1:4000", "127.0.0.1:5000", True)
    assert parse_proxy_update({"enabled": False}, current) == ProxySpec(
        "p", "127.0.0.1:4000", "127.0.0.1:5000", False
    )


def test_toxic_defaults_follow_toxiproxy() -> None:
    toxic = parse_toxic({"type": "latency"})
    assert toxic.name == "latency_downstream" and toxic.stream is Stream.DOWNSTREAM
    assert toxic.toxicity == 1.0
    assert toxic.to_json() == {
        "attributes": {"latency": 0, "jitter": 0},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
    }


def test_toxic_stream_is_checked_before_type() -> None:
    with pytest.raises(ApiError) as caught:
        parse_toxic({"type": "nope", "stream": "sideways"})
    assert caught.value.kind is Err.INVALID_STREAM and caught.value.status == 400


def test_unknown_toxic_type_is_named_with_a_suggestion() -> None:
    with pytest.raises(ApiError) as caught:
        parse_toxic({"type": "bandwith"})
    assert caught.value.kind is Err.INVALID_TOXIC_TYPE
    assert "'bandwith'; did you mean 'bandwidth'?" in caught.value.message
    assert "limit_data" in caught.value.message


@pytest.mark.parametrize(
    ("attributes", "text"),
    [
        ({"latency": "fast"}, "attributes.latency: expected an integer >= 0, got 'fast'"),
        ({"latency": -3}, "attributes.latency: expected an integer >= 0, got -3"),
        ({"latency": True}, "attributes.latency"),
        ({"latency": 1.5}, "got 1.5"),
        ([], "attributes: expected an object"),
    ],
)
def test_bad_attributes(attributes: object, text: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_toxic({"type": "latency", "attributes": attributes})
    assert text in caught.value.message


def test_integral_floats_and_unknown_attributes_are_accepted() -> None:
    toxic = parse_toxic({"type": "latency", "attributes": {"latency": 20.0, "colour": "red"}})
    assert toxic.toxic.attributes() == {"latency": 20, "jitter": 0}


def test_update_merges_attributes_and_keeps_identity() -> None:
    current = parse_toxic({"type": "latency", "name": "l", "attributes": {"latency": 10}})
    updated = parse_toxic_update({"attributes": {"jitter": 2}, "toxicity": 0.5}, current)
    assert updated.toxic.attributes() == {"latency": 10, "jitter": 2}
    assert (updated.name, updated.stream, updated.toxicity) == ("l", current.stream, 0.5)
    assert updated is not current and current.toxic.attributes()["jitter"] == 0


def test_null_fields_mean_default_as_in_go() -> None:
    toxic = parse_toxic(
        {"type": "latency", "name": None, "stream": None, "toxicity": None, "attributes": None}
    )
    assert (toxic.name, toxic.toxicity) == ("latency_downstream", 1.0)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"NaN", "NaN is not a JSON number"),
        (b'{"toxicity": Infinity}', "Infinity is not a JSON number"),
        (b"[-1e400]", "-1e400 is out of range"),
        (b"[" * 50_000 + b"]" * 50_000, "nested deeper than"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested deeper than"),
        (b"{nope", "Expecting property name"),
    ],
)
def test_decode_json_refuses_what_json_cannot_carry(raw: bytes, text: str) -> None:
    with pytest.raises(ValueError, match=text):
        decode_json(raw)


def test_decode_json_keeps_plain_json() -> None:
    assert decode_json(b'{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}
    assert decode_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
