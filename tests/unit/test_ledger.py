"""Reading the ledger through its template: pages by cursor, entries normalised into what
reconciliation reads, the gifts endpoint's headers and TLS with secrets resolved, and a
response that is not what the template says refused as a SetupError naming URL and field.
The transport is a plain function here (no sockets)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from livefire.base.connect import EndpointSettings, Tls
from livefire.base.errors import SetupError
from livefire.base.http_templates import REFERENCE_LEDGER, LedgerTemplate
from livefire.conductor import Conductor, RunOptions
from livefire.ledger import read_ledger
from livefire.scenario import load_scenario

FOREIGN = LedgerTemplate(
    url="/v1/tips/applied?page_size=2&cursor=${cursor}",
    items="$.data.rows",
    next="$.cursor.next",
    key="$.request_id",
    applied_at="$.booked_ms",
    applied_at_format="epoch_ms",
)


class Pages:
    """A ledger API as a function: URL → page, recording what each request carried."""

    def __init__(self, pages: Mapping[str, Any]) -> None:
        self.pages, self.asked = pages, []  # type: ignore[var-annotated]

    def __call__(self, url: str, options: Mapping[str, Any]) -> Any:
        self.asked.append((url, dict(options)))
        return self.pages[url]


def test_the_reference_ledger_is_read_as_it_always_was() -> None:
    first = {"idempotency_key": "k1", "applied_at": 1700000000.5, "gift_id": "g1"}
    second = {"idempotency_key": "k2", "applied_at": 1700000001, "gift_id": "g2"}
    api = Pages(
        {
            "http://g/ledger?limit=1000": {"entries": [first], "next": "1-0"},
            "http://g/ledger?limit=1000&after=1-0": {"entries": [second], "next": None},
        }
    )
    assert read_ledger("http://g", ledger=REFERENCE_LEDGER, fetch=api) == [first, second]
    assert api.asked[0][1] == {"headers": {}, "timeout": 5.0, "verify": True}


def test_a_foreign_ledger_pages_by_its_cursor_into_keys_and_epoch_seconds() -> None:
    api = Pages(
        {
            "http://t/v1/tips/applied?page_size=2&cursor=": {
                "data": {"rows": [{"request_id": "a", "booked_ms": 1700000000250}]},
                "cursor": {"next": "p 2"},
            },
            "http://t/v1/tips/applied?page_size=2&cursor=p%202": {
                "data": {"rows": [{"request_id": 7, "booked_ms": 1700000001000}]},
                "cursor": {"next": None},
            },
        }
    )
    entries = read_ledger("http://t", ledger=FOREIGN, fetch=api)
    assert [(e["idempotency_key"], e["applied_at"]) for e in entries] == [
        ("a", 1700000000.25),
        ("7", 1700000001.0),
    ]
    assert entries[0]["request_id"] == "a"  # the entry's own fields stay beside


def test_items_may_be_each_match_and_a_ledger_without_next_is_one_page() -> None:
    ledger = FOREIGN.model_copy(update={"items": "$.data.rows[*]", "next": None})
    page = {
        "data": {"rows": [{"request_id": "a", "booked_ms": 1}, {"request_id": "b", "booked_ms": 2}]}
    }
    api = Pages({"http://t/v1/tips/applied?page_size=2&cursor=": page})
    assert [e["idempotency_key"] for e in read_ledger("http://t", ledger=ledger, fetch=api)] == [
        "a",
        "b",
    ]
    assert len(api.asked) == 1


FIRST = "http://t/v1/tips/applied?page_size=2&cursor="


@pytest.mark.parametrize(
    ("page", "words"),
    [
        ({"rows": []}, f"the ledger at {FIRST}: no $.data.rows (items) in the response"),
        (
            {"data": {"rows": [{"booked_ms": 1}]}},
            f"the ledger at {FIRST}: entry 0 of $.data.rows: no $.request_id (key) in",
        ),
        (
            {"data": {"rows": [{"request_id": "a", "booked_ms": "later"}]}},
            f"the ledger at {FIRST}: entry 0 of $.data.rows: $.booked_ms (applied_at, epoch_ms): "
            "expected a number of milliseconds since the epoch, got 'later'",
        ),
        (
            {"data": {"rows": []}, "cursor": {"next": {"page": 2}}},
            f"the ledger at {FIRST}: $.cursor.next (next) is {{'page': 2}}",
        ),
    ],
)
def test_a_malformed_page_is_a_setup_error_naming_url_and_field(page: Any, words: str) -> None:
    with pytest.raises(SetupError) as caught:
        read_ledger("http://t", ledger=FOREIGN, fetch=Pages({FIRST: page}))
    assert words in str(caught.value)


def test_a_cursor_that_repeats_ends_the_read_instead_of_looping() -> None:
    again = {"data": {"rows": []}, "cursor": {"next": "same"}}
    api = Pages({FIRST: again, FIRST + "same": again})
    with pytest.raises(SetupError, match="gave the cursor 'same' again"):
        read_ledger("http://t", ledger=FOREIGN, fetch=api)


def test_the_gifts_endpoint_headers_and_tls_go_with_secrets_resolved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIVEFIRE_TEST_LEDGER_TOKEN", "Bearer s3cret")
    settings = EndpointSettings(
        headers={"X-Team": "core", "Authorization": "Bearer ${token}"},
        tls=Tls(ca="/ca.pem", cert="/c.pem", key="/k.pem"),
        timeout=2.0,
    )
    ledger = FOREIGN.model_copy(
        update={"headers": {"Authorization": "env:LIVEFIRE_TEST_LEDGER_TOKEN"}}
    )
    api = Pages({FIRST: {"data": {"rows": []}}})
    read_ledger("http://t", ledger=ledger, settings=settings, fetch=api)
    assert api.asked[0][1] == {
        "headers": {"X-Team": "core", "Authorization": "Bearer s3cret"},
        "timeout": 2.0,
        "verify": "/ca.pem",
        "cert": ("/c.pem", "/k.pem"),
    }


def test_a_header_only_a_simulated_user_could_fill_is_refused_with_what_to_do() -> None:
    settings = EndpointSettings(headers={"Authorization": "Bearer ${token}"})
    with pytest.raises(SetupError) as caught:
        read_ledger("http://t", ledger=FOREIGN, settings=settings, fetch=Pages({}))
    assert "names ${token}: give protocols.gifts.ledger.headers.Authorization" in str(caught.value)


def test_an_unset_secret_is_a_setup_error_naming_the_reference() -> None:
    settings = EndpointSettings(headers={"X-Key": "env:LIVEFIRE_TEST_UNSET_VARIABLE"})
    with pytest.raises(SetupError, match="header X-Key: env:LIVEFIRE_TEST_UNSET_VARIABLE"):
        read_ledger("http://t", ledger=FOREIGN, settings=settings, fetch=Pages({}))


def test_a_ledger_the_conductor_could_not_read_stops_the_run_before_any_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "pool.csv").write_text("username,password\na,1\n")
    staging = {
        "gifts": "http://gifts.example",
        "connect": {"gifts": {"headers": {"Authorization": "Bearer ${token}"}}},
        "identities": {
            "pool": "pool.csv",
            "login": {"url": "http://auth.example/login", "token": "$.token"},
        },
    }
    scenario = {
        "name": "s",
        "duration": "10s",
        "target": {"staging": staging},
        "load": {"users": {"gifter": 1}},
        "slos": {"gifts": {}},
    }
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario))
    conductor = Conductor(load_scenario(path), RunOptions(tmp_path / "run"))
    with pytest.raises(SetupError, match=r"names \$\{token\}: give protocols.gifts.ledger"):
        conductor.preflight()
    staging["protocols"] = {
        "gifts": {
            "ledger": REFERENCE_LEDGER.model_dump() | {"headers": {"Authorization": "Bearer admin"}}
        }
    }
    path.write_text(yaml.safe_dump(scenario))
    assert Conductor(load_scenario(path), RunOptions(tmp_path / "run")).preflight() == []
    assert not (tmp_path / "run").exists()
