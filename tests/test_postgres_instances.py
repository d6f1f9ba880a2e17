"""Three ``lotsen serve`` processes on one PostgreSQL database, one killed -9 under load.

The test is a load balancer in front of three instances that share one fresh schema: web
chat events and Telegram updates go round-robin, each request to the next instance, and a
request that finds its instance down (or is answered 5xx) goes to the next one, the web
client's with the same event id, Telegram's as the same update. A third of the way in, the
instance with the most requests in flight is killed with SIGKILL; the other two carry on.
The same scripts run against one SQLite instance, the reference. Then:

- every conversation got what the SQLite instance gives for the same inputs: on the web each
  event's answer as the client finally got it; on Telegram each update's replies, where an
  update in flight at the kill may have sent part of them before it and all of them again
  after (as in ``test_reliability_kill``);
- every acknowledged turn has its effect exactly once: ``usage`` counts as many turns, step
  by step, as on SQLite;
- a Telegram update (and a web event) given to two instances at the same moment is answered
  once;
- neither the database nor any instance's log holds a chat id, a session token or a typed
  word.

A second test: a forget on one instance is everything's end on the others, and Telegram's
deletes the messages every instance sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

from bot.channels.telegram import SECRET_HEADER, WEBHOOK_PATH
from tests.fake_bot_api import FakeBotApi
from tests.postgres_fixtures import SERVER, drop, dump, fresh_database, schema_of
from tests.serve_process import explain_replies, free_port, healthy, query, serve
from tests.storage_fixtures import run
from tests.telegram_fixtures import TOKEN, WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "instances-test-0123456789abcdef0123456789abcdef"
MARKER = "Zebra-Marker-5521"
TYPED = f"Min bror skrev {MARKER} i chatten"
LANGUAGES = ("sv", "en", "ar")
CHATS = [731_946_205 + 7_919 * index for index in range(6)]
TWIN_CHATS = [731_999_901, 731_999_977]  # each gets one update, at two instances at once
TELEGRAM_SCRIPT = ["/start", "/112", TYPED, "/menu", "/privacy"]
WEB_SESSIONS = 6
TELEGRAM_HEADERS = {SECRET_HEADER: WEBHOOK_SECRET}
DEADLINE = 40.0  # a hang guard; the test takes a fraction of it

Answer = list[dict[str, Any]]  # an event's replies, as the web API gives them


def _web_script(index: int) -> list[tuple[str, Any]]:
    """Session ``index``'s events: ``("choice", n)`` takes the n-th button (modulo their
    number, forget left out) of the previous answer."""
    return [
        ("start", None),
        ("choice", index),
        ("choice", index + 1),
        ("text", TYPED),
        ("choice", 0),
        ("command", "menu"),
        ("choice", index + 2),
    ]


def _event(step: tuple[str, Any], previous: Answer | None) -> dict[str, Any]:
    kind, value = step
    if kind == "choice":
        assert previous is not None
        buttons = [
            button
            for reply in previous
            for button in reply["buttons"]
            if button["token"] != "n.forget"
        ]
        return {"type": "choice", "token": buttons[value % len(buttons)]["token"]}
    if kind == "text":
        return {"type": "text", "text": value}
    if kind == "command":
        return {"type": "command", "name": value}
    return {"type": "start"}


# --- the load balancer ---------------------------------------------------------------------


@dataclass
class Request:
    """One web event or Telegram update, however many times it is sent."""

    started: bool = False
    answered: bool = False
    at: int | None = None  # the instance it is at now, waiting for the answer


@dataclass
class Balancer:
    """Round-robin over ``ports``, to the next one while an instance is down or fails."""

    ports: list[int]
    total: int = 0  # requests (events and updates) in the whole load
    turn: int = 0
    answered: int = 0
    failures: list[int] = field(default_factory=list)  # 5xx statuses seen
    cut: list[str] = field(default_factory=list)  # paths of requests the kill cut off
    in_flight: list[int] = field(default_factory=list)
    third: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.in_flight = [0] * len(self.ports)

    async def post(
        self,
        http: aiohttp.ClientSession,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
        request: Request | None = None,
        *,
        web: bool = False,
    ) -> tuple[int, bytes]:
        if request is not None:
            request.started = True
        while True:
            index = self.turn % len(self.ports)
            self.turn += 1
            status, data = await self._try(http, index, path, body, headers, request, web=web)
            if 0 < status < 500:
                break
            if status:
                self.failures.append(status)
            await asyncio.sleep(0.02)
        if request is not None and status == 200:
            request.answered = True
            self.answered += 1
            if self.answered >= self.total // 3:
                self.third.set()
        return status, data

    async def _try(
        self,
        http: aiohttp.ClientSession,
        index: int,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str],
        request: Request | None,
        *,
        web: bool,
    ) -> tuple[int, bytes]:
        self.in_flight[index] += 1
        if request is not None:
            request.at = index
        try:
            return await post_to(http, self.ports[index], path, body, headers, web=web)
        except aiohttp.ClientConnectorError:
            return 0, b""  # the instance is down
        except aiohttp.ClientError:
            self.cut.append(path)  # it went down with the request
            return 0, b""
        finally:
            self.in_flight[index] -= 1
            if request is not None:
                request.at = None


async def post_to(
    http: aiohttp.ClientSession,
    port: int,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    web: bool = False,
) -> tuple[int, bytes]:
    """One POST; a web request carries the instance's own origin, as its page would."""
    own = {"Origin": f"http://127.0.0.1:{port}"} if web else {}
    url = f"http://127.0.0.1:{port}{path}"
    async with http.post(url, json=body, headers={**headers, **own}) as response:
        return response.status, await response.read()


# --- the conversations ---------------------------------------------------------------------


@dataclass
class WebConversation:
    index: int
    token: str = ""
    answers: list[Answer] = field(default_factory=list)
    begun: Request = field(default_factory=Request)  # its POST /api/session

    @property
    def headers(self) -> dict[str, str]:
        return {"Accept-Language": LANGUAGES[self.index % len(LANGUAGES)]}


@dataclass
class Load:
    """Everything one run sends, and what it got back."""

    web: list[WebConversation]
    updates: dict[int, list[tuple[dict[str, Any], Request]]]
    replies: dict[int, list[list[str]]] = field(default_factory=dict)  # reference only


async def new_session(http: aiohttp.ClientSession, lb: Balancer, conv: WebConversation) -> None:
    conv.begun.started = True
    status, data = await lb.post(http, "/api/session", {}, conv.headers, web=True)
    assert status == 201, data
    conv.begun.answered = True
    conv.token = json.loads(data)["session"]


async def _web(http: aiohttp.ClientSession, lb: Balancer, conv: WebConversation) -> None:
    await new_session(http, lb, conv)
    previous: Answer | None = None
    for number, step in enumerate(_web_script(conv.index)):
        body = {"session": conv.token, "id": f"event-{number}", **_event(step, previous)}
        status, data = await lb.post(http, "/api/event", body, conv.headers, Request(), web=True)
        assert status == 200, (conv.index, number, status, data)
        previous = json.loads(data)["replies"]
        conv.answers.append(previous)


async def _telegram(
    http: aiohttp.ClientSession,
    lb: Balancer,
    load: Load,
    chat: int,
    fake: FakeBotApi | None = None,
) -> None:
    """The chat's updates, one at a time as Telegram sends them; with ``fake`` (the
    reference's), each update's replies are noted as it is answered."""
    for update, request in load.updates[chat]:
        before = len(fake.texts(chat)) if fake is not None else 0
        status, data = await lb.post(http, WEBHOOK_PATH, update, TELEGRAM_HEADERS, request)
        assert status == 200, (chat, status, data)
        if fake is not None:
            load.replies.setdefault(chat, []).append(fake.texts(chat)[before:])


def _load(fake: FakeBotApi) -> Load:
    updates = {
        chat: [
            (fake.text_update(chat, text, language=LANGUAGES[number % len(LANGUAGES)]), Request())
            for text in TELEGRAM_SCRIPT
        ]
        for number, chat in enumerate(CHATS)
    }
    return Load([WebConversation(index) for index in range(WEB_SESSIONS)], updates)


async def _drive(
    http: aiohttp.ClientSession, lb: Balancer, load: Load, fake: FakeBotApi | None
) -> None:
    lb.total = len(load.web) * len(_web_script(0)) + len(CHATS) * len(TELEGRAM_SCRIPT)
    await asyncio.gather(
        *(_web(http, lb, conv) for conv in load.web),
        *(_telegram(http, lb, load, chat, fake) for chat in CHATS),
    )


# --- the same moment at two instances ------------------------------------------------------


async def _until_answered(
    http: aiohttp.ClientSession,
    port: int,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    *,
    web: bool = False,
) -> tuple[int, bytes]:
    """At one instance, again while it answers 5xx (as Telegram and the page do)."""
    while True:
        status, data = await post_to(http, port, path, body, headers, web=web)
        if status < 500:
            return status, data
        await asyncio.sleep(0.02)


async def _twin_update(
    http: aiohttp.ClientSession, ports: list[int], fake: FakeBotApi, chat: int
) -> list[int]:
    update = fake.text_update(chat, "/start", language="en")
    answers = await asyncio.gather(
        *(_until_answered(http, port, WEBHOOK_PATH, update, TELEGRAM_HEADERS) for port in ports)
    )
    return [status for status, _ in answers]


async def _twin_event(
    http: aiohttp.ClientSession, lb: Balancer, ports: list[int], conv: WebConversation
) -> list[tuple[int, Answer]]:
    """A new session's start event, given at once to every one of ``ports`` with one id."""
    await new_session(http, lb, conv)
    body = {"session": conv.token, "id": "twin", "type": "start"}
    answers = await asyncio.gather(
        *(_until_answered(http, port, "/api/event", body, conv.headers, web=True) for port in ports)
    )
    return [(status, json.loads(data)["replies"]) for status, data in answers]


# --- processes -----------------------------------------------------------------------------


def _env(base_url: str, database: str, port: int) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.se/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": base_url,
        "LOTSEN_DATABASE": database,
        "LOTSEN_SECRET_KEY": SECRET_KEY,
        "LOTSEN_CONTENT": str(ROOT / "content"),
        "LOTSEN_RELOAD": "false",
        "PORT": str(port),
    }


@contextmanager
def _stopping(servers: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    """Every server stopped on the way out, killed if it does not stop in time."""
    try:
        yield
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _pg(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows ``sql`` reads from the test's schema (tables unqualified)."""
    options = f"-c search_path={schema_of(url)}"
    with psycopg.connect(SERVER, autocommit=True, options=options) as conn:
        return conn.execute(sql.encode()).fetchall()


USAGE_SQL = (
    "SELECT flow, step, locale, channel, ended, sum(count) FROM usage"
    " GROUP BY flow, step, locale, channel, ended"
)


def _usage(found: list[tuple[Any, ...]]) -> dict[tuple[str, str, str, str, bool], int]:
    """Usage counts by step, whatever the day (a run may straddle midnight)."""
    return {(f, s, lo, c, bool(e)): int(n) for f, s, lo, c, e, n in found}


# --- the test ------------------------------------------------------------------------------


@dataclass
class Outcome:
    load: Load
    reference: Load
    in_flight: dict[tuple[int, int], bool]
    sessions_in_flight: int  # POST /api/session unanswered at the kill
    victim: int
    at_victim: int  # requests it had in flight when killed
    answered_before: int
    failures: list[int]
    cut: list[str]
    twin_statuses: list[list[int]]
    twin_answers: list[tuple[int, Answer]]
    reference_twin_answer: Answer
    reference_twin_replies: dict[int, list[str]]
    tokens: list[str]


def test_three_instances_on_postgresql_survive_a_kill_9_and_answer_every_turn_once(
    tmp_path: Path,
) -> None:
    fake, reference_fake = FakeBotApi(), FakeBotApi()
    url = fresh_database(pool_size=10)
    ports = [free_port() for _ in range(3)]
    reference_port = free_port()
    reference_db = tmp_path / "reference.sqlite3"

    async def main() -> Outcome:
        base_url = await fake.start()
        reference_url = await reference_fake.start()
        servers = [
            serve(tmp_path, _env(base_url, url, p), f"pg{i}.log") for i, p in enumerate(ports)
        ]
        reference = serve(
            tmp_path, _env(reference_url, str(reference_db), reference_port), "sqlite.log"
        )
        try:
            with _stopping([*servers, reference]):
                async with aiohttp.ClientSession() as http:
                    await asyncio.gather(
                        *(healthy(http, p, s) for p, s in zip(ports, servers, strict=True)),
                        healthy(http, reference_port, reference),
                    )
                    return await _run(http, servers)
        finally:
            await fake.close()
            await reference_fake.close()

    async def _run(http: aiohttp.ClientSession, servers: list[subprocess.Popen[bytes]]) -> Outcome:
        # The reference: the same scripts, one SQLite instance.
        expected = _load(reference_fake)
        single = Balancer([reference_port])
        await _drive(http, single, expected, reference_fake)
        [(status, reference_twin_answer)] = await _twin_event(
            http, single, [reference_port], WebConversation(1)
        )
        assert status == 200
        reference_twin_replies = {}
        for chat in TWIN_CHATS:
            assert await _twin_update(http, [reference_port], reference_fake, chat) == [200]
            reference_twin_replies[chat] = reference_fake.texts(chat)

        # The three instances on PostgreSQL, one killed a third of the way in.
        load = _load(fake)
        lb = Balancer(ports)
        driving = asyncio.ensure_future(_drive(http, lb, load, None))
        third = asyncio.ensure_future(lb.third.wait())
        await asyncio.wait([driving, third], return_when=asyncio.FIRST_COMPLETED)
        if driving.done():
            driving.result()  # a failure before the kill
            raise AssertionError("the load was over before a third of it was answered")
        # No await between the snapshot and the kill: it is exact.
        victim = max(range(len(ports)), key=lambda i: lb.in_flight[i])
        in_flight = {
            (chat, index): request.at == victim
            for chat, updates in load.updates.items()
            for index, (_, request) in enumerate(updates)
        }
        sessions_in_flight = sum(c.begun.started and not c.begun.answered for c in load.web)
        at_victim = lb.in_flight[victim]
        answered_before = lb.answered
        os.kill(servers[victim].pid, signal.SIGKILL)
        servers[victim].wait()
        await driving

        # The same update, and the same web event, at both survivors at the same moment.
        survivors = [port for i, port in enumerate(ports) if i != victim]
        twin_statuses = await asyncio.gather(
            *(_twin_update(http, survivors, fake, chat) for chat in TWIN_CHATS)
        )
        twin = WebConversation(1)
        twin_answers = await _twin_event(http, lb, survivors, twin)
        tokens = [conv.token for conv in load.web] + [twin.token]
        return Outcome(
            load,
            expected,
            in_flight,
            sessions_in_flight,
            victim,
            at_victim,
            answered_before,
            lb.failures,
            lb.cut,
            twin_statuses,
            twin_answers,
            reference_twin_answer,
            reference_twin_replies,
            tokens,
        )

    try:
        out = run(main(), timeout=DEADLINE)
        database = dump(url)
        usage = _usage(_pg(url, USAGE_SQL))
        sessions = _pg(url, "SELECT count(*) FROM sessions")[0][0]
    finally:
        drop(url)
    reference_usage = _usage(query(reference_db, USAGE_SQL))
    print(
        f"killed instance {out.victim} after {out.answered_before} answers, with "
        f"{out.at_victim} requests in flight ({sum(out.in_flight.values())} Telegram updates);"
        f" 5xx answers: {out.failures}; cut off by the kill: {sorted(out.cut)}"
    )

    # (a) The web: every event's answer is the one SQLite gives.
    for conv, ref in zip(out.load.web, out.reference.web, strict=True):
        assert len(conv.answers) == len(ref.answers)
        for number, (got, want) in enumerate(zip(conv.answers, ref.answers, strict=True)):
            assert got == want, f"web session {conv.index}, event {number}"
    assert all(status == 200 for status, _ in out.twin_answers)
    for _, answer in out.twin_answers:
        assert answer == out.reference_twin_answer, "the same event answered differently"

    # (a) Telegram: every update's replies, in order; only an update in flight at the kill
    # may have sent some or all of them before it, and then all of them again.
    repeated = 0
    for chat in CHATS:
        expected = out.reference.replies[chat]
        assert all(expected), f"the reference sent nothing for an update of chat {chat}"
        flight = [out.in_flight[(chat, index)] for index in range(len(expected))]
        resent = explain_replies(fake.texts(chat), expected, flight)
        assert resent is not None, (
            f"chat {chat}: replies lost, repeated or out of order; in flight at the kill: "
            f"{flight}; expected {expected}; sent {fake.texts(chat)}"
        )
        repeated += sum(1 for k in resent if k)
    print(f"Telegram updates whose replies were sent again: {repeated}")

    # (c) The same update at two instances at once: both answer 200, its replies go once.
    for chat, statuses in zip(TWIN_CHATS, out.twin_statuses, strict=True):
        assert statuses == [200, 200]
        assert fake.texts(chat) == out.reference_twin_replies[chat], f"twin chat {chat}"

    # (b) Every acknowledged turn counted once, at the step SQLite counts it at.
    turns = (
        sum(len(conv.answers) for conv in out.load.web)
        + sum(len(updates) for updates in out.load.updates.values())
        + len(TWIN_CHATS)
        + 1  # the web event given to two instances
    )
    assert sum(n for (*_, ended), n in usage.items() if not ended) == turns
    assert usage == reference_usage
    # A session is begun when its token is issued: one issued as the kill came may have
    # begun without the page ever getting its token (and the page asked for another).
    people = WEB_SESSIONS + 1 + len(CHATS) + len(TWIN_CHATS)
    assert people <= sessions <= people + out.sessions_in_flight

    # Privacy: no chat id, session token or typed word in the database or any log.
    logs = {name: (tmp_path / name).read_bytes() for name in ("pg0.log", "pg1.log", "pg2.log")}
    for name, log in logs.items():
        assert b"Traceback" not in log, f"{name}: {log.decode(errors='replace')}"
    needles = [str(chat) for chat in CHATS + TWIN_CHATS] + out.tokens + [MARKER]
    for needle in needles:
        assert needle.encode() not in database, f"{needle!r} is in the database"
        for name, log in logs.items():
            assert needle.encode() not in log, f"{needle!r} is in {name}"


def test_a_forget_on_one_instance_ends_the_person_on_every_instance(tmp_path: Path) -> None:
    """Telegram: a chat answered by two instances, forgotten through one of them, loses every
    message both sent. The web: a session forgotten on one instance is gone on the other."""
    fake = FakeBotApi()
    url = fresh_database(pool_size=4)
    ports = [free_port(), free_port()]
    chat = 731_977_103

    async def main() -> tuple[list[int], int, list[str], str, list[int]]:
        base_url = await fake.start()
        servers = [
            serve(tmp_path, _env(base_url, url, port), f"forget{index}.log")
            for index, port in enumerate(ports)
        ]
        try:
            with _stopping(servers):
                async with aiohttp.ClientSession() as http:
                    await asyncio.gather(
                        *(healthy(http, p, s) for p, s in zip(ports, servers, strict=True))
                    )
                    first, second = ports
                    ids: list[int] = []
                    for port, text in ((first, "/start"), (second, "/menu"), (first, "/112")):
                        update = fake.text_update(chat, text)
                        ids.append(update["message"]["message_id"])
                        answer = await post_to(http, port, WEBHOOK_PATH, update, TELEGRAM_HEADERS)
                        assert answer[0] == 200
                    ids = sorted(ids + [params["message_id"] for params in fake.sent(chat)])
                    before = fake.texts(chat)
                    forget = fake.text_update(chat, "/forget")
                    answer = await post_to(http, second, WEBHOOK_PATH, forget, TELEGRAM_HEADERS)
                    assert answer[0] == 200
                    confirmation = fake.texts(chat)[len(before) :]

                    status, data = await post_to(http, first, "/api/session", {}, {}, web=True)
                    assert status == 201
                    token = json.loads(data)["session"]
                    start = {"session": token, "id": "a", "type": "start"}
                    answer = await post_to(http, second, "/api/event", start, {}, web=True)
                    assert answer[0] == 200
                    gone = {"session": token}
                    assert (await post_to(http, first, "/api/forget", gone, {}, web=True))[0] == 204
                    later = {"session": token, "id": "b", "type": "command", "name": "menu"}
                    refused = [
                        (await post_to(http, port, "/api/event", later, {}, web=True))[0]
                        for port in ports
                    ]
                    message_id = int(forget["message"]["message_id"])
                    return ids, message_id, confirmation, token, refused
        finally:
            await fake.close()

    try:
        ids, forget_id, confirmation, token, refused = run(main(), timeout=DEADLINE)
        left = {t: _pg(url, f"SELECT count(*) FROM {t}")[0][0] for t in ("sessions", "ledger")}
        usage = _usage(_pg(url, USAGE_SQL))
        database = dump(url)
    finally:
        drop(url)
    # Every message of the chat, both sides, sent by either instance: deleted.
    assert fake.deleted == {chat: [*ids, forget_id]}
    assert len(confirmation) == 1  # and the confirmation, on no ledger
    assert refused == [401, 401]
    assert left == {"sessions": 0, "ledger": 0}
    # Three Telegram turns and one web turn; both conversations ended where they were.
    assert sum(n for (*_, ended), n in usage.items() if not ended) == 4
    assert sum(n for (*_, ended), n in usage.items() if ended) == 2
    assert str(chat).encode() not in database and token.encode() not in database
