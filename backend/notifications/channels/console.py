"""Development: what would be sent, in the log (one line per message, in the reader's language)."""

import logging

from backend.notifications.channels import Message, Target
from shared.notifications import Pref

log = logging.getLogger("fixit.notifications")


class ConsoleChannel:
    name = "console"
    pref = Pref.PUSH
    addresses = "person"

    def __init__(self) -> None:
        self.sent: list[tuple[Message, str]] = []

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None:
        log.info("notification %s → %s: %s — %s (%s) [key %s]", message.kind.value, target.address or "inbox",
                 message.title, message.body, message.link, idempotency_key)
        self.sent.append((message, idempotency_key))
        del self.sent[:-100]

    async def aclose(self) -> None:
        return None
