"""Channels behind one small interface: `send(message, target, idempotency_key)`, raising `DeliveryError` when the
message did not go (`permanent` when retrying cannot help: a dead token, an unlinked account)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.notifications import Kind, Pref


@dataclass(frozen=True)
class Message:
    kind: Kind
    title: str
    body: str
    link: str  # absolute: the app's address and the route
    notification_id: int
    request_id: str | None = None


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: a device token, a web push endpoint (with its keys), a LINE user id, a phone."""

    address: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:1000]
        self.permanent = permanent


class Channel(Protocol):
    name: str  # as in FIXIT_NOTIFY_CHANNELS and private.notification_deliveries.channel
    pref: Pref  # which of the person's choices it serves
    # Whom it reaches: "person" (one delivery per person: the console, fakes), "fcm"/"webpush"/"onesignal" (each
    # registered device of that kind), "line" (a linked LINE account), "phone" (the profile's phone number).
    addresses: str

    async def send(self, message: Message, target: Target, idempotency_key: str) -> None: ...

    async def aclose(self) -> None: ...


# The kinds of address that are registered devices (private.notification_devices.channel): dropped at sign-out
# and when their service says they are gone.
DEVICE_ADDRESSES = ("fcm", "webpush", "onesignal")
