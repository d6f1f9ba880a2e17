"""A process killed with SIGKILL mid-write loses nothing it had committed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from tests.storage_fixtures import open_store, run

ROOT = Path(__file__).resolve().parent.parent

# Writes sessions in a loop and prints each key once its transaction has committed.
WRITER = """
import asyncio, sys
from datetime import UTC, datetime
from bot.engine.session import Session
from bot.storage import Usage
from bot.storage.sqlite import SqliteStore

async def main(path):
    store = await SqliteStore.open(path)
    index = 0
    while True:
        key = f"{index:064x}"
        now = datetime.now(UTC)
        session = Session(step="home.menu", version="v1", started=now, updated=now,
                          variables={"n": str(index), "pad": "x" * 2000})
        async with store.conversation(key, "crash") as conv:
            await conv.seen_update(str(index))
            await conv.save(session)
            await conv.count(Usage.of(session, channel="crash", day=now.date()))
        print(key, flush=True)
        index += 1

asyncio.run(main(sys.argv[1]))
"""

WANTED = 200  # committed sessions to see before the kill
DEADLINE = 4.0  # seconds; the watchdog kills the writer regardless after this


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_mid_run_loses_no_committed_session(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(DEADLINE, writer.kill)
    watchdog.start()
    reported: list[str] = []
    try:
        assert writer.stdout is not None
        started = time.monotonic()
        while len(reported) < WANTED and time.monotonic() - started < DEADLINE:
            line = writer.stdout.readline()
            if not line:
                break
            reported.append(line.strip())
        os.kill(writer.pid, signal.SIGKILL)  # while it is writing the next ones
        rest, errors = writer.communicate(timeout=2)
    finally:
        watchdog.cancel()
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    reported += rest.split()
    assert writer.returncode == -signal.SIGKILL, errors
    assert len(reported) >= WANTED, errors

    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = dict(db.execute("SELECT key, data FROM sessions"))
    for key in reported:
        assert json.loads(stored[key])["variables"]["n"] == str(int(key, 16))

    async def reopen() -> None:  # and the store itself opens it and reads it
        async with await open_store(path) as store, store.conversation(reported[-1], "crash") as c:
            assert c.session is not None

    run(reopen())
