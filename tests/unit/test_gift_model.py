"""Gift bodies and keys are checked at the door; the fingerprint tells a retry from a reuse."""

from __future__ import annotations

import pytest
from livefire_stubs.gifts.model import GiftError, GiftRequest, parse_gift, parse_key


def test_valid_body_keeps_extra_fields() -> None:
    req = parse_gift({"stream": "s", "sender": "a", "amount": 2.5, "gift_type": "rose"})
    assert req == GiftRequest("s", "a", 2.5, {"gift_type": "rose"})


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "JSON object"),
        ({"stream": "s", "sender": "a"}, "amount"),
        ({"stream": "s", "sender": "a", "amount": 0}, "amount"),
        ({"stream": "s", "sender": "a", "amount": float("nan")}, "amount"),
        ({"stream": "s", "sender": "a", "amount": 10**7}, "amount"),
        ({"stream": "s", "sender": "a", "amount": False}, "amount"),
        ({"stream": 3, "sender": "a", "amount": 1}, "stream"),
        ({"stream": "s", "amount": 1}, "sender: expected a non-empty string"),
    ],
)
def test_bad_bodies_name_the_field(body: object, words: str) -> None:
    with pytest.raises(GiftError) as caught:
        parse_gift(body)
    assert words in str(caught.value) and caught.value.status == 400


def test_key_is_required_and_bounded() -> None:
    assert parse_key("abc") == "abc"
    for bad in (None, "", "x" * 201, "a\nb"):
        with pytest.raises(GiftError, match="Idempotency-Key"):
            parse_key(bad)


def test_fingerprint_tells_a_retry_from_another_gift() -> None:
    one = parse_gift({"stream": "s", "sender": "a", "amount": 1})
    assert (
        one.fingerprint() == parse_gift({"amount": 1, "sender": "a", "stream": "s"}).fingerprint()
    )
    assert (
        one.fingerprint() != parse_gift({"stream": "s", "sender": "a", "amount": 2}).fingerprint()
    )
