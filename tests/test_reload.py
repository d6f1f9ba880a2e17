"""Live reload: a new pack swapped in while people talk, a broken one refused, renames followed.

Each test copies the shipped content/ and locales/ into tmp_path, runs the real aiohttp app
on them, and edits the files there as an editor would.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.reload import ContentHolder, Watcher
from bot.server import ADMIN_RELOAD_PATH, create_app
from bot.settings import Settings
from tests.storage_fixtures import run
from tests.telegram_fixtures import settings as telegram_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "a-long-enough-admin-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOCIAL = "Vad händer om jag kontaktar socialtjänsten?"
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the shipped pack and catalogs; returns its content folder."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    return tmp_path / "content"


def _settings(tmp_path: Path, **changes: Any) -> Settings:
    base = replace(telegram_settings(tmp_path, "http://127.0.0.1:9/bot"), environment={})
    return replace(base, **{"admin_token": TOKEN, "reload": False, **changes})


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), "utf-8")


async def _serve(settings: Settings, holder: ContentHolder, conversation: Any) -> Any:
    app = await create_app(settings, holder)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        return await conversation(client)


async def _session(client: Client) -> str:
    response = await client.post("/api/session", json={})
    return str((await response.json())["session"])


async def _event(client: Client, session: str, **event: Any) -> dict[str, Any]:
    response = await client.post("/api/event", json={"session": session, **event})
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


def _texts(turn: dict[str, Any]) -> str:
    return "\n".join(reply["text"] or "" for reply in turn["replies"])


def _labels(turn: dict[str, Any]) -> list[str]:
    return [button["label"] for reply in turn["replies"] for button in reply["buttons"]]


async def _to_social(client: Client) -> tuple[str, dict[str, Any]]:
    session = await _session(client)
    await _event(client, session, type="start")
    return session, await _event(client, session, type="text", text=SOCIAL)


def test_a_reload_while_a_conversation_is_in_progress_carries_the_person_on(
    pack: Path, tmp_path: Path
) -> None:
    holder = ContentHolder.load(pack)
    before = holder.current().version

    async def conversation(client: Client) -> tuple[Any, ...]:
        session, social = await _to_social(client)
        _edit(pack / "flows/social.yaml", "Välj det du undrar över.", "Välj din fråga.")
        reloaded = await client.post(ADMIN_RELOAD_PATH, headers=AUTH)
        body = await reloaded.json()
        old_button = next(
            b["token"] for r in social["replies"] for b in r["buttons"] if b["kind"] == "option"
        )
        pressed = await _event(client, session, type="choice", token=old_button)
        typed = await _event(client, session, type="text", text="Kan de ta mitt barn?")
        return reloaded.status, body, pressed, typed

    status, body, pressed, typed = run(_serve(_settings(tmp_path), holder, conversation), 20)
    assert status == 200 and body["status"] == "reloaded"
    assert body["previous"] == before and body["version"] == holder.current().version != before
    # The old message's button is recognised as old; the person stays where they were and
    # reads the step as it is now, not the start again.
    assert "från ett äldre meddelande" in _texts(pressed)
    assert "Välj din fråga." in _texts(pressed) and "har uppdaterats" not in _texts(pressed)
    assert "Många föräldrar är rädda" in _texts(typed)


def test_after_a_reload_the_web_answers_carry_the_new_packs_page_words(
    pack: Path, tmp_path: Path
) -> None:
    """The page's words and language menu in every answer are made once per pack and
    language: a reload that changes one is seen in the very next answer."""
    holder = ContentHolder.load(pack)

    async def conversation(client: Client) -> tuple[str, str]:
        session = await _session(client)
        before = await _event(client, session, type="start")
        _edit(pack / "lotsen.yaml", "web_send: Skicka", "web_send: Skicka iväg")
        reloaded = await client.post(ADMIN_RELOAD_PATH, headers=AUTH)
        assert reloaded.status == 200
        after = await _event(client, session, type="start")
        return before["interface"]["web_send"], after["interface"]["web_send"]

    assert run(_serve(_settings(tmp_path), holder, conversation), 20) == ("Skicka", "Skicka iväg")


def test_a_pack_with_errors_is_refused_and_the_old_pack_keeps_answering(
    pack: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = ContentHolder.load(pack)
    before = holder.current().version

    async def conversation(client: Client) -> tuple[Any, ...]:
        session, _ = await _to_social(client)
        _edit(pack / "flows/social.yaml", "goto: ask_support", "goto: ask_suport")
        refused = await client.post(ADMIN_RELOAD_PATH, headers=AUTH)
        typed = await _event(client, session, type="text", text="Kan de ta mitt barn?")
        return refused.status, await refused.json(), typed

    with caplog.at_level(logging.INFO, logger="bot.reload"):
        status, body, typed = run(_serve(_settings(tmp_path), holder, conversation), 20)
    assert status == 422 and body["status"] == "refused" and body["version"] == before
    problem = next(p for p in body["problems"] if p["code"] == "unknown-target")
    assert problem["file"].endswith("social.yaml") and problem["line"] == 19
    assert "did you mean `ask_support`" in problem["message"]
    assert holder.current().version == before
    assert "Många föräldrar är rädda" in _texts(typed)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "flows/social.yaml:19:15: error unknown-target" in logged
    assert "Kan de ta mitt barn" not in logged  # what the person typed is never logged


def test_a_renamed_step_is_followed_through_moved(pack: Path, tmp_path: Path) -> None:
    holder = ContentHolder.load(pack)

    async def conversation(client: Client) -> dict[str, Any]:
        session, _ = await _to_social(client)
        await _event(client, session, type="text", text="Kan de ta mitt barn?")  # social.lvu_fear
        social = pack / "flows/social.yaml"
        social.write_text(social.read_text("utf-8").replace("lvu_fear", "lvu_worry"), "utf-8")
        _edit(pack / "lotsen.yaml", "stale_after_days: 365\n", _MOVED)
        assert (await holder.reload_async()).accepted
        return await _event(client, session, type="text", text="hm")

    after = run(_serve(_settings(tmp_path), holder, conversation), 20)
    # Still at the same step under its new name: its own buttons, no restart.
    assert "har uppdaterats" not in _texts(after)
    assert "Vad är LVU?" in _labels(after)


_MOVED = "stale_after_days: 365\nmoved:\n  social.lvu_fear: social.lvu_worry\n"


def test_a_removed_step_without_moved_restarts_with_a_short_explanation(
    pack: Path, tmp_path: Path
) -> None:
    holder = ContentHolder.load(pack)

    async def conversation(client: Client) -> dict[str, Any]:
        session, _ = await _to_social(client)
        await _event(client, session, type="text", text="Kan de ta mitt barn?")
        social = pack / "flows/social.yaml"
        social.write_text(social.read_text("utf-8").replace("lvu_fear", "lvu_worry"), "utf-8")
        assert (await holder.reload_async()).accepted
        return await _event(client, session, type="text", text="hm")

    after = run(_serve(_settings(tmp_path), holder, conversation), 20)
    assert "Lotsen har uppdaterats" in _texts(after)


def test_the_admin_endpoint_wants_the_token_and_is_absent_without_one(
    pack: Path, tmp_path: Path
) -> None:
    holder = ContentHolder.load(pack)

    async def statuses(client: Client) -> list[int]:
        missing = await client.post(ADMIN_RELOAD_PATH)
        wrong = await client.post(ADMIN_RELOAD_PATH, headers={"Authorization": "Bearer nope"})
        right = await client.post(ADMIN_RELOAD_PATH, headers=AUTH)
        return [missing.status, wrong.status, right.status, (await right.json())["status"]]

    assert run(_serve(_settings(tmp_path), holder, statuses), 20) == [401, 401, 200, "unchanged"]

    async def absent(client: Client) -> int:
        return (await client.post(ADMIN_RELOAD_PATH, headers=AUTH)).status

    assert run(_serve(_settings(tmp_path, admin_token=None), holder, absent), 20) == 404


def test_the_watcher_reloads_once_the_files_have_changed_and_held_still(pack: Path) -> None:
    holder = ContentHolder.load(pack)
    before = holder.current().version

    async def polls() -> list[str | None]:
        watcher = Watcher(holder, interval=0)
        task = asyncio.create_task(watcher.run())
        await asyncio.sleep(0.05)  # it takes its first snapshot
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        seen = [await watcher.poll()]  # nothing changed
        _edit(pack / "flows/social.yaml", "Välj det du undrar över.", "Välj din fråga.")
        seen.append(await watcher.poll())  # changed: wait until it holds still
        seen.append(await watcher.poll())  # still: reload
        seen.append(await watcher.poll())  # loaded already
        return [None if result is None else result.status for result in seen]

    assert run(polls(), 20) == [None, None, "reloaded", None]
    assert holder.current().version != before


def test_sighup_reloads_the_pack(pack: Path, tmp_path: Path) -> None:
    holder = ContentHolder.load(pack)
    before = holder.current().version
    settings = _settings(tmp_path, reload=True, reload_interval=3600.0)

    async def hangup(client: Client) -> str:
        _edit(pack / "flows/social.yaml", "Välj det du undrar över.", "Välj din fråga.")
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):
            if holder.current().version != before:
                break
            await asyncio.sleep(0.05)
        return holder.current().version

    assert run(_serve(settings, holder, hangup), 20) != before
