"""The gifter on the wire, through a plain-object HTTP session (no sockets): what it sends
for the reference protocol and for a template, with the gifts endpoint's per-user settings;
which statuses acknowledge; a retry keeps its key; a 401 makes the user log in again."""

from __future__ import annotations

import json
import random
from typing import Any

from livefire.base.connect import EndpointSettings, Tls
from livefire.base.http_templates import REFERENCE_GIFTS, GiftTemplate
from loadgen.config import LoadConfig
from loadgen.gifter import GiftSession
from loadgen.recorder import Recorder
from loadgen.user_http import UserHttp


class Answer:
    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code, self.raw = status, None
        self.content = json.dumps(body).encode() if body is not None else b"<html>"

    def json(self) -> Any:
        return json.loads(self.content)


class Wire:
    """A session answering each request with the next of `answers`, keeping what was sent."""

    def __init__(self, *answers: Answer) -> None:
        self.answers, self.sent = list(answers), []  # type: ignore[var-annotated]

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        self.sent.append({"method": method, "url": url, **kwargs})
        return self.answers.pop(0)


class User(UserHttp):
    unauthorized_calls = 0

    def unauthorized(self) -> None:
        self.unauthorized_calls += 1
        super().unauthorized()


def session(
    template: GiftTemplate, wire: Wire, gifts: EndpointSettings | None = None
) -> GiftSession:
    endpoints = {"gifts": gifts.to_json()} if gifts else {}
    config = LoadConfig(run_dir="/nonexistent", duration=1, users={}, shape=[], endpoints=endpoints)
    user = User(config, "gifter-1")
    gifter = GiftSession(
        "http://gifts:8/api", "live1", "gifter-1", Recorder("w"), 1.0, 2.0, random.Random(3),
        user=user, template=template,
    )  # fmt: skip
    gifter.http = wire  # type: ignore[assignment]
    return gifter


def test_the_reference_protocol_is_sent_as_always_with_the_endpoint_settings() -> None:
    wire = Wire(Answer(202, {"id": "g1"}))
    settings = EndpointSettings(
        headers={"X-Team": "${user}"}, tls=Tls(ca="/ca.pem", cert="/c.pem"), timeout=1.5
    )
    entry = session(REFERENCE_GIFTS, wire, settings).send_one()
    [sent] = wire.sent
    assert (sent["method"], sent["url"]) == ("POST", "http://gifts:8/api/gifts")
    assert json.loads(sent["data"]) == {
        "stream": "live1",
        "sender": "gifter-1",
        "amount": entry["amount"],
    }
    assert sent["headers"] == {
        "X-Team": "gifter-1",
        "Content-Type": "application/json",
        "Idempotency-Key": entry["key"],
    }
    assert (sent["verify"], sent["cert"], sent["timeout"]) == ("/ca.pem", "/c.pem", 1.5)
    assert (entry["state"], entry["id"], entry["attempts"]) == ("acked", "g1", 1)


def test_the_reference_protocol_acknowledges_on_202_only() -> None:
    wire = Wire(Answer(200, {"id": "g1"}), Answer(202, {"id": "g1"}))
    entry = session(REFERENCE_GIFTS, wire).send_one()
    assert entry["attempts"] == 2
    assert wire.sent[0]["headers"]["Idempotency-Key"] == wire.sent[1]["headers"]["Idempotency-Key"]


TIPS = GiftTemplate(
    method="PUT",
    url="https://tips.example/v1/tips?ch=${stream}",
    content_type="form",
    body="from=${sender}&cents=${amount}&note=a%20b&id=${key}",
    headers={"X-Sig": "k-${key}"},
    success=(201,),
    idempotency_header=None,
    id="$.tip.ref",
)


def test_a_template_is_filled_per_gift_and_acknowledged_on_its_statuses() -> None:
    wire = Wire(Answer(202, {}), Answer(401, {}), Answer(201, {"tip": {"ref": "t-9"}}))
    gifter = session(TIPS, wire)
    entry = gifter.send_one()
    key = entry["key"]
    assert [s["url"] for s in wire.sent] == ["https://tips.example/v1/tips?ch=live1"] * 3
    assert (
        wire.sent[2]["data"]
        == f"from=gifter-1&cents={entry['amount']}&note=a%20b&id={key}".encode()
    )
    assert wire.sent[2]["headers"] == {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Sig": f"k-{key}",
    }
    assert (entry["state"], entry["id"], entry["attempts"]) == ("acked", "t-9", 3)
    assert gifter.user is not None and gifter.user.unauthorized_calls == 1  # type: ignore[attr-defined]


def test_a_success_that_is_not_json_when_an_id_is_expected_is_retried() -> None:
    wire = Wire(Answer(201), Answer(201, {"tip": {"ref": "t-1"}}))
    entry = session(TIPS, wire).send_one()
    assert (entry["attempts"], entry["id"]) == (2, "t-1")


def test_never_acknowledged_is_indeterminate_after_the_timeout() -> None:
    wire = Wire(*[Answer(503, {}) for _ in range(30)])
    entry = session(TIPS, wire).send_one()
    assert entry["state"] == "indeterminate" and entry["attempts"] >= 5
    assert len({s["data"] for s in wire.sent}) == 1  # every retry is the same gift, same key
