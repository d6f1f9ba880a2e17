"""A real ``lotsen serve`` in a process of its own, for the kill -9 tests.

port = free_port()
server = serve(tmp_path, {"TELEGRAM_BOT_TOKEN": ..., "PORT": str(port)}, "first.log")
await healthy(http, port, server)
server.send_signal(signal.SIGKILL)
rows = query(tmp_path / "lotsen.sqlite3", "SELECT count(*) FROM usage")

and :func:`explain_replies`, which says whether what a chat received is every update's
replies in order, allowing only the repeat an update in flight at the kill may cause.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(tmp_path: Path, env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
    """``python -m bot serve`` with ``env`` over this process's environment, less any
    channel or Lotsen setting of the caller's own (none leaks into the server)."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LOTSEN_", "TELEGRAM_", "WHATSAPP_"))
    }
    with open(tmp_path / log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=tmp_path,
            env={**inherited, "HOST": "127.0.0.1", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def healthy(http: aiohttp.ClientSession, port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the server answers ``/healthz``; fails when it exits first."""
    while True:
        assert server.poll() is None, "the server exited"
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def explain_replies(
    sent: list[str], expected: list[list[str]], flight: list[bool], position: int = 0
) -> list[int] | None:
    """How ``sent`` is every update's replies (``expected``) in order, where an update in
    flight at the kill may have sent its first k replies before it (all of them, even: the
    kill came before its 200) and then all of them again: each update's k (0: sent once),
    or None when ``sent`` is not that."""
    if not expected:
        return [] if position == len(sent) else None
    want, rest = expected[0], expected[1:]
    for k in range(len(want) + 1) if flight[0] else (0,):
        before = sent[position : position + k] == want[:k]
        after = sent[position + k : position + k + len(want)] == want
        if before and after:
            found = explain_replies(sent, rest, flight[1:], position + k + len(want))
            if found is not None:
                return [k, *found]
    return None
