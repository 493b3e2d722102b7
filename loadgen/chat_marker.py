"""The chat marker: what a chatter puts into a message's text so that it can be recognised in
whatever frame a foreign relay passes back — its id, room, sender and send time — and so be
judged exactly as a reference-platform receipt (membership at send time, once per id).

    LF1.<id: 32 hex>.<sent_at: µs since the epoch>.<room: base64url>.<sender: base64url>.

Only letters, digits, `.`, `-` and `_`: nothing a JSON, HTML or URL encoder escapes, so the
marker survives a relay that re-wraps the text in its own envelope. A frame may carry several
(relays that batch); each is one receipt.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

PATTERN = re.compile(r"LF1\.([0-9a-f]{32})\.([0-9]{1,20})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)\.")


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message a chatter sends: what the marker carries."""

    id: str  # 32 lowercase hex digits
    room: str
    sender: str
    sent_at: float  # epoch seconds

    def marker(self) -> str:
        micros = round(self.sent_at * 1_000_000)
        return f"LF1.{self.id}.{micros}.{_encode(self.room)}.{_encode(self.sender)}."


def find_markers(text: str) -> list[dict[str, object]]:
    """Every marker in `text`, as receipt frames (`type`, `id`, `room`, `sender`, `sent_at`):
    the shape the chat account takes from the reference platform. A marker whose names do not
    decode is skipped: it is not livefire's."""
    found: list[dict[str, object]] = []
    for match in PATTERN.finditer(text):
        msg_id, micros, room, sender = match.groups()
        try:
            found.append(
                {
                    "type": "msg",
                    "id": msg_id,
                    "room": _decode(room),
                    "sender": _decode(sender),
                    "sent_at": int(micros) / 1_000_000,
                }
            )
        except ValueError:
            continue
    return found


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")


def _decode(text: str) -> str:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode()).decode()  # ValueError when malformed
