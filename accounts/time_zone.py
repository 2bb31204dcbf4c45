"""The user's own clock: which day it is for them, where their month and week begin."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def user_zone(user) -> zoneinfo.ZoneInfo:
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # A zone the system's tz database dropped: the site's clock beats a failing page.
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def user_now(user, *, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(user_zone(user))


def user_today(user, *, now: dt.datetime | None = None) -> dt.date:
    return user_now(user, now=now).date()


def user_week(user, *, now: dt.datetime | None = None) -> tuple[dt.date, str]:
    """(the Monday the user's current week began, its ISO name such as 2026-W49)."""
    today = user_today(user, now=now)
    year, week, weekday = today.isocalendar()
    return today - dt.timedelta(days=weekday - 1), f"{year}-W{week:02d}"
