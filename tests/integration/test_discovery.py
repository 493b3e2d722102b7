"""Discovery finds live streams by words, forgets ended ones and refuses bad input."""

from __future__ import annotations

import time

import pytest
from livefire_stubs.redis_cluster import RedisCluster

from tests.integration.conftest import Components, http

pytestmark = pytest.mark.integration


def test_search_finds_live_streams_by_every_word(
    components: Components, shared_cluster: RedisCluster
) -> None:
    url = components.start(
        "discovery", "--sentinel", shared_cluster.sentinel_arg(), "--stream-ttl", "1"
    )["url"]
    streams = {
        "s1": {"title": "Speedrun Mario", "creator": "kim", "tags": ["games"], "region": "apac"},
        "s2": {"title": "Cooking ramen", "creator": "lee", "tags": ["food"], "region": "eu"},
        "s3": {"title": "Mario kart night", "creator": "ana", "region": "na"},
    }
    for stream_id, body in streams.items():
        assert http("PUT", f"{url}/streams/{stream_id}", body)[0] == 200

    def ids(q: str) -> list[str]:
        status, body = http("GET", f"{url}/search?q={q}")
        assert status == 200, body
        return [s["id"] for s in body["results"]]

    assert ids("mario") == ["s1", "s3"]
    assert ids("MARIO+games") == ["s1"]
    assert ids("food") == ["s2"]
    assert ids("") == ["s1", "s2", "s3"]
    assert http("DELETE", f"{url}/streams/s2")[0] == 200
    assert ids("") == ["s1", "s3"]
    time.sleep(1.2)  # the TTL ends streams nobody renews
    assert ids("") == []


def test_bad_discovery_requests_get_json_errors(
    components: Components, shared_cluster: RedisCluster
) -> None:
    url = components.start("discovery", "--sentinel", shared_cluster.sentinel_arg())["url"]
    for body in (b"nope", b"[]", b'{"title": ""}', b'{"title": "t", "tags": "x"}'):
        status, error = http("PUT", f"{url}/streams/x", body)
        assert status == error["status"] == 400, body
    for query in ("limit=0", "limit=abc", "q=" + "x" * 201):
        assert http("GET", f"{url}/search?{query}")[0] == 400
