"""An action's call to the backend while its busy flag is up (its buttons disabled, "กำลังส่ง…"): the flag comes down on
every way out, not only on an answer or a refusal. A flag left up disables the action until the app restarts."""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from mobile.api_client import ApiError

log = logging.getLogger(__name__)
T = TypeVar("T")


def unforeseen() -> ApiError:
    """A failure the API client did not turn into an ApiError (a network error raised otherwise, an answer the app
    could not read, a fault of the app's own), said as the client says a failure it cannot name: "ระบบขัดข้อง
    กรุณาลองใหม่อีกครั้ง" (internal_error; status 0: no answer of the backend's came with it, so a retry is offered)."""
    return ApiError.from_catalog(0, "internal_error")


async def answered(call: Awaitable[T], lower: Callable[[], None], changed: Callable[[], None]) -> T:
    """The call's answer. Any other way out lowers the busy flag first (`lower`), then: a refusal (ApiError) is raised
    on, for the caller to say it as it always did; any other failure too, as `unforeseen()` (logged with its
    traceback); a cancellation (the app closing, the task ended) goes on after a redraw (`changed`), in which the
    buttons are back. The caller lowers the flag itself after the answer, where it says what was done."""
    try:
        return await call
    except ApiError:
        lower()
        raise
    except Exception as exc:
        lower()
        log.exception("an action's call failed in the app, not refused by the backend")
        raise unforeseen() from exc
    except BaseException:
        lower()
        changed()
        raise
