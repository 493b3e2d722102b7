"""webhook: call the target's declared inject webhook, and its revert webhook to undo."""

from __future__ import annotations

from pydantic import Field

from chaos.drivers.http import Webhook
from chaos.model import FAULTS, FaultType, Params, TargetRef


class WebhookParams(Params):
    timeout_s: float = Field(default=5.0, gt=0, le=120)  # per HTTP call
    attempts: int = Field(default=3, ge=1, le=10)


def build(target: TargetRef, params: WebhookParams, fault_id: str) -> Webhook:
    assert target.webhook is not None
    return Webhook(
        {
            "inject": dict(target.webhook["inject"]),
            "revert": target.webhook.get("revert"),
            "timeout_s": params.timeout_s,
            "attempts": params.attempts,
        }
    )


FAULTS.add(
    "webhook",
    FaultType(
        "webhook",
        "call the target's inject webhook; revert calls its revert webhook",
        False,
        WebhookParams,
        build,
        "webhook",
    ),
)
