"""Gift and search templates: refused at validation on their lines when livefire could not
honour them; filled with values escaped for where they land; absent, the reference platform's
protocol exactly as livefire always spoke it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from livefire.base.connect import TemplateError
from livefire.base.errors import ScenarioError
from livefire.base.http_templates import (
    REFERENCE_GIFTS,
    REFERENCE_SEARCH,
    GiftTemplate,
    SearchTemplate,
    epoch_seconds,
    fill,
    fill_url,
    gift_template,
    search_template,
)
from livefire.scenario import load_scenario
from livefire.scenario.staging_checks import describe_staging
from loadgen.search import SearchQueries

BAD = Path(__file__).parent.parent / "fixtures" / "bad_scenarios"


def test_every_unhonourable_template_setting_is_refused_on_its_line() -> None:
    path = BAD / "staging_protocols_unhonourable.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    expected = [
        ":9: target.staging.protocols.gifts.url: ${channel} is not known; known names: "
        "amount, key, sender, stream, user",
        ":10: target.staging.protocols.gifts.body: not JSON once filled",
        ":11: target.staging.protocols.gifts.headers.X-Secret: environment variable "
        "LIVEFIRE_TEST_UNSET_VARIABLE is not set",
        ":12: target.staging.protocols.gifts.success: empty: give the HTTP statuses",
        ":13: target.staging.protocols.gifts.id: '$.tip[[' is not a JSON path",
        ":14: target.staging.protocols.gifts.ledger: no key: say where in each entry",
        ":14: target.staging.protocols.gifts.ledger: no applied_at: say where",
        ":15: target.staging.protocols.gifts.ledger.url: ${user} is not known (the ledger URL "
        "is read by the conductor, as no simulated user); known names: cursor",
        ":20: target.staging.protocols.search.url: ${team} is not known; known names: query, user",
        ":21: target.staging.protocols.search.success[1]: 700 is not an HTTP status",
        ":22: target.staging.protocols.search.results: '$..[[' is not a JSON path",
    ]
    for line in expected:
        assert f"{path}{line}" in text, f"missing {line!r} in:\n{text}"
    assert len(caught.value.problems) == len(expected), text


def _scenario(tmp_path: Path, protocols: dict[str, object]) -> Path:
    path = tmp_path / "staging.yaml"
    scenario = {
        "name": "s",
        "duration": "30s",
        "target": {
            "staging": {
                "gifts": "http://gifts.example",
                "discovery": "http://search.example",
                "protocols": protocols,
            }
        },
        "load": {"users": {"gifter": 1}},
        "slos": {"gifts": {}},
    }
    path.write_text(yaml.safe_dump(scenario))
    return path


FOREIGN = {
    "gifts": {
        "method": "PUT",
        "url": "/v1/tips",
        "content_type": "form",
        "body": "channel=${stream}&from=${sender}&cents=${amount}",
        "headers": {"Authorization": "file:token.txt"},
        "success": [201],
        "idempotency_header": "X-Request-Id",
        "id": "$.tip.ref",
        "ledger": {
            "url": "/v1/tips/applied?page_size=50&cursor=${cursor}",
            "items": "$.data.rows",
            "next": "$.cursor.next",
            "key": "$.request_id",
            "applied_at": "$.booked_ms",
            "applied_at_format": "epoch_ms",
        },
    },
    "search": {"url": "/api/v2/streams?query=${query}", "queries": ["a b", "c"]},
}


def test_an_accepted_template_reaches_the_load_generator_whole_with_absolute_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "token.txt").write_text("Bearer t\n")
    staging = load_scenario(_scenario(tmp_path, FOREIGN)).scenario.target.staging
    assert staging is not None
    carried = staging.protocols.to_load()
    gifts = gift_template(carried["gifts"])
    assert gifts.headers == {"Authorization": f"file:{tmp_path / 'token.txt'}"}
    assert gifts.success == (201,) and gifts.idempotency_header == "X-Request-Id"
    assert gifts.ledger is not None and gifts.ledger.applied_at_format == "epoch_ms"
    assert search_template(carried["search"]).queries == ("a b", "c")


def test_an_explicit_null_survives_the_trip_to_the_load_generator(tmp_path: Path) -> None:
    protocols = {"gifts": {"url": "/tips", "body": None, "idempotency_header": None}}
    staging = load_scenario(_scenario(tmp_path, protocols)).scenario.target.staging
    assert staging is not None
    gifts = gift_template(staging.protocols.to_load()["gifts"])
    assert (gifts.body, gifts.idempotency_header) == (None, None)


def test_absent_templates_are_the_reference_platform_protocol() -> None:
    gifts, search = gift_template(None), search_template(None)
    assert gifts is REFERENCE_GIFTS and search is REFERENCE_SEARCH
    assert (gifts.method, gifts.success, gifts.idempotency_header) == (
        "POST",
        (202,),
        "Idempotency-Key",
    )
    values = {"stream": "live1", "sender": 'a "b"', "amount": "7", "key": "k"}
    assert gifts.body is not None
    body = fill(gifts.body, values, gifts.content_type)
    assert json.loads(body) == {"stream": "live1", "sender": 'a "b"', "amount": 7}
    assert fill_url("http://g:1/", gifts.url, values) == "http://g:1/gifts"
    queries = SearchQueries(search)
    assert queries.url("http://d:2", {}) == "http://d:2/search?q=live"
    assert queries.name == "/search"
    # today's rule: any complete 2xx or 3xx answer
    assert queries.succeeded(204, None, b"") and queries.succeeded(302, None, b"")
    assert not queries.succeeded(404, None, b"") and not queries.succeeded(200, "reset", b"")


def test_a_template_given_defaults_to_any_of_200_201_202() -> None:
    assert GiftTemplate(url="/t").success == (200, 201, 202)


def test_values_are_escaped_for_where_they_land() -> None:
    values = {"q": "a&b c/d", "n": "x=1"}
    assert fill_url("http://h/api", "/s?q=${q}", values) == "http://h/api/s?q=a%26b%20c%2Fd"
    assert fill_url("http://h/api", "https://other/${n}", values) == "https://other/x%3D1"
    assert fill("q=${q}", values, "form") == "q=a%26b+c%2Fd"
    assert fill("${q}", values, "raw") == "a&b c/d"
    with pytest.raises(TemplateError, match="nothing to put in"):
        fill("${missing}", values)


def test_queries_rotate_and_results_must_match() -> None:
    template = SearchTemplate(url="/s?q=${query}&u=${user}", queries=("a", "b", "c"))
    queries = SearchQueries(template, start=2)
    urls = [queries.url("http://h", {"user": "u1"}) for _ in range(4)]
    assert urls == [f"http://h/s?q={q}&u=u1" for q in ("c", "a", "b", "c")]
    strict = SearchQueries(SearchTemplate(url="/s", success=(200,), results="$.streams[*].id"))
    assert strict.succeeded(200, None, b'{"streams": [{"id": "live1"}]}')
    assert not strict.succeeded(200, None, b'{"streams": []}')
    assert not strict.succeeded(200, None, b"<html>")
    assert not strict.succeeded(201, None, b'{"streams": [{"id": "live1"}]}')


@pytest.mark.parametrize(
    ("value", "form", "seconds"),
    [
        (1700000000, "epoch_s", 1700000000.0),
        ("1700000000.5", "epoch_s", 1700000000.5),
        (1700000000250, "epoch_ms", 1700000000.25),
        ("2023-11-14T22:13:20Z", "iso8601", 1700000000.0),
        ("2023-11-14T23:13:20+01:00", "iso8601", 1700000000.0),
        ("2023-11-14T22:13:20", "iso8601", 1700000000.0),  # no zone: UTC
    ],
)
def test_applied_at_in_every_format_becomes_epoch_seconds(
    value: object, form: str, seconds: float
) -> None:
    assert epoch_seconds(value, form) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "form"), [(None, "epoch_s"), (True, "epoch_ms"), ("soon", "epoch_s"), (5, "iso8601")]
)
def test_applied_at_that_is_not_a_time_is_refused(value: object, form: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        epoch_seconds(value, form)


def test_dry_run_describes_the_templates_as_written(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("Bearer t\n")
    staging = load_scenario(_scenario(tmp_path, FOREIGN)).scenario.target.staging
    assert staging is not None
    lines = describe_staging(staging)
    assert "gifts protocol: PUT /v1/tips (form, X-Request-Id)" in lines
    assert "    acknowledged by 201" in lines
    assert (
        "    ledger /v1/tips/applied?page_size=50&cursor=${cursor}: $.data.rows, next $.cursor.next"
    ) in lines
    assert "search protocol: GET /api/v2/streams?query=${query} (queries a b, c)" in lines
