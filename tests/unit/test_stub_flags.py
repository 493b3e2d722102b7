"""Component flags: sabotage names are checked with a suggestion; Sentinel lists parse."""

from __future__ import annotations

import argparse

import pytest
from livefire_stubs.discovery import matches, parse_stream
from livefire_stubs.sabotage import SABOTAGES, add_sabotage_arg, sabotage_name
from livefire_stubs.store import parse_sentinels


def test_known_sabotages_pass_and_misspelt_ones_get_a_suggestion() -> None:
    for name in SABOTAGES:
        assert sabotage_name(name) == name
    with pytest.raises(argparse.ArgumentTypeError, match="did you mean 'lossy-ledger'"):
        sabotage_name("lossy-leger")
    with pytest.raises(argparse.ArgumentTypeError, match="known: lossy-ledger"):
        sabotage_name("zzz")


def test_sabotage_flag_repeats() -> None:
    parser = argparse.ArgumentParser()
    add_sabotage_arg(parser)
    args = parser.parse_args(["--sabotage", "no-idempotency", "--sabotage", "lossy-ledger"])
    assert args.sabotage == ["no-idempotency", "lossy-ledger"]
    assert parser.parse_args([]).sabotage == []


def test_sentinel_lists_parse() -> None:
    assert parse_sentinels("127.0.0.1:1,localhost:2") == [("127.0.0.1", 1), ("localhost", 2)]
    for bad in ("127.0.0.1", "h:x", ":1"):
        with pytest.raises(argparse.ArgumentTypeError, match="host:port"):
            parse_sentinels(bad)


def test_discovery_matches_every_word_anywhere() -> None:
    stream = {"id": "s1", "title": "Mario Kart", "creator": "kim", "region": "apac", "tags": ["x"]}
    assert matches(["mario", "apac"], stream) and matches([], stream)
    assert not matches(["mario", "eu"], stream)
    fields = parse_stream("s1", {"title": "t", "tags": ["a"]})
    assert fields == {"id": "s1", "title": "t", "tags": '["a"]', "creator": "", "region": ""}
    with pytest.raises(ValueError, match="title"):
        parse_stream("s1", {"title": 3})
