"""Checks for ``lotsen validate``: stale entries, and flows that name missing or inactive ones.

>>> stale(directory, today=date(2027, 12, 1))   # warnings, one a service
[Problem(..., level='warning', code='stale-service', ...)]

A service is *fresh* while it was verified at most ``months`` calendar months ago; the bot
shows a stale service's phone numbers and hours only as "check the web site", never as fact.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from datetime import MAXYEAR, date, time

from bot.directory.model import Directory, Schedule, Service
from bot.source.position import Position
from bot.source.problems import Problem
from bot.source.schema import did_you_mean

DEFAULT_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; 31 Jan + 1 month is 28/29 Feb.

    Past the last day a date can hold it is that day: ``verified: 9999-06-01`` (a typo) must
    not crash ``lotsen validate``.
    """
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    if year > MAXYEAR:
        return date.max
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due(service: Service, months: int = DEFAULT_MONTHS) -> date:
    """The last day ``service`` counts as fresh."""
    return add_months(service.verified, months)


def is_fresh(service: Service, today: date, months: int = DEFAULT_MONTHS) -> bool:
    """Verified recently enough that its phone numbers and hours may be shown as fact."""
    return today <= due(service, months)


def _where(directory: Directory, service: Service, key: str) -> Position:
    return directory.positions.get((service.id, key)) or service.position or Position("?", 1, 1)


def stale(directory: Directory, today: date, months: int = DEFAULT_MONTHS) -> list[Problem]:
    """A warning for each shown service verified more than ``months`` months before ``today``.

    Examples and inactive services are never shown, so they are not checked.
    """
    return [
        Problem.at(
            _where(directory, service, "verified"),
            "warning",
            "stale-service",
            f"`{service.id}` ({service.name}) was last verified {service.verified.isoformat()}, "
            f"more than {months} months ago; check it against its source ({service.source}) "
            "and update `verified`; until then the bot shows no phone number or hours from it "
            "as fact",
        )
        for service in directory.services.values()
        if not service.example
        and service.status != "inactive"
        and not is_fresh(service, today, months)
    ]


def inactive_references(directory: Directory, referenced: Mapping[str, Position]) -> list[Problem]:
    """Errors where a flow names an inactive service (a warning if temporarily closed)."""
    return list(_inactive(directory, referenced))


def _inactive(directory: Directory, referenced: Mapping[str, Position]) -> Iterator[Problem]:
    for service_id, position in referenced.items():
        service = directory.services.get(service_id)
        if service is None:
            continue
        where = _where(directory, service, "status")
        if service.status == "inactive":
            yield Problem.at(
                position,
                "error",
                "inactive-service",
                f"`{service_id}` is inactive ({where}), so the bot never shows it; "
                "point to another service or remove it here",
            )
        elif service.status == "temporarily_closed":
            yield Problem.at(
                position,
                "warning",
                "closed-service",
                f"`{service_id}` is temporarily closed ({where}); say so, or point to "
                "another service until it reopens",
            )


def unknown_references(directory: Directory, referenced: Mapping[str, Position]) -> list[Problem]:
    """Errors where a flow names a service that is not in the directory, or only an example."""
    known = tuple(sorted(i for i, s in directory.services.items() if not s.example))
    problems: list[Problem] = []
    for service_id, position in referenced.items():
        service = directory.services.get(service_id)
        if service is None:
            problems.append(
                Problem.at(
                    position,
                    "error",
                    "unknown-service",
                    f"no service `{service_id}` in the directory{did_you_mean(service_id, known)}"
                    f"; services: {', '.join(known) or 'none'}",
                )
            )
        elif service.example:
            problems.append(
                Problem.at(
                    position,
                    "error",
                    "example-service",
                    f"`{service_id}` is an example (`example: true`) and is never shown; "
                    "name a real service",
                )
            )
    return problems


_NUMBER = re.compile(r"\d+")


def contradicting_notes(directory: Directory) -> list[Problem]:
    """Errors where an hours ``note`` states a time the structured hours do not have: the
    bot computes "open now" from the structure and shows the note beside it, so the two
    must agree (a note only adds, as "utom helgdagar" does)."""
    problems: list[Problem] = []
    for service in directory.services.values():
        schedule = service.schedule
        if schedule is None or not schedule.note:
            continue
        allowed = _schedule_numbers(schedule)
        stray = [n for n in _NUMBER.findall(schedule.note) if int(n) not in allowed]
        if stray:
            problems.append(
                Problem.at(
                    _where(directory, service, "hours"),
                    "error",
                    "hours-note-mismatch",
                    f"`{service.id}`: the hours note says {', '.join(stray)}, which the "
                    f"structured hours do not ({_shown(schedule)}); correct one of them",
                )
            )
    return problems


def _schedule_numbers(schedule: Schedule) -> set[int]:
    """Every hour and minute the schedule names (24 for around the clock, and for midnight)."""
    times = [t for p in schedule.periods for t in (p.opens, p.closes)]
    times += [t for e in schedule.exceptions for t in (e.opens, e.closes) if t is not None]
    found = {24} if schedule.always else set()
    for moment in times:
        found |= {moment.hour, moment.minute} | ({24} if moment == time(0, 0) else set())
    return found


def _shown(schedule: Schedule) -> str:
    if schedule.always:
        return "around the clock"
    return ", ".join(f"{p.opens:%H:%M}-{p.closes:%H:%M}" for p in schedule.periods) or "no periods"
