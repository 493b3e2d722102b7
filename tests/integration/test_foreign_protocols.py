"""Gifters and searchers speaking a foreign API through the scenario's templates, run by the
real Locust: tips are PUT as forms with X-Request-Id and acknowledged by a 201, reconciled
through the foreign ledger's own paging and shape; searches go to another path with rotated
queries, judged by status and a JSON path. The negative controls: a ledger that does not book
some acknowledged tips fails gifts_lost naming them; a query that finds nothing fails the
search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from livefire.base import telemetry as tm
from livefire.base.connect import EndpointSettings
from livefire.base.http_templates import GiftTemplate, LedgerTemplate, SearchTemplate
from livefire.ledger import settled_ledger
from livefire.scenario.slos import GiftSlos, Slos
from livefire.verdict.engine import gift_checks
from livefire.verdict.reconcile import reconcile
from livefire.verdict.slis import SLIS
from tests.integration.test_locust_users import config, judged, run_locust

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent
TOKEN = "foreign-5e2a"
AUTH_ENV = "LIVEFIRE_TEST_FOREIGN_AUTH"

TIPS = GiftTemplate(
    method="PUT",
    url="/v1/tips",
    content_type="form",
    body="channel=${stream}&from=${sender}&cents=${amount}",
    success=(201,),
    idempotency_header="X-Request-Id",
    id="$.tip.ref",
    ledger=LedgerTemplate(
        url="/v1/tips/applied?page_size=10&cursor=${cursor}",
        items="$.data.rows",
        next="$.cursor.next",
        key="$.request_id",
        applied_at="$.booked_ms",
        applied_at_format="epoch_ms",
    ),
)
BEARER = EndpointSettings(headers={"Authorization": f"env:{AUTH_ENV}"})

Api = Callable[..., str]


@pytest.fixture
def foreign_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """Start the foreign API (with extra environment); its base URL."""
    monkeypatch.setenv(AUTH_ENV, f"Bearer {TOKEN}")
    servers: list[subprocess.Popen[str]] = []

    def start(**env: str) -> str:
        server = subprocess.Popen(
            [sys.executable, str(HERE / "foreign_gifts_api.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "FOREIGN_TOKEN": TOKEN, **env},
        )
        servers.append(server)
        assert server.stdout is not None
        return f"http://127.0.0.1:{server.stdout.readline().split()[1]}"

    yield start
    for server in servers:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


def stats(api: str) -> dict[str, Any]:
    request = urllib.request.Request(
        api + "/v1/_stats", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return dict(json.loads(response.read()))


def tips_run(api: str, run_dir: Path, gifts: EndpointSettings = BEARER) -> list[tm.Batch]:
    cfg = config(
        run_dir,
        users={"gifter": 3},
        gift_interval=0.2,
        gifts_url=api,
        endpoints={"gifts": gifts.to_json()},
        protocols={"gifts": TIPS.model_dump(mode="json")},
    )
    return run_locust(run_dir, cfg, "Gifter")


def test_tips_through_the_template_are_all_found_in_the_foreign_ledger(
    foreign_api: Api, tmp_path: Path
) -> None:
    api = foreign_api()
    batches = tips_run(api, tmp_path)
    records = tm.unique_records(batches)
    acked = [r for r in records if r["state"] == "acked"]
    assert len(acked) > 40
    assert all(str(r["id"]).startswith("tip-") for r in acked)  # the id path read the answer
    ledger = settled_ledger(api, [r["key"] for r in acked], 20, TIPS.ledger, BEARER)
    assert len(ledger) > 10  # more than one page of 10
    result = reconcile(records, ledger, deadline_s=20)
    assert result.lost == () and result.doubled == () and result.consistent_ratio == 1.0
    assert SLIS.get("gift_success").measure(judged(tm.merge_batches(batches))) == 1.0
    asked = stats(api)
    assert set(asked["content_types"]) == {"application/x-www-form-urlencoded"}
    # every tip livefire recorded reached the API; a gifter stopped mid-request (at most one
    # each, when the run ends) has one the API booked and livefire never saw answered
    recorded = len(acked) + result.indeterminate
    assert recorded <= asked["tips"] <= recorded + 3
    # cookies are kept per simulated user: only each gifter's first tip comes without
    assert asked["cookies"]["without"] == 3 and asked["cookies"]["with"] >= len(acked) - 3


def test_a_gifts_endpoint_without_cookies_keeps_none(foreign_api: Api, tmp_path: Path) -> None:
    api = foreign_api()
    tips_run(api, tmp_path, EndpointSettings(headers=BEARER.headers, cookies=False))
    asked = stats(api)
    attempts = sum(asked["content_types"].values())
    assert asked["tips"] > 40 and asked["cookies"] == {"without": attempts}


def test_tips_acknowledged_but_not_booked_fail_gifts_lost_naming_them(
    foreign_api: Api, tmp_path: Path
) -> None:
    api = foreign_api(FOREIGN_UNBOOKED_EVERY="10")
    batches = tips_run(api, tmp_path)
    records = tm.unique_records(batches)
    acked = [r["key"] for r in records if r["state"] == "acked"]
    ledger = settled_ledger(api, acked, 3, TIPS.ledger, BEARER)
    result = reconcile(records, ledger, deadline_s=20)
    unbooked = set(stats(api)["unbooked"])
    assert len(acked) > 40 and len(unbooked) >= 4
    assert set(result.lost) == unbooked & set(acked)
    slos = Slos(gifts=GiftSlos())
    lost = {c.promise: c for c in gift_checks(slos, result)}["gifts_lost"]
    assert not lost.passed and lost.measured == len(result.lost)
    assert sorted(result.lost)[0] in lost.found


def searches_run(
    api: str,
    run_dir: Path,
    queries: tuple[str, ...],
    url: str = "/api/v2/streams?query=${query}",
    **extra: Any,
) -> list[tm.Second]:
    search = SearchTemplate(
        url=url,
        queries=queries,
        success=(200,),
        results="$.results[*].id",
    )
    cfg = config(
        run_dir,
        users={"searcher": 2},
        search_interval=0.2,
        discovery_url=api,
        endpoints={"discovery": BEARER.to_json()},
        protocols={"search": search.model_dump(mode="json")},
        **extra,
    )
    return judged(tm.merge_batches(run_locust(run_dir, cfg, "Searcher")))


def test_searches_on_a_foreign_path_rotate_their_queries_and_find_streams(
    foreign_api: Api, tmp_path: Path
) -> None:
    api = foreign_api()
    series = searches_run(api, tmp_path, ("live", "concert"))
    assert sum(s.counters.get(tm.SEARCHES, 0) for s in series) > 40
    assert SLIS.get("search_success").measure(series) == 1.0
    queries = stats(api)["queries"]
    assert set(queries) == {"live", "concert"}
    assert abs(queries["live"] - queries["concert"]) <= 2  # each user in turn, 2 users


def test_a_search_that_finds_nothing_is_a_failed_search(foreign_api: Api, tmp_path: Path) -> None:
    api = foreign_api()
    series = searches_run(api, tmp_path, ("live", "nothing-live-here"))
    success = SLIS.get("search_success").measure(series)
    assert success is not None and 0.35 < success < 0.65  # the 200s with no results failed


def test_a_url_with_nothing_to_fill_is_a_failed_search_not_a_crashed_user(
    foreign_api: Api, tmp_path: Path
) -> None:
    """A pool row without the column a URL names (a short CSV line): every search fails,
    and the user keeps searching (run_locust asserts Locust exits 0: no task raised)."""
    pool = tmp_path / "pool.csv"
    pool.write_text("username,team\nalice\n")
    api = foreign_api()
    series = searches_run(
        api,
        tmp_path,
        ("live",),
        url="/api/v2/streams?query=${query}&team=${team}",
        identities={"pool": str(pool), "login": None},
    )
    assert sum(s.counters.get(tm.SEARCHES, 0) for s in series) > 20
    assert SLIS.get("search_success").measure(series) == 0.0
    assert stats(api)["queries"] == {}
