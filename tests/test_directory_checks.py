"""Freshness and references: what `validate` says about the directory."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.directory.checks import (
    add_months,
    inactive_references,
    is_fresh,
    stale,
    unknown_references,
)
from bot.directory.model import Directory
from bot.source.position import Position
from tests.directory_fixtures import shipped

FLOW = Position("content/flows/support.yaml", 12, 9)


def with_status(service_id: str, status: str) -> Directory:
    directory = shipped()
    services = dict(directory.services)
    services[service_id] = replace(services[service_id], status=status)  # type: ignore[arg-type]
    return replace(directory, services=services)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 22), 12, date(2027, 11, 22)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_nothing_is_stale_within_twelve_months() -> None:
    assert stale(shipped(), date(2027, 11, 22)) == []


def test_every_shown_service_is_stale_a_day_later_with_its_verified_line() -> None:
    shown = [s for s in shipped().services.values() if not s.example]
    latest = max(s.verified for s in shown)
    problems = stale(shipped(), a_year_after(latest) + timedelta(days=1))
    assert len(problems) == len(shown)
    first = problems[0]
    assert (first.level, first.code) == ("warning", "stale-service")
    assert first.file.endswith(".yaml") and "/directory/services/" in first.file
    lines = (Path(first.file)).read_text("utf-8").splitlines()
    assert lines[first.line - 1][first.column - 1 :].startswith("verified:")
    verified = lines[first.line - 1].split(":", 1)[1].strip()
    assert verified in first.message and "12 months" in first.message


def a_year_after(day: date) -> date:
    return day.replace(year=day.year + 1)


def test_the_number_of_months_is_configurable() -> None:
    assert stale(shipped(), date(2027, 1, 1), months=1) != []
    assert stale(shipped(), date(2027, 1, 1), months=2) == []


def test_inactive_services_and_examples_are_not_reported_stale() -> None:
    directory = with_status("exit", "inactive")
    ids = [p.message.split("`")[1] for p in stale(directory, date(2030, 1, 1))]
    assert "exit" not in ids and "exempelkommunen_anhorigstod" not in ids
    assert "orostelefonen" in ids


def test_fresh_means_verified_at_most_months_ago() -> None:
    service = shipped().services["orostelefonen"]
    assert is_fresh(service, a_year_after(service.verified))
    assert not is_fresh(service, a_year_after(service.verified) + timedelta(days=1))


def test_a_flow_naming_an_inactive_service_is_an_error_at_the_flow() -> None:
    problems = inactive_references(
        with_status("orostelefonen", "inactive"), {"orostelefonen": FLOW}
    )
    assert [(p.file, p.line, p.column, p.level, p.code) for p in problems] == [
        (FLOW.file, 12, 9, "error", "inactive-service")
    ]
    assert "national.yaml" in problems[0].message


def test_a_temporarily_closed_service_is_a_warning() -> None:
    problems = inactive_references(with_status("bris", "temporarily_closed"), {"bris": FLOW})
    assert [(p.level, p.code) for p in problems] == [("warning", "closed-service")]


def test_active_and_unknown_services_are_not_inactive_problems() -> None:
    assert inactive_references(shipped(), {"orostelefonen": FLOW, "nope": FLOW}) == []


def test_a_flow_naming_an_unknown_service_gets_a_did_you_mean() -> None:
    problems = unknown_references(shipped(), {"orostelefon": FLOW, "bris": FLOW})
    assert [(p.line, p.column, p.level, p.code) for p in problems] == [
        (12, 9, "error", "unknown-service")
    ]
    assert "did you mean `orostelefonen`" in problems[0].message


def test_a_flow_naming_the_example_is_an_error() -> None:
    problems = unknown_references(shipped(), {"exempelkommunen_anhorigstod": FLOW})
    assert [p.code for p in problems] == ["example-service"]
