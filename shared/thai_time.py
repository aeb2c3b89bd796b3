"""Thai time: the server runs in UTC, people live in Asia/Bangkok (UTC+7, no daylight saving). A rule that cuts by
the day, the week or the term cuts at Bangkok's midnight, whatever the database session's TimeZone.

BANGKOK is the one definition of that zone for the backend, the app and `shared/`: a fixed offset, not
`zoneinfo.ZoneInfo("Asia/Bangkok")`. Bangkok has kept UTC+7 without daylight saving since 1920, so the offset is
exact for every date the app handles, and it needs no time zone database: Android has none Python can read
(python/cpython#127801) and the phone build does not carry the `tzdata` package, so a ZoneInfo here would stop the
app from starting on a phone (shared/ is imported by the app's first screen)."""

from datetime import date, datetime, time, timedelta, timezone

BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")
# Thai readers date things in the Buddhist Era (2025 CE = 2568 BE): dates, exports and terms ("2569-1") alike.
BUDDHIST_ERA_OFFSET = 543


def bangkok_midnight(day: date) -> datetime:
    """00:00 in Bangkok on `day`, as an aware moment (17:00 UTC the day before)."""
    return datetime.combine(day, time(0, 0), tzinfo=BANGKOK)


def bangkok_day(moment: datetime) -> date:
    """The calendar day in Bangkok at `moment` (aware)."""
    return moment.astimezone(BANGKOK).date()


def bangkok_week_start(moment: datetime, weeks_back: int = 0) -> datetime:
    """Monday 00:00 in Bangkok of the week `moment` falls in, `weeks_back` weeks earlier."""
    day = bangkok_day(moment)
    return bangkok_midnight(day - timedelta(days=day.weekday(), weeks=weeks_back))
