"""Reading ``content/directory/``: areas.yaml and services/*.yaml, every problem with its line.

>>> directory, problems = load_directory(Path("content/directory"))

``directory`` is None when any problem is an error. Files whose names start with ``_`` and
anything not ending in ``.yaml`` (the template, ``_template.yaml.example``) are not read. Files
are read through :mod:`bot.source.files` (regular files inside the folder only, capped in size).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, cast

from bot.directory import hours, phones
from bot.directory.areas import match_municipality
from bot.directory.model import (
    NATIONAL,
    Area,
    Directory,
    Period,
    Phone,
    Schedule,
    ScheduleException,
    Service,
    Status,
)
from bot.source import schema
from bot.source.files import Files
from bot.source.position import Position
from bot.source.problems import Problem
from bot.source.yamlsrc import Document, SyntaxProblem, excerpt, parse

AREAS_FILE = "areas.yaml"
SERVICES_DIR = "services"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_GROUPS: Mapping[str, frozenset[int]] = {
    "weekdays": frozenset(range(5)),
    "weekend": frozenset({5, 6}),
    "every_day": frozenset(range(7)),
}
_TIME = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")
_MIDNIGHT = time(0, 0)


def _first_causes(problems: list[Problem]) -> list[Problem]:
    """An unquoted code YAML read as a number (``0114`` became 76) is reported as that, not
    again as an unknown area 76."""
    numbers = {(p.file, p.line, p.column) for p in problems if p.code == "yaml-number"}
    return [
        p
        for p in problems
        if not (p.code == "unknown-area" and (p.file, p.line, p.column) in numbers)
    ]


# Years of public holidays a loaded directory keeps past this one: a server runs for months,
# and a year it lacks is still worked out, by the library, when it comes.
HOLIDAY_YEARS_AHEAD = 4
UNFILLED = "FYLL I"  # what `lotsen directory new-municipality` leaves to fill in
# Texts the schema takes whatever they say: a left-over FYLL I there is caught by name. (A
# number, a time, an address or a date left unfilled already breaks the schema.)
_FREE_TEXT = frozenset(
    {"organization", "name", "description", "anonymity", "what_happens", "source", "note"}
)


def _unfilled(value: Any, path: tuple[str | int, ...]) -> Iterable[tuple[str | int, ...]]:
    """Where a free text still holds the template's FYLL I."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _unfilled(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unfilled(item, (*path, index))
    elif isinstance(value, str) and UNFILLED in value and path and path[-1] in _FREE_TEXT:
        yield path


def load_areas(directory: Path) -> tuple[dict[str, Area], dict[str, Area], list[Problem]]:
    """Counties and municipalities by code (areas.yaml alone), whatever the services' state:
    for a command that needs the areas while a services file is still being written."""
    loader = _Loader(Files(directory))
    counties, areas = loader.areas(directory / AREAS_FILE)
    return counties, areas, sorted(loader.problems)


def load_directory(
    directory: Path, files: Files | None = None
) -> tuple[Directory | None, list[Problem]]:
    """The directory in ``directory`` and every problem found, sorted by file and line.

    ``files`` reads them; a pack's loader passes its own, so the pack's folder and size
    budget apply. By default only files inside ``directory`` are read."""
    loader = _Loader(files if files is not None else Files(directory))
    counties, areas = loader.areas(directory / AREAS_FILE)
    service_dir = directory / SERVICES_DIR
    paths = sorted(service_dir.glob("*.yaml")) if service_dir.is_dir() else []
    for path in paths:
        if not path.name.startswith("_"):
            loader.services(path, counties, areas)
    problems = sorted(_first_causes(loader.problems))
    if any(p.is_error for p in problems):
        return None, problems
    this_year = date.today().year
    holidays = hours.public_holidays(range(this_year - 1, this_year + 1 + HOLIDAY_YEARS_AHEAD))
    found = Directory(areas, counties, dict(loader.found), dict(loader.positions), holidays)
    return found, problems


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def _time(raw: Any) -> time | None:
    match = _TIME.match(str(raw))
    if match is None or (match[1] == "24" and match[2] != "00"):
        return None
    return time(int(match[1]) % 24, int(match[2]))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass
class _Loader:
    files: Files
    problems: list[Problem] = field(default_factory=list)
    found: dict[str, Service] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)

    def error(self, position: Position, code: str, message: str) -> None:
        self.problems.append(Problem.at(position, "error", code, message))

    def read(self, path: Path, name: schema.SchemaName) -> Document | None:
        text = self.files.read_text(path)
        if isinstance(text, Problem):
            self.problems.append(text)
            return None
        budget = self.files.budget
        parsed = parse(text, str(path), max_values=budget.values_left)
        budget.values_left -= parsed.values
        if isinstance(parsed, SyntaxProblem):
            self.error(parsed.position, parsed.code, parsed.message)
            return None
        for duplicate in parsed.duplicates:
            self.error(
                duplicate.again,
                "duplicate-key",
                f"`{excerpt(duplicate.key)}` is written twice (first at line "
                f"{duplicate.first.line}); "
                "YAML would silently keep only this one",
            )
        self.problems.extend(schema.check(parsed, name))
        return parsed

    # areas.yaml

    def areas(self, path: Path) -> tuple[dict[str, Area], dict[str, Area]]:
        document = self.read(path, "areas")
        if document is None:
            return {}, {}
        data = _mapping(document.data)
        counties = {
            str(code): Area(str(code), str(name), str(code))
            for code, name in _mapping(data.get("counties")).items()
        }
        municipalities: dict[str, Area] = {}
        for code, name in _mapping(data.get("municipalities")).items():
            code = str(code)
            county = code[:2]
            if county not in counties:
                self.error(
                    document.key_at(("municipalities", code)),
                    "unknown-county",
                    f"municipality `{code}` ({name}) starts with `{county}`, which is not a "
                    "county in `counties`; a municipality's code starts with its county's",
                )
            municipalities[code] = Area(code, str(name), county)
        return counties, municipalities

    # services/*.yaml

    def services(self, path: Path, counties: Mapping[str, Area], areas: Mapping[str, Area]) -> None:
        document = self.read(path, "services")
        if document is None:
            return
        for at in _unfilled(document.data, ()):
            self.error(
                document.at(at),
                "unfilled",
                f"`{at[-1]}` still reads {UNFILLED}: write what the source states, or remove it",
            )
        for service_id, body in _mapping(_mapping(document.data).get("services")).items():
            where = document.key_at(("services", service_id))
            if service_id in self.found:
                first = self.found[service_id].position
                self.error(
                    where,
                    "duplicate-service",
                    f"a service `{service_id}` is already written at {first}; ids are unique "
                    "across all files",
                )
                continue
            service = _ServiceReader(self, document, service_id, counties, areas).build(body)
            if service is not None:
                self.found[service_id] = service
                for key in _mapping(body):
                    self.positions[(service_id, key)] = document.key_at(
                        ("services", service_id, key)
                    )


@dataclass
class _ServiceReader:
    loader: _Loader
    document: Document
    id: str
    counties: Mapping[str, Area]
    areas: Mapping[str, Area]

    def at(self, *path: str | int) -> Position:
        return self.document.at(("services", self.id, *path))

    def error(self, code: str, message: str, *path: str | int) -> None:
        self.loader.error(self.at(*path), code, message)

    def build(self, raw: Any) -> Service | None:
        body = _mapping(raw)
        verified = _date(body.get("verified"))
        if "verified" in body and verified is None:
            self.error(
                "bad-date", f"`{body['verified']}` is not a date; write YYYY-MM-DD", "verified"
            )
        required = ("organization", "name", "description", "source", "status")
        if verified is None or any(_text(body.get(key)) is None for key in required):
            return None  # the schema has said what is missing
        return Service(
            id=self.id,
            organization=str(body["organization"]),
            name=str(body["name"]),
            description=str(body["description"]),
            topics=tuple(str(t) for t in _list(body.get("topics"))),
            areas=self.area_codes(_list(body.get("areas"))),
            phones=self.phones(_list(body.get("phones"))),
            web=_text(body.get("web")),
            email=_text(body.get("email")),
            schedule=self.schedule(body.get("hours")) if "hours" in body else None,
            languages=tuple(str(code) for code in _list(body.get("languages"))),
            anonymity=_text(body.get("anonymity")),
            what_happens=_text(body.get("what_happens")),
            source=str(body["source"]),
            verified=verified,
            status=cast(Status, body["status"]),
            example=body.get("example") is True,
            position=self.document.key_at(("services", self.id)),
            source_url=_text(body.get("source_url")),
        )

    def area_codes(self, raw: Iterable[Any]) -> tuple[str, ...]:
        codes: list[str] = []
        for index, value in enumerate(raw):
            code = str(value)
            if code == NATIONAL or code in self.counties or code in self.areas:
                codes.append(code)
                continue
            self.error("unknown-area", self.unknown_area(code), "areas", index)
        return tuple(codes)

    def unknown_area(self, code: str) -> str:
        if code.isdigit():
            return (
                f"no area `{code}` in areas.yaml; write SE (the whole country), a county's "
                "two-digit code or a municipality's four-digit code, in quotes"
            )
        candidates = match_municipality(Directory(self.areas, self.counties, {}), code)
        counties = [a for a in self.counties.values() if a.name.casefold() == code.casefold()]
        hint = ", ".join(f'"{a.code}" ({a.name})' for a in [*counties, *candidates])
        suggestion = f"; did you mean {hint}?" if hint else ""
        return f"`{code}` is not an area code: write SE, a county or municipality code{suggestion}"

    def phones(self, raw: Iterable[Any]) -> tuple[Phone, ...]:
        found: list[Phone] = []
        for index, item in enumerate(raw):
            body = _mapping(item)
            number = _text(body.get("number"))
            if number is None:
                continue
            if not phones.is_valid(number):
                self.error(
                    "bad-phone",
                    f"`{number}` is not a valid Swedish phone number; copy it from the source "
                    'with its area code, "020-100 200"',
                    "phones",
                    index,
                    "number",
                )
                continue
            found.append(Phone(number, _text(body.get("description"))))
        return tuple(found)

    def schedule(self, raw: Any) -> Schedule | None:
        body = _mapping(raw)
        always = body.get("always") is True
        weekly = _list(body.get("weekly"))
        holidays = body.get("public_holidays")
        if always == bool(weekly):
            self.error(
                "bad-hours",
                "write either `always: true` (around the clock) or `weekly:` periods",
                "hours",
            )
            return None
        if weekly and holidays is None:
            self.error(
                "missing-key",
                "`public_holidays` is missing here: closed, open or not_stated (then the "
                "bot treats public holidays as closed)",
                "hours",
            )
        if always and holidays == "closed":
            self.error(
                "bad-hours", "`always: true` and `public_holidays: closed` disagree", "hours"
            )
        if always:
            periods: tuple[Period, ...] = (Period(DAY_GROUPS["every_day"], _MIDNIGHT, _MIDNIGHT),)
        else:
            built = (self.period(item, index) for index, item in enumerate(weekly))
            periods = tuple(period for period in built if period is not None)
        return Schedule(
            periods=periods,
            exceptions=self.exceptions(_list(body.get("exceptions"))),
            closed_on_public_holidays=not always and holidays != "open",
            holidays_stated=holidays != "not_stated",
            note=_text(body.get("note")),
        )

    def hours(self, raw: Mapping[str, Any], *path: str | int) -> tuple[time, time] | None:
        opens, closes = _time(raw.get("opens")), _time(raw.get("closes"))
        if opens is None or closes is None:
            return None  # the schema has said so
        if str(raw.get("opens")) == "24:00":
            self.error("bad-hours", "`opens` cannot be 24:00; write 00:00", *path, "opens")
            return None
        if closes != _MIDNIGHT and closes <= opens:
            self.error(
                "bad-hours",
                f"closes at {raw.get('closes')}, not after it opens at {raw.get('opens')}; "
                "a period past midnight is two periods, the first closing at 24:00",
                *path,
                "closes",
            )
            return None
        return opens, closes

    def period(self, raw: Any, index: int) -> Period | None:
        body = _mapping(raw)
        days = body.get("days")
        if isinstance(days, str):
            weekdays = DAY_GROUPS.get(days)
        else:
            weekdays = frozenset(DAYS.index(d) for d in _list(days) if d in DAYS) or None
        hours = self.hours(body, "hours", "weekly", index)
        if weekdays is None or hours is None:
            return None
        return Period(weekdays, *hours)

    def exceptions(self, raw: Iterable[Any]) -> tuple[ScheduleException, ...]:
        found: list[ScheduleException] = []
        for index, item in enumerate(raw):
            body = _mapping(item)
            day = _date(body.get("date"))
            path = ("hours", "exceptions", index)
            if day is None:
                if "date" in body:
                    self.error("bad-date", f"`{body['date']}` is not a date", *path, "date")
                continue
            closed = body.get("closed") is True
            if closed == ("opens" in body or "closes" in body):
                self.error(
                    "bad-hours",
                    "an exception is either `closed: true` or `opens:` and `closes:`",
                    *path,
                )
                continue
            if closed:
                found.append(ScheduleException(day, True))
            elif hours := self.hours(body, *path):
                found.append(ScheduleException(day, False, *hours))
        return tuple(found)
