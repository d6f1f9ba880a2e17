"""``lotsen directory report``: services by age of verification, oldest first.

An editor reads it at the start of a month: *overdue* entries are stale now (the bot shows
them without phone numbers or hours), *due* ones go stale before the month is out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.directory.checks import DEFAULT_MONTHS, due
from bot.directory.model import Directory

State = Literal["overdue", "due", "ok"]


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    status: str
    verified: date
    age_days: int
    due: date
    state: State
    where: str
    source: str


def month_end(today: date) -> date:
    # Without going through the next month's first day, which December 9999 does not have.
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def rows(directory: Directory, today: date, months: int = DEFAULT_MONTHS) -> list[Row]:
    """Every real service, oldest verification first (file order among equals)."""
    result: list[Row] = []
    for service in directory.services.values():
        if service.example:
            continue
        last = due(service, months)
        state: State = "overdue" if last < today else "due" if last < month_end(today) else "ok"
        result.append(
            Row(
                service.id,
                service.name,
                service.status,
                service.verified,
                (today - service.verified).days,
                last,
                state,
                str(service.position) if service.position else "",
                service.source,
            )
        )
    return sorted(result, key=lambda row: row.verified)


_HEADINGS: dict[State, str] = {
    "overdue": "Overdue: stale now, shown without phone numbers and hours",
    "due": "Due this month: check before {end}",
    "ok": "Up to date",
}


def format_report(report: list[Row], today: date, months: int = DEFAULT_MONTHS) -> str:
    """The report as text: a section a state, one line a service."""
    lines = [f"Directory of services on {today.isoformat()} (stale after {months} months)"]
    for state in ("overdue", "due", "ok"):
        chosen = [row for row in report if row.state == state]
        heading = _HEADINGS[state].format(end=(month_end(today)).isoformat())
        lines += ["", f"{heading} ({len(chosen)})"]
        lines += [
            f"  {row.verified.isoformat()}  {row.age_days:>4} days  {row.id}  {row.name}"
            + ("" if row.status == "active" else f"  [{row.status}]")
            + f"\n      {row.where}  source: {row.source}"
            for row in chosen
        ]
    return "\n".join(lines) + "\n"
