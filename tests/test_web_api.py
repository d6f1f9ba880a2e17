"""The web chat's JSON API, in-process against a real SQLite store: what goes in and out,
what is refused, and what is never kept."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.channels.web import SESSION_PATTERN
from bot.channels.web_limits import WebLimits
from bot.channels.web_settings import WebSettings
from bot.engine import tokens
from tests.engine_fixtures import CONTENT, option
from tests.storage_fixtures import Clock, count_trips, raw_bytes, run, tables
from tests.web_fixtures import with_client

Client = TestClient[web.Request, web.Application]
SAME_ORIGIN: dict[str, str] = {}  # aiohttp's test client sends no Origin, as a server would


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run(tmp_path: Path, test: Any, **kwargs: Any) -> Any:
    return run(with_client(tmp_path / "db", CONTENT, test, clock=Clock(), **kwargs), timeout=10)


async def _session(client: Client) -> str:
    response = await client.post("/api/session", json={})
    assert response.status == 201
    data = await response.json()
    return str(data["session"])


async def _event(client: Client, session: str, **event: Any) -> dict[str, Any]:
    response = await client.post("/api/event", json={"session": session, **event})
    assert response.status == 200, await response.text()
    data: dict[str, Any] = await response.json()
    return data


def _texts(data: dict[str, Any]) -> list[str]:
    return [reply["text"] for reply in data["replies"]]


def _labels(data: dict[str, Any]) -> list[str]:
    return [button["label"] for reply in data["replies"] for button in reply["buttons"]]


# --- a conversation ------------------------------------------------------------------------


def test_a_session_is_a_random_token_and_no_cookie(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        first = await client.post("/api/session", json={})
        second = await client.post("/api/session", json={})
        tokens_ = {(await r.json())["session"] for r in (first, second)}
        assert len(tokens_) == 2
        assert all(SESSION_PATTERN.fullmatch(token) for token in tokens_)
        assert "Set-Cookie" not in first.headers
        assert (await first.json())["exit_url"] == "https://www.wikipedia.org/"

    _run(tmp_path, test)


def test_start_renders_text_buttons_and_the_page_words_on_the_server(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        data = await _event(client, await _session(client), type="start", locale_hint="sv-SE")
        assert _texts(data) == ["Hej! Jag är Lotsen.", "Jag är inte polisen."]
        assert _labels(data) == ["Börja", "Ring 112", "Meny", "Glöm mig"]
        nav = data["replies"][-1]["buttons"][1]
        assert nav == {
            "token": "n.emergency",
            "label": "Ring 112",
            "kind": "nav",
            "action": "emergency",
        }
        assert (data["locale"], data["lang"], data["dir"]) == ("sv", "sv", "ltr")
        assert data["language_name"] == "Svenska"
        assert [lang["name"] for lang in data["languages"]] == ["Svenska", "العربية", "English"]
        assert data["interface"]["web_quick_exit"] == "Lämna sidan snabbt"
        assert data["forgotten"] is False

    _run(tmp_path, test)


def test_options_lead_on_and_contact_cards_carry_safe_links(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        await _event(client, session, type="choice", token=option("home.welcome", 0))
        data = await _event(client, session, type="choice", token=option("home.menu", 4))
        fresh, stale = data["replies"][-1]["cards"]
        assert fresh["name"] == "Orostelefonen"
        links = {fact["kind"]: fact.get("href") for fact in fresh["facts"]}
        assert links["phone"] == "tel:+4620100200"
        assert links["web"] == "https://www.raddabarnen.se"
        assert links["source"] is None
        # A card too old to state its number shows no phone and no tel: link.
        assert [fact["kind"] for fact in stale["facts"]] == ["unverified", "web", "source"]

    _run(tmp_path, test)


def test_choosing_arabic_turns_the_page_right_to_left(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        data = await _event(client, session, type="choice", token=tokens.language_token("ar"))
        assert (data["locale"], data["lang"], data["dir"]) == ("ar", "ar", "rtl")
        assert data["language_name"] == "العربية"

    _run(tmp_path, test)


def test_typed_words_and_commands_reach_the_engine(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        urgent = await _event(client, session, type="text", text="Det är akut!")
        assert _texts(urgent) == ["Ring 112 om någon är i fara."]
        menu = await _event(client, session, type="command", name="/MENU")
        assert _texts(menu) == ["Vad vill du veta?"]

    _run(tmp_path, test)


def test_forget_deletes_the_session_and_says_so_when_pressed(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        assert len(tables(tmp_path / "db")["sessions"]) == 1
        data = await _event(client, session, type="choice", token="n.forget")
        assert data["forgotten"] is True
        assert _texts(data) == ["Allt om dig är raderat."]
        assert tables(tmp_path / "db")["sessions"] == []

    _run(tmp_path, test)


def test_the_quick_exits_forget_call_deletes_the_session(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        # As navigator.sendBeacon sends it: text/plain.
        body = json.dumps({"session": session})
        response = await client.post(
            "/api/forget", data=body, headers={"Content-Type": "text/plain;charset=UTF-8"}
        )
        assert response.status == 204
        assert tables(tmp_path / "db")["sessions"] == []
        # Forgetting a session that is already gone is no error.
        again = await client.post("/api/forget", json={"session": session})
        assert again.status == 204

    _run(tmp_path, test)


def test_typed_text_is_neither_stored_nor_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Distinctive enough never to turn up by chance (a bare "4711" can be part of a port
    # number or a timing in the log).
    secret_words = "Min son Kalle Svensson KS4711 har ändrat sig"

    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start")
        await _event(client, session, type="choice", token=option("home.welcome", 0))
        await _event(client, session, type="choice", token=option("home.menu", 2))
        await _event(client, session, type="text", text=secret_words)
        await _event(client, session, type="text", text="Kalle Svensson KS4711")

    with caplog.at_level(logging.DEBUG):
        _run(tmp_path, test)
    database = raw_bytes(tmp_path / "db")
    for needle in ("Kalle", "Svensson", "KS4711"):
        assert needle not in caplog.text
        assert needle.encode() not in database


# --- security ------------------------------------------------------------------------------


def test_every_response_carries_the_security_headers_and_no_cookie(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        responses = [
            await client.get("/"),
            await client.get("/static/chat.js"),
            await client.get("/static/nothing.js"),
            await client.post("/api/event", json={"session": session, "type": "start"}),
            await client.post("/api/event", json={"session": "short", "type": "start"}),
        ]
        for response in responses:
            headers = response.headers
            csp = headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "no-referrer"
            assert headers["X-Frame-Options"] == "DENY"
            assert headers["Cache-Control"] == "no-store"
            assert "Set-Cookie" not in headers
        assert [r.status for r in responses] == [200, 200, 404, 200, 400]

    _run(tmp_path, test)


def test_embedding_origins_are_configurable(tmp_path: Path) -> None:
    settings = WebSettings(frame_ancestors="'self' https://kommun.example.se")

    async def test(client: Client) -> None:
        response = await client.get("/")
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://kommun.example.se" in csp
        # X-Frame-Options cannot name an origin: with one allowed, it must be absent.
        assert "X-Frame-Options" not in response.headers

    _run(tmp_path, test, settings=settings)


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (None, 201),  # not a browser
        ("http://{host}", 201),  # the page itself
        ("https://other.example", 403),
        ("null", 403),  # a sandboxed frame or a file
        ("http://{host}.evil.example", 403),
    ],
)
def test_state_changing_requests_check_the_origin(
    tmp_path: Path, origin: str | None, status: int
) -> None:
    async def test(client: Client) -> None:
        host = f"{client.server.host}:{client.server.port}"
        headers = {} if origin is None else {"Origin": origin.format(host=host)}
        response = await client.post("/api/session", json={}, headers=headers)
        assert response.status == status
        session = await _session(client)
        for path in ("/api/event", "/api/forget"):
            body = {"session": session, "type": "start"}
            answer = await client.post(path, json=body, headers=headers)
            assert (answer.status == 403) == (status == 403)

    _run(tmp_path, test)


def test_an_allowed_origin_gets_cors_and_others_none(tmp_path: Path) -> None:
    settings = WebSettings(allowed_origins=frozenset({"https://kommun.example.se"}))

    async def test(client: Client) -> None:
        allowed = {"Origin": "https://kommun.example.se"}
        preflight = await client.options("/api/event", headers=allowed)
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == "https://kommun.example.se"
        response = await client.post("/api/session", json={}, headers=allowed)
        assert response.status == 201
        assert response.headers["Access-Control-Allow-Origin"] == "https://kommun.example.se"
        other = await client.options("/api/event", headers={"Origin": "https://x.example"})
        assert other.status == 403
        assert "Access-Control-Allow-Origin" not in other.headers

    _run(tmp_path, test, settings=settings)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"session": None, "type": "start"}, "bad_session"),
        ({"session": "x" * 42, "type": "start"}, "bad_session"),
        ({"session": "<script>" + "x" * 35, "type": "start"}, "bad_session"),
        ({"type": "dance"}, "bad_type"),
        ({"type": "choice"}, "bad_token"),
        ({"type": "choice", "token": "n." + "x" * 70}, "token_too_long"),
        ({"type": "text", "text": 4711}, "bad_text"),
        ({"type": "text", "text": "   "}, "bad_text"),
        ({"type": "text", "text": "a" * 1001}, "text_too_long"),
        ({"type": "command"}, "bad_name"),
        ({"type": "start", "locale_hint": "x" * 201}, "locale_hint_too_long"),
    ],
)
def test_malformed_events_are_refused_with_a_reason(
    tmp_path: Path, body: dict[str, Any], error: str
) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        payload = {"session": session, **body}
        response = await client.post("/api/event", json=payload)
        assert response.status == 400
        assert (await response.json()) == {"error": error}

    _run(tmp_path, test)


def test_bodies_are_size_limited_and_must_be_json_objects(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        big = b'{"text": "' + b"a" * 5000 + b'"}'
        assert (await client.post("/api/event", data=big)).status == 413

        async def chunks() -> Any:  # no Content-Length: the limit holds while reading
            for _ in range(10):
                yield b"a" * 1000

        assert (await client.post("/api/event", data=chunks())).status == 413
        assert (await client.post("/api/event", data=b"[1, 2]")).status == 400
        assert (await client.post("/api/event", data=b"{nope")).status == 400
        assert (await client.post("/api/event", data=b"\xff\xfe")).status == 400

    _run(tmp_path, test)


def test_sessions_are_rate_limited_per_session_and_per_client(tmp_path: Path) -> None:
    time = FakeTime()
    limits = WebLimits(clock=time)

    async def test(client: Client) -> None:
        session = await _session(client)
        statuses = [
            (await client.post("/api/event", json={"session": session, "type": "start"})).status
            for _ in range(25)
        ]
        assert statuses.count(200) == 20 and statuses[-1] == 429
        limited = await client.post("/api/event", json={"session": session, "type": "start"})
        assert limited.headers["Retry-After"] == "1"
        assert (await limited.json()) == {"error": "rate_limited"}
        # Another session from the same address is not held back by this one's limit.
        other = await _session(client)
        assert (
            await client.post("/api/event", json={"session": other, "type": "start"})
        ).status == 200
        time.now += 5
        assert (
            await client.post("/api/event", json={"session": session, "type": "start"})
        ).status == 200
        # New sessions per client address.
        made = [(await client.post("/api/session", json={})).status for _ in range(40)]
        assert 429 in made
        # The quick exit is not blocked by the event limits.
        assert (await client.post("/api/forget", json={"session": session})).status == 204

    _run(tmp_path, test, limits=limits)
    kept = " ".join(
        [*limits.client_events._buckets, *limits.client_sessions._buckets, *limits.events._buckets]
    )
    assert "127.0.0.1" not in kept
    assert not re.search(r"\d+\.\d+\.\d+\.\d+", kept)


# --- a retried event -----------------------------------------------------------------------


def _turns_counted(database: Path) -> int:
    return sum(row[-1] for row in tables(database)["usage"])


def test_a_retried_event_is_answered_once_with_the_answer_it_had(tmp_path: Path) -> None:
    database = tmp_path / "db"

    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start", id="s1")
        press = {"type": "choice", "token": option("home.welcome", 0), "id": "k3J9x_Qa2mZp0bNc"}
        first = await _event(client, session, **press)
        stored = tables(database)["sessions"]
        # The page lost the answer and sends the same event again, with the same id.
        again = await _event(client, session, **press)
        assert again == first and _texts(first) == ["Vad vill du veta?"]
        assert tables(database)["sessions"] == stored  # the step did not move on twice
        assert _turns_counted(database) == 2  # start and the press: the retry is no turn
        # Without an id, the same body is another event: the old button is stale by now.
        other = await _event(client, session, type="choice", token=press["token"])
        assert _texts(other)[0] == "Den knappen är gammal."
        assert _turns_counted(database) == 3
        # An answer is kept only until the session's next event: the page has had it then.
        assert tables(database)["owed"] == []

    _run(tmp_path, test)


def test_the_previous_answer_is_settled_in_the_next_events_own_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event is two trips to the database (read, commit), dropping the answer kept for the
    session's previous event in the same commit; a commit of its own cost a third."""
    database = tmp_path / "db"

    async def test(client: Client) -> list[str]:
        session = await _session(client)
        await _event(client, session, type="start", id="e1")
        assert len(tables(database)["owed"]) == 1
        trips = count_trips(monkeypatch)
        await _event(client, session, type="choice", token=option("home.welcome", 0), id="e2")
        assert len(tables(database)["owed"]) == 1  # e2's answer; e1's went in e2's commit
        return list(trips)

    assert _run(tmp_path, test) == ["load_turn", "commit_group"]


def test_answers_kept_by_overlapping_events_are_all_settled(tmp_path: Path) -> None:
    """A client that does not wait for its answers (the page does): every answer but the
    last is still dropped, and a forget drops that one."""
    database = tmp_path / "db"

    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start", id="e0")
        presses = [
            _event(client, session, type="text", text="hjälp", id=f"e{number}")
            for number in range(1, 6)
        ]
        await asyncio.gather(*presses)
        assert len(tables(database)["owed"]) == 1
        forget = {"session": session, "type": "command", "name": "forget"}
        assert (await client.post("/api/event", json=forget)).status == 200
        assert tables(database)["owed"] == []

    _run(tmp_path, test)


def test_an_event_id_belongs_to_its_session_and_keeps_nothing_that_names_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db"

    async def test(client: Client) -> None:
        mine, theirs = await _session(client), await _session(client)
        await _event(client, mine, type="start", id="same-id")
        data = await _event(client, theirs, type="start", id="same-id", locale_hint="en")
        assert data["locale"] == "en"  # a turn of its own, not the other session's answer
        assert _turns_counted(database) == 2
        stored = raw_bytes(database)
        for needle in (mine, theirs, "same-id"):
            assert needle.encode() not in stored

    _run(tmp_path, test)


@pytest.mark.parametrize("bad", [4711, "", "has space", "x" * 65, "<b>"])
def test_a_malformed_event_id_is_refused(tmp_path: Path, bad: object) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        body = {"session": session, "type": "start", "id": bad}
        response = await client.post("/api/event", json=body)
        assert response.status == 400
        assert (await response.json())["error"] in ("bad_id", "id_too_long")

    _run(tmp_path, test)


def test_a_retry_after_a_forget_is_told_the_session_is_gone(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        session = await _session(client)
        await _event(client, session, type="start", id="s1")
        forget = {"session": session, "type": "choice", "token": "n.forget", "id": "f1"}
        assert (await client.post("/api/event", json=forget)).status == 200
        retried = await client.post("/api/event", json=forget)
        assert retried.status == 401 and (await retried.json()) == {"error": "bad_session"}
        assert tables(tmp_path / "db")["owed"] == []  # nothing kept for someone forgotten

    _run(tmp_path, test)


def test_the_page_and_its_script_and_style_travel_compressed(tmp_path: Path) -> None:
    async def test(client: Client) -> None:
        gzip_ok = {"Accept-Encoding": "gzip"}
        for path in ("/", "/static/chat.js", "/static/chat.css", "/static/early.js"):
            packed = await client.get(path, headers=gzip_ok)
            assert packed.headers.get("Content-Encoding") == "gzip", path
            assert "Accept-Encoding" in packed.headers.get("Vary", ""), path
            plain = await client.get(path, headers={"Accept-Encoding": "identity"})
            assert "Content-Encoding" not in plain.headers, path
            assert await packed.read() == await plain.read(), path  # the same text, unpacked

    _run(tmp_path, test)
