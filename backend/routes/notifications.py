"""Notifications API (issue #13): the in-app inbox with read state, preferences, devices for push, linking LINE,
LINE's webhook, and the administrators' delivery view. Reads and writes run as the owner, always narrowed to the
caller's own rows by id (the tables behind them are private)."""

import json
import logging
import secrets
import uuid
from contextlib import suppress
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from psycopg.types.json import Jsonb

from backend.db import Conn, service_tx
from backend.deps import AdminDep, IdentityDep, NowDep, PoolDep, ReaderLocaleDep, SettingsDep
from backend.errors import ApiError
from backend.notifications.channels.line import verify_signature
from backend.notifications.channels.webpush import keys_are_a_browsers
from backend.notifications.rendering import render_row
from backend.schemas import (
    ROW_ID_MAX,
    DeliveryDay,
    DeliveryFailure,
    DeliveryReport,
    DeviceIn,
    ErrorResponse,
    LineLinkCode,
    NotificationSettingsIn,
    NotificationSettingsOut,
    UnreadCount,
)
from backend.services import rate_limits
from backend.services.profiles import require_role
from backend.services.rate_limits import Limit
from backend.settings import Settings
from shared.notifications import (
    DEVICES_PER_PERSON_MAX,
    KIND_NOT_YOURS,
    LINE_LINK_TRIES_PER_HOUR,
    LINE_LINK_WRONG_CODES_OVERALL,
    LINE_LINK_WRONG_CODES_WINDOW,
    Kind,
    Pref,
    allowed_prefs,
    chosen_prefs,
    is_kind,
    is_push_service_url,
    kind_label,
    settings_kinds,
)
from shared.otp import typed_digits
from shared.roles import AppRole
from shared.thai_time import bangkok_day, bangkok_midnight
from shared.wire import NotificationItem, NotificationPage

log = logging.getLogger("fixit.notifications")
router = APIRouter(tags=["notifications"], responses={401: {"model": ErrorResponse}})

LINK_CODE_TTL = timedelta(minutes=10)
# The wrong codes of every LINE user together (gaps25 #2): counted by the webhook, asked by both routes.
LINK_WRONG_CODES = Limit("line-link:wrong", LINE_LINK_WRONG_CODES_OVERALL, LINE_LINK_WRONG_CODES_WINDOW)
ALL_ROLES = tuple(AppRole)


# --- The inbox -------------------------------------------------------------------------------------------------


@router.get("/me/notifications", response_model=NotificationPage)
async def my_notifications(
    identity: IdentityDep, pool: PoolDep, now: NowDep, locale: ReaderLocaleDep,
    before_id: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> NotificationPage:
    """Newest first, rendered in the caller's language (the one their screen shows when the call says, by
    `Accept-Language`; else their profile's, as the pushes are); page with `before_id` (the page's
    `next_before_id`)."""
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)  # a suspended account: 403, its inbox untold
        rows = await (await owner.execute(
            """select n.id, n.kind, n.params, n.request_id, n.created_at, n.read_at is not null as read,
                      p.locale, (to_jsonb(r) ->> 'ref_no')::bigint as ref_no
               from public.notifications n
               join public.profiles p on p.id = n.recipient_id
               left join public.repair_requests r on r.id = n.request_id
               where n.recipient_id = %(me)s and (%(before)s::bigint is null or n.id < %(before)s)
               order by n.id desc limit %(limit)s""",
            {"me": identity.user_id, "before": before_id, "limit": limit + 1},
        )).fetchall()
        unread = await _unread(owner, identity.user_id)
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for row in rows:
        rendered = render_row(row, now, locale)
        items.append(NotificationItem(id=row["id"], kind=row["kind"], title=rendered.title, body=rendered.body,
                                      link=rendered.link, request_id=row["request_id"],
                                      created_at=row["created_at"], read=row["read"]))
    return NotificationPage(items=items, unread_count=unread, next_before_id=rows[-1]["id"] if more else None)


async def _unread(conn: Any, user_id: uuid.UUID) -> int:
    row = await (await conn.execute(
        "select count(*) as n from public.notifications where recipient_id = %s and read_at is null", [user_id]
    )).fetchone()
    return int(row["n"]) if row else 0


@router.get("/me/notifications/unread-count", response_model=UnreadCount)
async def unread_count(identity: IdentityDep, pool: PoolDep) -> UnreadCount:
    """The bell's badge."""
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)
        return UnreadCount(unread_count=await _unread(owner, identity.user_id))


@router.post("/me/notifications/{notification_id}/read", response_model=UnreadCount,
             responses={404: {"model": ErrorResponse}})
async def mark_read(notification_id: int, identity: IdentityDep, pool: PoolDep, now: NowDep) -> UnreadCount:
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)
        row = await (await owner.execute(
            "update public.notifications set read_at = coalesce(read_at, %s) where id = %s and recipient_id = %s "
            "returning id",
            [now, notification_id, identity.user_id],
        )).fetchone()
        if row is None:
            raise ApiError(404, "not_found")
        return UnreadCount(unread_count=await _unread(owner, identity.user_id))


@router.post("/me/notifications/read-all", response_model=UnreadCount)
async def mark_all_read(identity: IdentityDep, pool: PoolDep, now: NowDep) -> UnreadCount:
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)
        await owner.execute(
            "update public.notifications set read_at = %s where recipient_id = %s and read_at is null",
            [now, identity.user_id],
        )
    return UnreadCount(unread_count=0)


# --- Preferences -----------------------------------------------------------------------------------------------


async def _settings_out(owner: Any, user_id: uuid.UUID, settings: Settings) -> NotificationSettingsOut:
    profile = await require_role(owner, user_id, *ALL_ROLES)
    role = AppRole(profile["role"])
    row = await (await owner.execute(
        """select pr.channels, pr.quiet_hours, pr.quiet_start, pr.quiet_end, pr.offers_in_quiet_hours,
                  pr.sms_fallback,
                  exists (select 1 from private.line_links l where l.user_id = %(me)s) as line_linked,
                  (select count(*) from private.notification_devices d where d.user_id = %(me)s) as devices
           from (select 1) one
           left join private.notification_preferences pr on pr.user_id = %(me)s""",
        {"me": user_id},
    )).fetchone()
    assert row is not None
    choices = row["channels"] or {}
    kinds = settings_kinds(role)
    return NotificationSettingsOut(
        channels={k.value: sorted(p.value for p in chosen_prefs(k, choices)) for k in kinds},
        quiet_hours=row["quiet_hours"] if row["quiet_hours"] is not None else True,
        quiet_start=(row["quiet_start"] or time(21)).strftime("%H:%M"),
        quiet_end=(row["quiet_end"] or time(7)).strftime("%H:%M"),
        offers_in_quiet_hours=bool(row["offers_in_quiet_hours"]),
        sms_fallback=row["sms_fallback"] if row["sms_fallback"] is not None else True,
        allowed={k.value: [p.value for p in allowed_prefs(k)] for k in kinds},
        line_linked=row["line_linked"], devices=int(row["devices"]),
        web_push_public_key=settings.vapid_public_key if "webpush" in settings.active_notify_channels else "",
    )


@router.get("/me/notification-settings", response_model=NotificationSettingsOut)
async def get_notification_settings(identity: IdentityDep, pool: PoolDep,
                                    settings: SettingsDep) -> NotificationSettingsOut:
    """Channels per kind of message (the kinds of the caller's role, and a student's or a teacher's of their own
    requests), quiet hours (Bangkok time), SMS fallback."""
    async with service_tx(pool) as owner:
        return await _settings_out(owner, identity.user_id, settings)


@router.put("/me/notification-settings", response_model=NotificationSettingsOut,
            responses={400: {"model": ErrorResponse}})
async def put_notification_settings(body: NotificationSettingsIn, identity: IdentityDep, pool: PoolDep,
                                    settings: SettingsDep) -> NotificationSettingsOut:
    """Kinds left out keep what they had; only the kinds GET lists (the caller's, `settings_kinds`) may be set.
    SMS may be chosen only for accepted/ready (cost)."""
    if body.quiet_start == body.quiet_end:
        raise ApiError(400, "quiet_hours_same")
    channels: dict[str, list[str]] = {}
    for kind_name, prefs in body.channels.items():
        if not is_kind(kind_name):
            raise ApiError(400, "validation_failed", detail="unknown kind")  # the caller's key is not echoed
        kind = Kind(kind_name)
        if any(Pref(p) not in allowed_prefs(kind) for p in prefs):
            raise ApiError(400, "validation_failed", detail=f"{kind_name}: SMS is only for accepted and ready")
        channels[kind.value] = sorted(set(prefs))
    async with service_tx(pool) as owner:
        profile = await require_role(owner, identity.user_id, *ALL_ROLES)
        # audit24 B1: a kind the person's settings do not list was stored unseen, and took effect the day their role
        # changed (an invitation accepted, an admin's move). Read under the same transaction as the write.
        theirs = settings_kinds(AppRole(profile["role"]))
        for name in channels:
            if Kind(name) not in theirs:
                raise ApiError(400, KIND_NOT_YOURS, kind=kind_label(name))  # its name, never its code (ux26)
        await owner.execute(
            """insert into private.notification_preferences as p (user_id, channels, quiet_hours, quiet_start,
                                                                quiet_end, offers_in_quiet_hours, sms_fallback)
               values (%(me)s, %(channels)s, %(quiet)s, %(start)s, %(end)s, %(offers)s, %(sms)s)
               on conflict (user_id) do update set channels = p.channels || excluded.channels,
                   quiet_hours = excluded.quiet_hours, quiet_start = excluded.quiet_start,
                   quiet_end = excluded.quiet_end, offers_in_quiet_hours = excluded.offers_in_quiet_hours,
                   sms_fallback = excluded.sms_fallback, updated_at = now()""",
            {"me": identity.user_id, "channels": Jsonb(channels), "quiet": body.quiet_hours,
             "start": body.quiet_start, "end": body.quiet_end, "offers": body.offers_in_quiet_hours,
             "sms": body.sms_fallback},
        )
        return await _settings_out(owner, identity.user_id, settings)


# --- Devices (push) --------------------------------------------------------------------------------------------


@router.post("/me/devices", status_code=204, response_class=Response, responses={400: {"model": ErrorResponse}})
async def register_device(body: DeviceIn, identity: IdentityDep, pool: PoolDep, now: NowDep,
                          settings: SettingsDep) -> Response:
    """After sign-in: the app's push token (android/ios: an FCM token, or a OneSignal subscription id when this
    backend delivers through OneSignal), or the browser's Web Push subscription (platform web, token = endpoint,
    keys). Registering a token another account held moves it to the caller, once any push under way to it has
    ended (the delivery worker holds the device row while it sends): the former account's last push never reaches
    the phone after this returns. A person keeps the devices seen last (shared DEVICES_PER_PERSON_MAX): each gets
    every notification."""
    channel = "webpush" if body.keys is not None else settings.phone_push_channel
    if channel == "webpush" and not is_push_service_url(body.token):
        raise ApiError(400, "push_endpoint_invalid")
    if body.keys is not None and not keys_are_a_browsers(body.keys.p256dh, body.keys.auth):
        raise ApiError(400, "push_keys_invalid")
    if channel == "onesignal" and not _is_uuid(body.token):
        raise ApiError(400, "validation_failed", detail="a OneSignal push subscription id is a UUID")
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)
        await register_token(owner, identity.user_id, body.token, channel, body.platform,
                             body.keys.model_dump() if body.keys else None, now)
    return Response(status_code=204)


async def register_token(owner: Conn, user_id: uuid.UUID, token: str, channel: str, platform: str,
                         keys: dict[str, Any] | None, now: datetime) -> None:
    """POST /me/devices' writes: the token is the caller's from now on, and they keep their newest devices.

    The same device of the same person seen again (the app registers at every session's start) only refreshes
    when it was seen, and not while the delivery worker holds the row for a push under way to it (that turn ends
    within its send timeout; the refresh comes at the next start): waiting, each app start during a slow push
    service held one of the backend's pool connections for up to the send timeout (review27a #4). A move, or a
    change of its channel or keys, waits for such a push (edges27 #2). The devices beyond the newest
    DEVICES_PER_PERSON_MAX that such a push holds go at a later registration, not waited for either."""
    same = {"token": token, "me": user_id, "channel": channel, "platform": platform,
            "keys": Jsonb(keys) if keys is not None else None, "now": now}
    unchanged = """d.user_id = %(me)s and d.channel = %(channel)s and d.platform = %(platform)s
                   and d.keys is not distinct from %(keys)s::jsonb"""
    seen = await (await owner.execute(
        f"""update private.notification_devices d set last_seen_at = %(now)s
            from (select token from private.notification_devices where token = %(token)s
                  for no key update skip locked) free
            where d.token = free.token and {unchanged} returning 1""", same)).fetchone()
    if seen is None and await (await owner.execute(
            f"select 1 from private.notification_devices d where d.token = %(token)s and {unchanged}",
            same)).fetchone() is None:
        await owner.execute(
            """insert into private.notification_devices (token, user_id, channel, platform, keys, last_seen_at)
               values (%(token)s, %(me)s, %(channel)s, %(platform)s, %(keys)s, %(now)s)
               on conflict (token) do update set user_id = excluded.user_id, channel = excluded.channel,
                   platform = excluded.platform, keys = excluded.keys, last_seen_at = excluded.last_seen_at""",
            same)
    await owner.execute(
        """delete from private.notification_devices where token in (
               select token from private.notification_devices where user_id = %(me)s and token not in (
                   select token from private.notification_devices where user_id = %(me)s
                   order by last_seen_at desc, created_at desc limit %(keep)s)
               for no key update skip locked)""",
        {"me": user_id, "keep": DEVICES_PER_PERSON_MAX})


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.delete("/me/devices/{token:path}", status_code=204, response_class=Response)
async def drop_device(token: str, identity: IdentityDep, pool: PoolDep) -> Response:
    """At sign-out: nothing more goes to this device (deliveries still waiting for it are skipped; a push under way
    to it ends first: the delivery worker holds the device row while it sends)."""
    async with service_tx(pool) as owner:
        await owner.execute("delete from private.notification_devices where token = %s and user_id = %s",
                            [token, identity.user_id])
    return Response(status_code=204)


# --- LINE ------------------------------------------------------------------------------------------------------


@router.post("/me/line/link-code", response_model=LineLinkCode, responses={429: {"model": ErrorResponse}})
async def line_link_code(identity: IdentityDep, pool: PoolDep, settings: SettingsDep, now: NowDep) -> LineLinkCode:
    """A one-time code (10 minutes) the person sends to the LINE official account to link their LINE. While too
    many wrong codes were sent in the window (someone guessing), 429 `line_link_paused`: the webhook looks at no
    code until the next window, so a code given now could not link."""
    async with service_tx(pool) as owner:
        await require_role(owner, identity.user_id, *ALL_ROLES)
        if await rate_limits.spent(owner, LINK_WRONG_CODES, now):
            raise rate_limits.refusal(LINK_WRONG_CODES, now, "line_link_paused")
        await owner.execute("delete from private.line_link_codes where user_id = %s or expires_at <= %s",
                            [identity.user_id, now])
        while True:
            code = f"{secrets.randbelow(10**6):06d}"
            row = await (await owner.execute(
                "insert into private.line_link_codes (code, user_id, expires_at) values (%s, %s, %s) "
                "on conflict (code) do nothing returning code",
                [code, identity.user_id, now + LINK_CODE_TTL],
            )).fetchone()
            if row is not None:
                break
    return LineLinkCode(code=code, expires_at=now + LINK_CODE_TTL, add_friend_url=settings.line_add_friend_url)


@router.delete("/me/line", status_code=204, response_class=Response)
async def line_unlink(identity: IdentityDep, pool: PoolDep) -> Response:
    async with service_tx(pool) as owner:
        await owner.execute("delete from private.line_links where user_id = %s", [identity.user_id])
    return Response(status_code=204)


@router.post("/line/webhook", responses={401: {"model": ErrorResponse}})
async def line_webhook(request: Request, pool: PoolDep, settings: SettingsDep, now: NowDep) -> dict[str, int]:
    """LINE's webhook: verified by `X-Line-Signature`; a text message holding a live linking code links the
    sender's LINE user id to the account that asked for the code. Each LINE user has a few tries an hour, and the
    wrong codes of all of them together a few a window (`LINK_WRONG_CODES`): past either, no code is looked at. The
    clock is the one that dated the codes (`line_link_code`)."""
    raw = await request.body()
    if not verify_signature(settings.line_channel_secret.get_secret_value(), raw,
                            request.headers.get("x-line-signature", "")):
        raise ApiError(401, "not_authenticated")  # not a person: LINE, or someone pretending
    try:
        events = json.loads(raw).get("events", [])
    except (ValueError, AttributeError):
        events = []
    linked = 0
    for event in events if isinstance(events, list) else []:
        message = event.get("message") if isinstance(event, dict) else None
        user = (event.get("source") or {}).get("userId") if isinstance(event, dict) else None
        if not isinstance(message, dict) or message.get("type") != "text" or not isinstance(user, str):
            continue
        # The code's digits as typed, Thai ๐-๙ too (shared.otp.typed_digits): "รหัส ๑๒๓๔๕๖" is 123456.
        code = "".join(ch for ch in typed_digits(str(message.get("text", ""))) if ch in "0123456789")
        if len(code) != 6:
            continue
        async with service_tx(pool) as owner:
            # Held until this delivery commits: one looks at its code and counts it at a time, so the window's
            # wrong codes looked at never pass the cap (audit26 F3). Short: one look-up, one count.
            if await rate_limits.spent(owner, LINK_WRONG_CODES, now, hold=True):
                # Too many wrong codes from everyone this window: none is looked at, a right one neither, and none
                # is counted against its sender (gaps26 #2: a person resending their right code while paused, told
                # nothing, spent their tries and was locked out for the rest of the hour after the pause).
                continue
            try:  # every code looked at counts for its LINE user, committed whether it matched or not
                await rate_limits.spend(owner, Limit(f"line-link:{user}", LINE_LINK_TRIES_PER_HOUR,
                                                     timedelta(hours=1)), now)
            except ApiError:
                continue  # out of tries: LINE gets its 200 all the same (a 4xx would only make it retry)
            row = await (await owner.execute(
                "delete from private.line_link_codes where code = %s and expires_at > %s returning user_id",
                [code, now],
            )).fetchone()
            if row is None:
                with suppress(ApiError):  # counted; the next code asks `spent` first
                    await rate_limits.spend(owner, LINK_WRONG_CODES, now)
                continue
            await owner.execute("delete from private.line_links where line_user_id = %s and user_id <> %s",
                                [user, row["user_id"]])
            await owner.execute(
                "insert into private.line_links (user_id, line_user_id) values (%s, %s) "
                "on conflict (user_id) do update set line_user_id = excluded.line_user_id, linked_at = now()",
                [row["user_id"], user],
            )
            linked += 1
    return {"linked": linked}


# --- Administrators ------------------------------------------------------------------------------------------------


@router.get("/admin/notifications/deliveries", response_model=DeliveryReport, tags=["admin"],
            responses={403: {"model": ErrorResponse}})
async def deliveries(
    _: AdminDep, pool: PoolDep, now: NowDep,
    days: Annotated[int, Query(ge=1, le=90)] = 14,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryReport:
    """Sent, failed, pending and skipped deliveries per channel per day (Bangkok days), and the latest failures
    with their reasons: the last `days` whole Bangkok days, today's included (from 00:00 Bangkok `days - 1` days
    ago: each day shown counts every delivery of it)."""
    since = bangkok_midnight(bangkok_day(now) - timedelta(days=days - 1))
    async with service_tx(pool) as owner:
        per_day = await (await owner.execute(
            """select (d.updated_at at time zone 'Asia/Bangkok')::date as day, d.channel,
                      count(*) filter (where d.status = 'sent') as sent,
                      count(*) filter (where d.status = 'failed') as failed,
                      count(*) filter (where d.status = 'pending') as pending,
                      count(*) filter (where d.status = 'skipped') as skipped
               from private.notification_deliveries d
               where d.updated_at >= %s
               group by 1, 2 order by 1 desc, 2""",
            [since],
        )).fetchall()
        failures = await (await owner.execute(
            """select d.id, d.notification_id, d.channel, n.kind, d.attempts, d.last_error, d.updated_at
               from private.notification_deliveries d join public.notifications n on n.id = d.notification_id
               where d.status = 'failed' and d.updated_at >= %s
               order by d.updated_at desc, d.id desc limit %s""",
            [since, limit],
        )).fetchall()
    return DeliveryReport(days=[DeliveryDay.model_validate(r) for r in per_day],
                          failures=[DeliveryFailure.model_validate(r) for r in failures])
