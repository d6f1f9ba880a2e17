from __future__ import annotations

import argparse
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import PurgeResult, Usage, UsageCount, run_purge_periodically
from bot.storage.commands import cmd_purge, cmd_stats
from bot.storage.stats import format_report, shown
from tests.storage_fixtures import T0, Clock, open_store, run, session

DAY = date(2026, 1, 15)


def _count(step: str, count: int, *, ended: bool = False, day: date = DAY) -> UsageCount:
    flow, _, step_id = step.partition(".")
    return UsageCount(Usage(day, flow, step_id, "sv", "telegram"), ended, count)


@pytest.mark.parametrize(("count", "text"), [(0, "<5"), (1, "<5"), (4, "<5"), (5, "5"), (12, "12")])
def test_counts_under_5_are_shown_as_under_5(count: int, text: str) -> None:
    assert shown(count) == text


def test_the_report_is_a_table_of_steps_reached_and_ended() -> None:
    counts = [
        _count("home.welcome", 30),
        _count("home.welcome", 10),  # another locale or channel: summed
        _count("home.menu", 12),
        _count("home.menu", 6, ended=True),
        _count("home.age", 3),
        _count("social.intro", 7),
        _count("social.intro", 2, ended=True),
        _count("social.old", 99, day=DAY - timedelta(days=40)),  # before the period
    ]
    report = format_report(counts, since=DAY - timedelta(days=29), until=DAY)
    assert report.splitlines() == [
        "Usage 2025-12-17 to 2026-01-15; counts under 5 as <5.",
        "",
        "flow    step     reached  ended here",
        "home    welcome       40          <5",
        "home    menu          12           6",
        "home    age           <5          <5",
        "social  intro          7          <5",
    ]


def test_steps_under_5_are_listed_by_name_not_by_their_hidden_counts() -> None:
    counts = [_count("home.b", 4), _count("home.a", 1), _count("home.c", 3)]
    report = format_report(counts, since=DAY, until=DAY)
    assert [line.split()[1] for line in report.splitlines()[3:]] == ["a", "b", "c"]


def test_an_empty_report_says_so() -> None:
    assert format_report([], since=DAY, until=DAY).endswith("Nothing counted.")


def _args(path: Path, **more: object) -> argparse.Namespace:
    return argparse.Namespace(database=str(path), **more)


def test_lotsen_stats_reports_the_days_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "db"

    async def fill() -> None:
        async with await open_store(path) as store:
            for day, times in [
                (DAY, 6),
                (DAY - timedelta(days=6), 1),
                (DAY - timedelta(days=7), 9),
            ]:
                for _ in range(times):
                    async with store.conversation("k" * 64, "web") as conv:
                        await conv.count(Usage(day, "home", "menu", "sv", "web"))

    run(fill())
    assert cmd_stats(_args(path, since=7, today=DAY)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage 2026-01-09 to 2026-01-15")
    assert out.splitlines()[-1].split() == ["home", "menu", "7", "<5"]


def test_lotsen_stats_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_stats(_args(tmp_path / "none", since=None)) == 1
    assert "no database yet" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


def test_lotsen_stats_refuses_a_period_under_a_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--database", str(tmp_path / "db"), "--since", "0"])
    assert exited.value.code == 2
    assert "argument --since: '0' is not a whole number of days" in capsys.readouterr().err


def test_lotsen_purge_deletes_what_has_expired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTSEN_SESSION_TTL", "3600")
    path = tmp_path / "db"
    now = datetime.now(UTC)

    async def fill() -> None:
        async with await open_store(path) as store:
            for key, idle in [("a" * 64, timedelta(hours=2)), ("b" * 64, timedelta(minutes=5))]:
                async with store.conversation(key, "web") as conv:
                    await conv.save(session(at=now - idle))

    run(fill())
    assert cmd_purge(_args(path)) == 0
    assert capsys.readouterr().out.strip() == (
        "purged 1 session(s), 0 message id(s), 0 update id(s)"
    )


class _FlakyStore:
    """Purges fail the first time, then report one session."""

    def __init__(self) -> None:
        self.calls: list[datetime] = []

    async def purge(self, now: datetime) -> PurgeResult:
        self.calls.append(now)
        if len(self.calls) == 1:
            raise OSError("disk full")
        return PurgeResult(sessions=1)


class _Stop(Exception):
    pass


def test_the_purge_task_keeps_going_after_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    store = _FlakyStore()
    clock = Clock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)
        if len(slept) == 3:
            raise _Stop

    with caplog.at_level(logging.INFO), pytest.raises(_Stop):
        run(run_purge_periodically(store, clock, 60.0, sleep=sleep))  # type: ignore[arg-type]
    assert store.calls == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=120)]
    assert slept == [60.0, 60.0, 60.0]
    assert "purge failed: OSError" in caplog.text
    assert "disk full" not in caplog.text  # error classes only, never messages
    assert "purged 1 session(s)" in caplog.text
