"""Open now? Computed from a weekly schedule, its exceptions and Sweden's public holidays.

>>> opening(orostelefonen.schedule, datetime(2026, 11, 23, 10, 0, tzinfo=TIMEZONE))
Opening(open_now=True, closes_at=datetime(2026, 11, 23, 12, 0, tzinfo=TIMEZONE), opens_at=None)

All arithmetic is on UTC instants: two aware datetimes that share a ``ZoneInfo`` compare by
wall time, which is wrong across a daylight-saving switch.

Public holidays are Sweden's *allmänna helgdagar* (Act 1989:253) as the ``holidays`` library
lists them in its ``PUBLIC`` category, Sundays left out (the library can count every Sunday
as a holiday). Midsommarafton, julafton and nyårsafton are not public holidays there (the
library files them under ``DE_FACTO``), so "closed on public holidays" does not close a line
on those eves; a service that closes then says so with an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.directory.model import Schedule

TIMEZONE = ZoneInfo("Europe/Stockholm")
LOOKAHEAD_DAYS = 14
_MIDNIGHT = time(0, 0)


@dataclass(frozen=True)
class Opening:
    """Open now and until when, or closed and from when (``None``: not within 14 days).

    Times are in Stockholm local time. A service open around the clock has ``closes_at``
    None.
    """

    open_now: bool
    closes_at: datetime | None
    opens_at: datetime | None


# The public holidays of each year worked out so far, or given by a loaded pack (prepare).
_by_year: dict[int, frozenset[date]] = {}


def _holidays(year: int) -> frozenset[date]:
    found = _by_year.get(year)
    if found is None:
        # Imported only here: the library imports every country's calendar (13 MiB), and a
        # server whose pack came from the cache of loaded packs has its years already.
        import holidays

        calendar = holidays.country_holidays(
            "SE", years=year, categories=("public",), include_sundays=False
        )
        found = _by_year[year] = frozenset(calendar.keys())
    return found


def public_holidays(years: Iterable[int]) -> dict[int, frozenset[date]]:
    """Sweden's public holidays of each of ``years``: what a loaded directory keeps
    (``Directory.public_holidays``), and so the cache of loaded packs."""
    return {year: _holidays(year) for year in years}


def prepare(now: datetime, known: Mapping[int, frozenset[date]] | None = None) -> None:
    """Have the public holidays of the years :func:`opening` looks at from ``now``: from
    ``known`` (a loaded directory's ``public_holidays``) where it has them, else from the
    ``holidays`` library, whose first use imports its calendars, 50 ms here (more when
    Python first compiles them): at start, not on the event loop while the first person
    waits for a service card, and every other person with them."""
    _by_year.update(known or {})
    today = now.astimezone(TIMEZONE).date()
    for day in (today - timedelta(days=1), today + timedelta(days=LOOKAHEAD_DAYS + 1)):
        _holidays(day.year)


def is_public_holiday(day: date) -> bool:
    """A Swedish public holiday (allmän helgdag), Sundays as such not included."""
    return day in _holidays(day.year)


def opening(schedule: Schedule, now: datetime) -> Opening:
    """Whether the service is open at ``now`` (timezone-aware), and the next change."""
    if now.tzinfo is None:
        raise ValueError("opening() needs a timezone-aware datetime")
    if schedule.always:
        return Opening(True, None, None)
    instant = now.astimezone(UTC)
    today = now.astimezone(TIMEZONE).date()
    horizon = _utc(today + timedelta(days=LOOKAHEAD_DAYS + 1), _MIDNIGHT)
    for start, end in _open_intervals(schedule, today):
        if start <= instant < end:
            closes = None if end >= horizon else end.astimezone(TIMEZONE)
            return Opening(True, closes, None)
        if start > instant:
            return Opening(False, None, start.astimezone(TIMEZONE))
    return Opening(False, None, None)


@lru_cache(maxsize=1024)
def _open_intervals(schedule: Schedule, today: date) -> tuple[tuple[datetime, datetime], ...]:
    """The open intervals (UTC) from yesterday to the end of the look-ahead, merged: the same
    all day, so worked out once a day per schedule rather than for every card shown (36 us
    for a weekly schedule with exceptions)."""
    return tuple(_merged(_intervals(schedule, today - timedelta(days=1))))


def _intervals(schedule: Schedule, first: date) -> Iterator[tuple[datetime, datetime]]:
    for offset in range(LOOKAHEAD_DAYS + 2):
        day = first + timedelta(days=offset)
        for opens, closes in _day_hours(schedule, day):
            end_day = day + timedelta(days=1) if closes <= opens else day
            yield _utc(day, opens), _utc(end_day, closes)


def _day_hours(schedule: Schedule, day: date) -> list[tuple[time, time]]:
    for exception in schedule.exceptions:
        if exception.day == day:
            if exception.closed or exception.opens is None or exception.closes is None:
                return []
            return [(exception.opens, exception.closes)]
    if schedule.closed_on_public_holidays and is_public_holiday(day):
        return []
    return [(p.opens, p.closes) for p in schedule.periods if day.weekday() in p.weekdays]


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TIMEZONE).astimezone(UTC)


def _merged(intervals: Iterator[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_NOON = time(12, 0)


def weekly_spans(schedule: Schedule) -> list[tuple[tuple[int, ...], tuple[tuple[time, time], ...]]]:
    """The weekly hours as a reader takes them in: days (0 = Monday) that share the same
    hours, each with its periods, first day first. A period that closes at midnight and the
    next day's early one from 00:00 are one evening ("fre 16:00-01:30", not "fre 16:00-00:00,
    lör 00:00-01:30"). A period from 00:00 to 00:00 is the whole day."""
    days: list[list[tuple[time, time]]] = [
        sorted((p.opens, p.closes) for p in schedule.periods if day in p.weekdays)
        for day in range(7)
    ]
    for day in range(7):
        following = days[(day + 1) % 7]
        for index, (opens, closes) in enumerate(days[day]):
            if closes != _MIDNIGHT or opens == _MIDNIGHT:
                continue
            tail = next(
                (p for p in following if p[0] == _MIDNIGHT and _MIDNIGHT < p[1] <= _NOON), None
            )
            if tail is not None:
                days[day][index] = (opens, tail[1])
                following.remove(tail)
    shared: dict[tuple[tuple[time, time], ...], list[int]] = {}
    for day, periods in enumerate(days):
        if periods:
            shared.setdefault(tuple(periods), []).append(day)
    return sorted(((tuple(d), periods) for periods, d in shared.items()), key=lambda g: g[0])
