"""Open now, and until when: weekdays, weekends, public holidays, daylight saving, exceptions.

The clock is injected. Times given in UTC make the daylight-saving cases unambiguous:
Stockholm is UTC+1 in winter and UTC+2 in summer (2026: from 29 March to 25 October).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.directory.hours import TIMEZONE, Opening, is_public_holiday, opening, weekly_spans
from bot.directory.model import Period, Schedule, ScheduleException
from bot.i18n.renderer import renderer_for
from tests.directory_fixtures import shipped
from tests.engine_fixtures import CONTENT

WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def schedule_of(service_id: str) -> Schedule:
    schedule = shipped().services[service_id].schedule
    assert schedule is not None
    return schedule


OROSTELEFONEN = [
    # (now in Stockholm, open?, closes at, opens at)
    ("Monday inside hours", local(2026, 11, 23, 10, 0), True, local(2026, 11, 23, 12, 0), None),
    ("Monday before opening", local(2026, 11, 23, 8, 59), False, None, local(2026, 11, 23, 9, 0)),
    ("Monday at closing", local(2026, 11, 23, 12, 0), False, None, local(2026, 11, 24, 9, 0)),
    ("Friday afternoon", local(2026, 11, 27, 13, 0), False, None, local(2026, 11, 30, 9, 0)),
    ("Saturday", local(2026, 11, 28, 10, 0), False, None, local(2026, 11, 30, 9, 0)),
    ("Sunday", local(2026, 11, 29, 10, 0), False, None, local(2026, 11, 30, 9, 0)),
    ("Christmas Day", local(2026, 12, 25, 10, 0), False, None, local(2026, 12, 28, 9, 0)),
    ("New Year's Day", local(2027, 1, 1, 10, 0), False, None, local(2027, 1, 4, 9, 0)),
    ("Epiphany eve", local(2027, 1, 5, 13, 0), False, None, local(2027, 1, 7, 9, 0)),
    ("Ascension Day", local(2026, 5, 14, 10, 0), False, None, local(2026, 5, 15, 9, 0)),
    # Not public holidays (allmänna helgdagar): the library files the eves as DE_FACTO.
    ("midsommarafton", local(2026, 6, 19, 10, 0), True, local(2026, 6, 19, 12, 0), None),
    ("julafton", local(2026, 12, 24, 10, 0), True, local(2026, 12, 24, 12, 0), None),
    ("nyårsafton", local(2026, 12, 31, 10, 0), True, local(2026, 12, 31, 12, 0), None),
]


@pytest.mark.parametrize(
    ("now", "open_now", "closes_at", "opens_at"),
    [case[1:] for case in OROSTELEFONEN],
    ids=[case[0] for case in OROSTELEFONEN],
)
def test_orostelefonen_weekdays_nine_to_twelve_except_public_holidays(
    now: datetime, open_now: bool, closes_at: datetime | None, opens_at: datetime | None
) -> None:
    assert opening(schedule_of("orostelefonen"), now) == Opening(open_now, closes_at, opens_at)


def test_results_are_in_stockholm_time_whatever_the_clock_zone() -> None:
    result = opening(schedule_of("orostelefonen"), datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    assert result.open_now
    assert result.closes_at is not None and result.closes_at.tzinfo == TIMEZONE
    assert result.closes_at.hour == 12


def test_the_library_counts_public_holidays_but_not_sundays_or_eves() -> None:
    assert is_public_holiday(date(2026, 12, 25))
    assert is_public_holiday(date(2026, 6, 20))  # midsommardagen
    assert is_public_holiday(date(2026, 4, 5))  # påskdagen, a Sunday that is a holiday
    assert not is_public_holiday(date(2026, 11, 29))  # an ordinary Sunday
    assert not is_public_holiday(date(2026, 6, 19))  # midsommarafton
    assert not is_public_holiday(date(2026, 12, 24))  # julafton


def test_a_line_whose_source_is_silent_on_holidays_is_closed_on_them() -> None:
    # CVE: "weekdays 9-15", nothing about public holidays: public_holidays: not_stated.
    result = opening(schedule_of("cve"), local(2026, 12, 25, 10, 0))
    assert result == Opening(False, None, local(2026, 12, 28, 9, 0))
    assert opening(schedule_of("cve"), local(2026, 12, 23, 14, 0)).closes_at == local(
        2026, 12, 23, 15, 0
    )


@pytest.mark.parametrize(
    "now",
    [
        local(2026, 11, 28, 3, 0),
        local(2026, 12, 25, 12, 0),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ],
)
def test_around_the_clock_is_open_with_no_closing_time(now: datetime) -> None:
    assert opening(schedule_of("bris"), now) == Opening(True, None, None)
    assert opening(schedule_of("vard1177"), now) == Opening(True, None, None)


# Summer time starts 2026-03-29 02:00 CET (-> 03:00 CEST) and ends 2026-10-25 03:00 CEST
# (-> 02:00 CET). A service open Sundays 01:00-04:00 spans both switches.
NIGHT = Schedule((Period(frozenset({6}), time(1, 0), time(4, 0)),), closed_on_public_holidays=False)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


DST = [
    # spring: 01:00 CET is 00:00 UTC; 04:00 CEST is 02:00 UTC: open two real hours
    ("spring, before opening", utc(2026, 3, 28, 23, 59), False, None, utc(2026, 3, 29, 0, 0)),
    ("spring, just before switch", utc(2026, 3, 29, 0, 59), True, utc(2026, 3, 29, 2, 0), None),
    ("spring, just after switch", utc(2026, 3, 29, 1, 0), True, utc(2026, 3, 29, 2, 0), None),
    ("spring, at closing", utc(2026, 3, 29, 2, 0), False, None, utc(2026, 4, 4, 23, 0)),
    # autumn: 01:00 CEST is 23:00 UTC the day before; 04:00 CET is 03:00 UTC: four hours
    ("autumn, before opening", utc(2026, 10, 24, 22, 59), False, None, utc(2026, 10, 24, 23, 0)),
    ("autumn, first 02:30", utc(2026, 10, 25, 0, 30), True, utc(2026, 10, 25, 3, 0), None),
    ("autumn, second 02:30", utc(2026, 10, 25, 1, 30), True, utc(2026, 10, 25, 3, 0), None),
    ("autumn, at closing", utc(2026, 10, 25, 3, 0), False, None, utc(2026, 11, 1, 0, 0)),
]


@pytest.mark.parametrize(
    ("now", "open_now", "closes_at", "opens_at"),
    [case[1:] for case in DST],
    ids=[case[0] for case in DST],
)
def test_daylight_saving_switches_are_counted_in_real_time(
    now: datetime, open_now: bool, closes_at: datetime | None, opens_at: datetime | None
) -> None:
    assert opening(NIGHT, now) == Opening(open_now, closes_at, opens_at)


@pytest.mark.parametrize(
    ("now", "open_now", "closes_at", "opens_at"),
    [
        # Friday before spring: 09:30 CET is 08:30 UTC; closes 12:00 CET = 11:00 UTC
        (utc(2026, 3, 27, 8, 30), True, utc(2026, 3, 27, 11, 0), None),
        # Friday after hours: opens Monday 09:00 CEST = 07:00 UTC
        (utc(2026, 3, 27, 12, 0), False, None, utc(2026, 3, 30, 7, 0)),
        # Monday in summer time: 07:30 UTC is 09:30 CEST
        (utc(2026, 3, 30, 7, 30), True, utc(2026, 3, 30, 10, 0), None),
        # Friday before autumn: 10:30 UTC is 12:30 CEST, closed; opens Monday 09:00 CET
        (utc(2026, 10, 23, 10, 30), False, None, utc(2026, 10, 26, 8, 0)),
        # Monday in winter time: 08:30 UTC is 09:30 CET
        (utc(2026, 10, 26, 8, 30), True, utc(2026, 10, 26, 11, 0), None),
    ],
)
def test_weekday_hours_follow_local_time_across_the_switches(
    now: datetime, open_now: bool, closes_at: datetime | None, opens_at: datetime | None
) -> None:
    assert opening(schedule_of("orostelefonen"), now) == Opening(open_now, closes_at, opens_at)


EXAMPLE = Schedule(
    (
        Period(frozenset({0, 1, 2, 3}), time(8, 0), time(16, 30)),
        Period(frozenset({4}), time(8, 0), time(15, 0)),
    ),
    (
        ScheduleException(date(2026, 12, 24), closed=True),
        ScheduleException(date(2026, 12, 30), closed=False, opens=time(10, 0), closes=time(14, 0)),
        ScheduleException(date(2026, 12, 26), closed=False, opens=time(10, 0), closes=time(12, 0)),
    ),
)


@pytest.mark.parametrize(
    ("now", "open_now", "closes_at", "opens_at"),
    [
        (local(2026, 12, 24, 10, 0), False, None, local(2026, 12, 26, 10, 0)),
        (local(2026, 12, 26, 11, 0), True, local(2026, 12, 26, 12, 0), None),
        (local(2026, 12, 30, 9, 0), False, None, local(2026, 12, 30, 10, 0)),
        (local(2026, 12, 30, 13, 0), True, local(2026, 12, 30, 14, 0), None),
        (local(2026, 12, 30, 15, 0), False, None, local(2026, 12, 31, 8, 0)),
    ],
)
def test_exceptions_win_over_periods_and_holidays(
    now: datetime, open_now: bool, closes_at: datetime | None, opens_at: datetime | None
) -> None:
    assert opening(EXAMPLE, now) == Opening(open_now, closes_at, opens_at)


def test_the_shipped_example_reads_the_same() -> None:
    schedule = schedule_of("exempelkommunen_anhorigstod")
    assert opening(schedule, local(2026, 12, 24, 10, 0)) == Opening(
        False, None, local(2026, 12, 28, 8, 0)
    )


def test_open_until_midnight_closes_at_the_next_day() -> None:
    evenings = Schedule((Period(EVERY_DAY, time(18, 0), time(0, 0)),))
    assert opening(evenings, local(2026, 11, 23, 23, 0)) == Opening(
        True, local(2026, 11, 24, 0, 0), None
    )


def test_all_day_but_closed_on_holidays_closes_when_the_holiday_starts() -> None:
    days = Schedule((Period(EVERY_DAY, time(0, 0), time(0, 0)),), closed_on_public_holidays=True)
    assert opening(days, local(2026, 12, 20, 12, 0)) == Opening(
        True, local(2026, 12, 25, 0, 0), None
    )


def test_nothing_within_fourteen_days_gives_no_opening_time() -> None:
    closed = Schedule((), (ScheduleException(date(2026, 11, 23), closed=True),))
    assert opening(closed, local(2026, 11, 23, 10, 0)) == Opening(False, None, None)
    far = Schedule((), (ScheduleException(date(2026, 12, 20), False, time(9), time(10)),))
    assert opening(far, local(2026, 11, 23, 10, 0)) == Opening(False, None, None)
    near = Schedule((), (ScheduleException(date(2026, 12, 6), False, time(9), time(10)),))
    assert opening(near, local(2026, 11, 23, 10, 0)).opens_at == local(2026, 12, 6, 9, 0)


def test_a_clock_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        opening(schedule_of("orostelefonen"), datetime(2026, 11, 23, 10, 0))


def _period(days: set[int], opens: str, closes: str) -> Period:
    return Period(frozenset(days), time.fromisoformat(opens), time.fromisoformat(closes))


def test_an_evening_past_midnight_reads_as_one_period_and_like_days_are_said_once() -> None:
    """A socialjour's week as its page writes it (Sunday-Thursday 16.30-24.00, Friday and
    Saturday 16.00-01.30), which the YAML must split at midnight, reads back as the page does."""
    karlstad = Schedule(
        periods=(
            _period({6, 0, 1, 2, 3}, "16:30", "00:00"),
            _period({4}, "16:00", "00:00"),
            _period({5}, "00:00", "01:30"),
            _period({5}, "16:00", "00:00"),
            _period({6}, "00:00", "01:30"),
        ),
        closed_on_public_holidays=True,
        holidays_stated=False,
    )
    late = time(1, 30)
    assert weekly_spans(karlstad) == [
        ((0, 1, 2, 3, 6), ((time(16, 30), time(0, 0)),)),
        ((4, 5), ((time(16, 0), late),)),
    ]
    said = renderer_for(CONTENT, "sv").hours(karlstad).replace("\u2013", "-")
    assert said == "mån-tors, sön 16:30-00:00, fre, lör 16:00-01:30"  # holidays: not stated
    weekdays = set(range(5))
    split = Schedule(
        periods=(_period(weekdays, "08:30", "09:30"), _period(weekdays, "13:00", "16:00"))
    )
    said = renderer_for(CONTENT, "sv").hours(split).replace("\u2013", "-")
    assert said == "mån-fre 08:30-09:30, 13:00-16:00, stängt helgdagar"


@pytest.mark.parametrize("first", ["sv", "en"])
def test_dates_and_times_are_said_in_each_language_whichever_came_first(first: str) -> None:
    """A card's day, time and verified date are formatted once per language and kept: the
    same moment asked in another language is said in that one (each is kept by language)."""
    closed = Opening(open_now=False, closes_at=None, opens_at=local(2026, 11, 30, 9, 0))
    open_ = Opening(open_now=True, closes_at=local(2026, 11, 23, 12, 0), opens_at=None)
    verified = date(2026, 11, 23)
    expected = {
        "sv": ("måndag", "09:00", "12:00", "23 november 2026"),
        "en": ("Monday", "9:00\u202fAM", "12:00\u202fPM", "November 23, 2026"),
    }
    second = "en" if first == "sv" else "sv"
    for code in (first, second, first):
        renderer = renderer_for(CONTENT, code)
        day, opens, closes, said_date = expected[code]
        assert f"{day} {opens}" in renderer.opening(closed)
        assert closes in renderer.opening(open_)
        assert renderer.date(verified) == said_date
