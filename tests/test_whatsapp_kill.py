"""Kill -9 of the server between a WhatsApp turn's commit and its replies, and a restart.

``lotsen serve`` runs as a process of its own with WhatsApp on, against the fake Graph API in
this process. The fake holds the turn's read receipt (the first Graph API call, made once the
turn has committed) while the test kills the server; the webhook request then fails, as Meta
sees it, and Meta delivers the same webhook again to the restarted server. The person must
get the turn's replies exactly once, in order, and the turn must count once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bot.channels.whatsapp_render import render
from bot.channels.whatsapp_transport import payload
from bot.engine import Text, step
from bot.i18n.renderer import renderer_for
from bot.pack.loader import load_pack
from tests.fake_graph_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraphApi,
    encoded,
    signed,
    text_message,
    webhook,
)
from tests.packs import write_pack
from tests.serve_process import free_port, healthy, query, serve
from tests.storage_fixtures import T0, run
from tests.test_validate_words import catalog
from tests.whatsapp_fixtures import WA_ID

SECRET_KEY = "kill-test-0123456789abcdef0123456789abcdef"
DEADLINE = 12.0
# An English catalog: two languages, so a new person is also offered them (three messages).
ENGLISH = {"Välkommen.": "Welcome.", "Vad vill du veta?": "What do you want to know?"}


def _server(
    tmp_path: Path, content: Path, base_url: str, port: int, log: str
) -> subprocess.Popen[bytes]:
    env = {
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_BASE_URL": base_url,
        "LOTSEN_DATABASE": str(tmp_path / "lotsen.sqlite3"),
        "LOTSEN_SECRET_KEY": SECRET_KEY,
        "LOTSEN_CONTENT": str(content),
        "LOTSEN_MIN_LANGUAGE_COVERAGE": "0",
        "LOTSEN_RELOAD": "false",
        "PORT": str(port),
    }
    return serve(tmp_path, env, log)


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def _post(http: aiohttp.ClientSession, port: int, body: bytes) -> int:
    url = f"http://127.0.0.1:{port}/whatsapp/webhook"
    async with http.post(url, data=body, headers=signed(body)) as response:
        await response.read()
        return response.status


def _expected(content_dir: Path) -> list[dict[str, Any]]:
    """What an uninterrupted run sends for the person's first "Hej"."""
    content = load_pack(content_dir, min_coverage=0).content
    assert content is not None
    turn = step(content, None, Text("Hej"), T0)
    assert turn.session is not None
    renderer = renderer_for(content, turn.session.locale)
    return [payload(WA_ID, message) for message in render(turn.replies, renderer)]


def test_kill_9_after_the_commit_sends_the_turns_replies_once_after_the_restart(
    tmp_path: Path,
) -> None:
    content = write_pack(tmp_path / "content")
    catalog(tmp_path, "en", ENGLISH)  # beside the pack, as locales/ is beside content/
    database = tmp_path / "lotsen.sqlite3"
    fake = FakeGraphApi()
    body = encoded(webhook(text_message(WA_ID, "Hej")))
    outcomes: dict[str, object] = {}

    async def main() -> None:
        fake.hold_reads = asyncio.Event()
        base_url = await fake.start()
        port = free_port()
        first = _server(tmp_path, content, base_url, port, "first.log")
        second: subprocess.Popen[bytes] | None = None
        try:
            async with aiohttp.ClientSession() as http:
                await healthy(http, port, first)
                posting = asyncio.create_task(_post(http, port, body))
                await _until(lambda: bool(fake.held))
                # The read receipt comes after the commit: the turn and what it owes are in
                # the database, and nothing has been sent yet.
                outcomes["owed before the kill"] = query(database, "SELECT count(*) FROM owed")
                outcomes["sent before the kill"] = list(fake.sends)
                os.kill(first.pid, signal.SIGKILL)
                first.wait()
                try:
                    outcomes["first answer"] = await posting
                except aiohttp.ClientError as exc:
                    outcomes["first answer"] = type(exc).__name__
                fake.hold_reads.set()  # read receipts pass from now on
                second = _server(tmp_path, content, base_url, port, "second.log")
                await healthy(http, port, second)
                outcomes["second answer"] = await _post(http, port, body)
                outcomes["third answer"] = await _post(http, port, body)
        finally:
            if fake.hold_reads is not None:
                fake.hold_reads.set()
            for server in (first, second):
                if server is not None and server.poll() is None:
                    server.terminate()
                    server.wait(timeout=10)
            await fake.close()

    run(main(), timeout=DEADLINE)

    expected = _expected(content)
    assert len(expected) == 2  # the start (its texts with its choices), the languages
    assert outcomes["owed before the kill"] == [(1,)]
    assert outcomes["sent before the kill"] == []
    assert outcomes["first answer"] != 200, "the webhook must fail when the server dies"
    assert outcomes["second answer"] == 200
    assert outcomes["third answer"] == 200  # a later redelivery is a plain duplicate
    # Exactly once, in order, as an uninterrupted run sends them.
    assert fake.sends == expected
    # The turn has its effect once: one session, one counted arrival, one update, and
    # nothing owed any more.
    assert query(database, "SELECT count(*) FROM sessions") == [(1,)]
    assert query(database, "SELECT sum(count) FROM usage") == [(1,)]
    assert query(database, "SELECT count(*) FROM processed_updates") == [(1,)]
    assert query(database, "SELECT count(*) FROM owed") == [(0,)]
