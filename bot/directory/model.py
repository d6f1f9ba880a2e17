"""The directory as immutable values: areas, schedules, phones, services.

>>> directory.for_area({"worried_relative"}, "0480")   # Nyköping: local, county, national
[Service(id='...'), ...]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal

from bot.source.position import Position

Status = Literal["active", "inactive", "temporarily_closed"]
STATUSES: tuple[Status, ...] = ("active", "inactive", "temporarily_closed")

NATIONAL = "SE"
"""The area code of a service that serves the whole country."""

TOPICS: Mapping[str, str] = {
    "emergency": "someone is in danger now, a crime is happening (112)",
    "police": "the police: non-urgent matters, tips",
    "worried_relative": "for relatives and others worried about someone",
    "support_line": "someone to talk to by phone, chat or e-mail",
    "health": "healthcare and healthcare advice",
    "children": "for children and young people under 18",
    "leaving": "helps people leave violent extremist groups (exit work)",
    "professionals": "for professionals (teachers, youth and social workers), not relatives",
    "social_services": "social services: support for a family, reports of concern",
    "out_of_hours": "social services' duty out of office hours (socialjouren)",
    "coordinator": "a municipality's coordinator against violent extremism (a role, never a name)",
    "mentors": "mentors for young people or for relatives",
}
"""The topic vocabulary: a flow asks for services by these words (docs in README)."""


@dataclass(frozen=True)
class Area:
    """A county (``county == code``, two digits) or a municipality (four digits)."""

    code: str
    name: str
    county: str

    @property
    def is_county(self) -> bool:
        return self.code == self.county


@dataclass(frozen=True)
class Period:
    """Open on ``weekdays`` (0 = Monday) from ``opens`` to ``closes``, local time.

    ``closes == time(0, 0)`` means midnight at the end of the day; ``opens == closes ==
    time(0, 0)`` is open all day.
    """

    weekdays: frozenset[int]
    opens: time
    closes: time


@dataclass(frozen=True)
class ScheduleException:
    """One day that differs from the weekly periods: closed, or open ``opens``-``closes``."""

    day: date
    closed: bool
    opens: time | None = None
    closes: time | None = None


@dataclass(frozen=True)
class Schedule:
    """Weekly periods, exceptions on given days, and whether public holidays close it."""

    periods: tuple[Period, ...]
    exceptions: tuple[ScheduleException, ...] = ()
    closed_on_public_holidays: bool = True
    note: str | None = None
    # False for `public_holidays: not_stated`: counted as closed ("open now" never claims a
    # day the source does not cover), but never *said* to be closed on the card.
    holidays_stated: bool = True

    @property
    def always(self) -> bool:
        """Open around the clock, every day, holidays included, no exceptions."""
        return (
            not self.exceptions
            and not self.closed_on_public_holidays
            and any(
                p.weekdays == frozenset(range(7)) and p.opens == p.closes == time(0, 0)
                for p in self.periods
            )
        )


@dataclass(frozen=True)
class Phone:
    number: str
    description: str | None = None


@dataclass(frozen=True)
class Service:
    """One service as its source states it, with the date that was last checked."""

    id: str
    organization: str
    name: str
    description: str
    topics: tuple[str, ...]
    areas: tuple[str, ...]
    phones: tuple[Phone, ...]
    web: str | None
    email: str | None
    schedule: Schedule | None
    languages: tuple[str, ...]
    anonymity: str | None
    what_happens: str | None
    source: str
    verified: date
    status: Status
    example: bool = False
    position: Position | None = None
    source_url: str | None = None  # the page the facts were read on (required for local ones)


@dataclass(frozen=True)
class Directory:
    """Areas by code (municipalities in ``areas``, counties in ``counties``) and services.

    ``positions`` maps a service id and one of its keys (``verified``, ``status``, ...) to
    where that key was written, so a check can point at the line to edit.
    ``public_holidays``: Sweden's public holidays of the years around the load, by year
    (``bot.directory.hours.public_holidays``), kept with the pack so that a server whose pack
    comes from the cache of loaded packs judges opening hours without the library.
    """

    areas: Mapping[str, Area]
    counties: Mapping[str, Area]
    services: Mapping[str, Service]
    positions: Mapping[tuple[str, str], Position] = field(default_factory=dict)
    public_holidays: Mapping[int, frozenset[date]] = field(default_factory=dict, compare=False)

    def municipality(self, code: str) -> Area | None:
        return self.areas.get(code)

    def area(self, code: str) -> Area | None:
        """A municipality or a county by its code."""
        return self.areas.get(code) or self.counties.get(code)

    def for_area(self, topics: Collection[str], municipality: str | None) -> list[Service]:
        """Active, real services on any of ``topics`` that serve ``municipality``.

        Local first, then the county's, then national ones; in file order within each.
        With ``municipality`` None (not told), only national services.
        """
        wanted = set(topics)
        area = self.areas.get(municipality) if municipality else None
        ranks = {NATIONAL: 2}
        if area is not None:
            ranks[area.county] = 1
            ranks[area.code] = 0
        chosen: list[tuple[int, int, Service]] = []
        for order, service in enumerate(self.services.values()):
            if service.status != "active" or service.example:
                continue
            if not wanted.intersection(service.topics):
                continue
            rank = min((ranks[a] for a in service.areas if a in ranks), default=None)
            if rank is not None:
                chosen.append((rank, order, service))
        return [service for _, _, service in sorted(chosen, key=lambda c: (c[0], c[1]))]
