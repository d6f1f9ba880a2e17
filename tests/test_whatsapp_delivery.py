"""The WhatsApp channel's delivery end to end: rate limits waited out (on the fake clock) or
handed back to Meta for redelivery, errors retried or not by their code, start links, list
pages, forgetting, and webhooks that carry several messages."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp_render import render
from bot.channels.whatsapp_transport import payload
from bot.engine import Command, Event, Session, Start, Text, step
from bot.flows.model import Content
from bot.flows.ways import Option, Options
from bot.i18n.renderer import renderer_for
from tests.engine_fixtures import CONTENT, STEPS, TEXTS, make_content
from tests.fake_graph_api import choice_message, rows_of, text_message, wamid, webhook
from tests.storage_fixtures import T0, run
from tests.whatsapp_fixtures import WA_ID, Harness, whatsapp_server

OTHER = "46709876543"
NOTE = "Meddelandena finns kvar i telefonen tills du raderar chatten."
FORGET = replace(
    CONTENT,
    triggers={**CONTENT.triggers, "forget": ("radera allt",)},
    texts={**TEXTS, "whatsapp_forgotten": NOTE},
)
ENGLISH = replace(
    CONTENT,
    translations={
        "en": {
            "Hej! Jag är Lotsen.": "Hi! I am Lotsen.",
            "Jag är inte polisen.": "I am not the police.",
            "Börja": "Begin",
        }
    },
)


def expected(
    content: Content, events: Sequence[Event], to: str = WA_ID, session: Session | None = None
) -> list[dict[str, Any]]:
    """The Graph API bodies an uninterrupted run sends for ``events``, in order."""
    bodies: list[dict[str, Any]] = []
    for event in events:
        turn = step(content, session, event, T0)
        session = turn.session
        assert session is not None
        renderer = renderer_for(content, session.locale)
        bodies.extend(payload(to, message) for message in render(turn.replies, renderer))
    return bodies


FIRST = expected(CONTENT, [Text("Hej")])  # the start, then the languages


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(database)) as db:
        return db.execute(sql).fetchall()


def sessions(wa: Harness) -> list[str]:
    return [row[0] for row in rows(wa.database, "SELECT data FROM sessions")]


def waits(wa: Harness, at_least: float = 0.5) -> list[float]:
    """The waits on the fake clock, without the pacer's small spacing of a burst."""
    return [seconds for seconds in wa.time.sleeps if seconds >= at_least]


def test_the_first_message_sends_what_the_engine_says(tmp_path: Path) -> None:
    """The baseline the tests below compare with: the start (its two texts as one body,
    its choices under them) and the languages."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            assert (await wa.post(webhook(text_message(WA_ID, "Hej")))).status == 200
            assert wa.fake.sends == FIRST
            assert [body["type"] for body in FIRST] == ["interactive", "interactive"]
            assert waits(wa) == []

    run(scenario())


def test_a_throughput_limit_is_waited_out_and_every_reply_arrives(tmp_path: Path) -> None:
    """130429 (the number's messages per second) asks for a pause, not a lost reply."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            wa.fake.fail(2, code=130429)
            assert (await wa.post(webhook(text_message(WA_ID, "Hej")))).status == 200
            assert wa.fake.sends == FIRST
            assert len(wa.fake.refused) == 2
            assert waits(wa) == [pytest.approx(1.0), pytest.approx(1.0)]

    run(scenario())


def test_the_pair_limit_waits_for_this_chat(tmp_path: Path) -> None:
    """131056 (too many to one person) is waited out by this chat, about six seconds."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            wa.fake.fail(1, code=131056, after=1)
            assert (await wa.post(webhook(text_message(WA_ID, "Hej")))).status == 200
            assert wa.fake.sends == FIRST
            assert wa.fake.refused == FIRST[1:2]
            assert waits(wa) == [pytest.approx(6.0)]

    run(scenario())


def test_a_rate_limit_beyond_30_seconds_has_meta_deliver_again_and_sends_what_is_owed_once(
    tmp_path: Path,
) -> None:
    """Waiting longer would outlast Meta's request; answering 500 makes it deliver again,
    and then only what was not yet sent goes out, each message once."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            hook = webhook(text_message(WA_ID, "Hej", message_id=wamid()))
            wa.fake.fail(10, code=4, after=1)
            assert (await wa.post(hook)).status == 500
            assert wa.fake.sends == FIRST[:1]
            assert len(wa.fake.refused) == 4  # 10 s each: the fourth is past 30 s
            assert waits(wa) == [pytest.approx(10.0)] * 3
            wa.fake.clear_failures()
            assert (await wa.post(hook)).status == 200
            assert wa.fake.sends == FIRST
            assert (await wa.post(hook)).status == 200  # nothing more is owed
            assert wa.fake.sends == FIRST
            assert rows(wa.database, "SELECT count(*) FROM owed") == [(0,)]
            assert rows(wa.database, "SELECT sum(count) FROM usage") == [(1,)]

    run(scenario())


def test_a_later_message_waits_while_an_earlier_one_of_the_same_person_is_delivered_again(
    tmp_path: Path,
) -> None:
    """Two messages from one person in one webhook: when the first must come again, the
    second is not answered before it, so the person's messages are answered in order."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            messages = [text_message(WA_ID, "Hej"), text_message(WA_ID, "/menu")]
            hook = webhook(*messages)
            wa.fake.fail(10, code=4)
            assert (await wa.post(hook)).status == 500
            assert [read["message_id"] for read in wa.fake.reads] == [messages[0]["id"]]
            wa.fake.clear_failures()
            assert (await wa.post(hook)).status == 200
            assert wa.fake.sends == expected(CONTENT, [Text("Hej"), Command("menu")])

    run(scenario())


@pytest.mark.parametrize(("status", "code"), [(500, None), (503, 2), (400, 131000)])
def test_a_server_error_on_send_is_retried(tmp_path: Path, status: int, code: int | None) -> None:
    """A passing failure at Meta costs a short backoff, not a reply."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            wa.fake.fail(1, status=status, code=code)
            assert (await wa.post(webhook(text_message(WA_ID, "Hej")))).status == 200
            assert wa.fake.sends == FIRST
            assert wa.fake.refused == FIRST[:1]
            assert waits(wa) == [pytest.approx(0.5)]

    run(scenario())


def test_a_reply_outside_the_24_hour_window_is_not_retried_and_is_logged_by_code(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """131047 will not pass with time: retrying or redelivering would only repeat it."""
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            wa.fake.fail(1, code=131047)
            assert (await wa.post(webhook(text_message(WA_ID, "Hej")))).status == 200
            assert wa.fake.refused == FIRST[:1]
            assert wa.fake.sends == FIRST[1:]
            assert waits(wa) == []

    run(scenario())
    assert "131047" in caplog.text


@pytest.mark.parametrize("link", ["start l-en", "Start l-en", "/start l-en"])
def test_a_start_link_with_a_language_answers_in_that_language(tmp_path: Path, link: str) -> None:
    """wa.me/<number>?text=start%20l-en opens the chat in English, with no language offer."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path, content=ENGLISH) as wa:
            assert (await wa.post(webhook(text_message(WA_ID, link)))).status == 200
            assert wa.fake.sends == expected(ENGLISH, [Start(payload="l-en")])
            assert wa.fake.texts(WA_ID) == ["Hi! I am Lotsen.\n\nI am not the police."]
            assert rows_of(wa.fake.last(WA_ID))[0]["title"] == "Begin"
            (data,) = sessions(wa)
            assert '"locale":"en"' in data

    run(scenario())


def many_options(count: int) -> Content:
    """The test pack with ``count`` options on the start step, and WhatsApp's list texts."""
    welcome = STEPS[0]
    assert welcome.ref == "home.welcome"
    choices = tuple(Option(f"Val {n}", "home.menu") for n in range(1, count + 1))
    steps = (replace(welcome, way=Options(choices)), *STEPS[1:])
    content = make_content(steps)
    return replace(content, texts={**TEXTS, "whatsapp_page": "Sida {page} av {pages}"})


def test_the_more_row_shows_the_next_page_and_its_options_work(tmp_path: Path) -> None:
    """Fifteen options and three navigation rows need three pages; "more" shows the next,
    alone, and an option pressed there is taken."""
    content = many_options(15)

    async def scenario() -> None:
        async with whatsapp_server(tmp_path, content=content) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            first = rows_of(wa.fake.sends[0])
            assert [r["title"] for r in first[:6]] == [f"Val {n}" for n in range(1, 7)]
            assert first[6]["id"].startswith("p.1.")
            sent = len(wa.fake.sends)
            more = choice_message(WA_ID, first[6]["id"], kind="list_reply")
            assert (await wa.post(webhook(more))).status == 200
            assert len(wa.fake.sends) == sent + 1
            page = wa.fake.last(WA_ID)
            assert page["interactive"]["type"] == "list"
            assert page["interactive"]["body"]["text"] == "Sida 2 av 3"
            shown = rows_of(page)
            assert [r["title"] for r in shown[:6]] == [f"Val {n}" for n in range(7, 13)]
            assert shown[6]["id"] == "p.2." + first[6]["id"].split(".")[2]
            assert [r["title"] for r in shown[7:]] == ["Ring 112", "Meny", "Glöm mig"]
            assert [r["title"] for r in first[7:]] == ["Ring 112", "Meny", "Glöm mig"]
            assert '"step":"home.welcome"' in sessions(wa)[0]
            chosen = choice_message(WA_ID, shown[2]["id"], kind="list_reply")  # "Val 9"
            await wa.post(webhook(chosen))
            assert wa.fake.texts(WA_ID)[-1] == "Vad vill du veta?"
            assert '"step":"home.menu"' in sessions(wa)[0]

    run(scenario())


def test_a_more_row_pressed_after_a_forget_shows_the_start_not_only_the_languages(
    tmp_path: Path,
) -> None:
    """An old list stays on the phone after /forget (or once the session has expired): its
    "more" row then reaches a person Lotsen does not know, whom the engine greets with the
    start and the languages. All of that must be sent, not only a page of the last buttons."""
    content = many_options(15)

    async def scenario() -> None:
        async with whatsapp_server(tmp_path, content=content) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            more_id = rows_of(wa.fake.sends[0])[6]["id"]
            await wa.post(webhook(text_message(WA_ID, "/forget")))
            assert sessions(wa) == []
            sent = len(wa.fake.sends)
            more = choice_message(WA_ID, more_id, kind="list_reply")
            assert (await wa.post(webhook(more))).status == 200
            after = wa.fake.texts(WA_ID)[sent:]
            assert any("Hej! Jag är Lotsen." in text for text in after), f"no start step: {after}"
            titles = [row["title"] for row in rows_of(wa.fake.last(WA_ID))]
            assert titles == [language.name for language in content.languages]

    run(scenario())


@pytest.mark.parametrize("typed", ["/forget", "radera allt", "Radera allt!"])
def test_forget_deletes_the_session_and_says_the_messages_stay_on_the_phone(
    tmp_path: Path, typed: str
) -> None:
    """WhatsApp lets no business delete messages: the person is told to clear the chat."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path, content=FORGET) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            assert len(sessions(wa)) == 1
            sent = len(wa.fake.sends)
            assert (await wa.post(webhook(text_message(WA_ID, typed)))).status == 200
            assert sessions(wa) == []
            assert wa.fake.texts(WA_ID)[sent:] == [TEXTS["forgotten"], NOTE]

    run(scenario())


def test_forget_words_inside_a_sentence_delete_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path, content=FORGET) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            before = sessions(wa)
            question = text_message(WA_ID, "kan ni radera allt om honom?")
            assert (await wa.post(webhook(question))).status == 200
            assert len(before) == 1 and len(sessions(wa)) == 1
            assert wa.fake.texts(WA_ID)[-1] == TEXTS["not_understood"]
            assert NOTE not in wa.fake.texts(WA_ID)

    run(scenario())


def test_a_webhook_with_two_people_answers_both(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            hook = webhook(text_message(WA_ID, "Hej"), text_message(OTHER, "Hej"))
            assert (await wa.post(hook)).status == 200
            assert [s for s in wa.fake.sends if s["to"] == WA_ID] == FIRST
            assert [s for s in wa.fake.sends if s["to"] == OTHER] == expected(
                CONTENT, [Text("Hej")], OTHER
            )
            assert len(sessions(wa)) == 2

    run(scenario())


def test_two_messages_from_one_person_in_one_webhook_are_answered_in_order(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            messages = [text_message(WA_ID, "Hej"), text_message(WA_ID, "/menu")]
            assert (await wa.post(webhook(*messages))).status == 200
            assert wa.fake.sends == expected(CONTENT, [Text("Hej"), Command("menu")])
            assert [read["message_id"] for read in wa.fake.reads] == [m["id"] for m in messages]

    run(scenario())


def test_a_message_to_another_number_of_the_app_is_ignored(tmp_path: Path) -> None:
    """One Meta app can serve several numbers: another number's messages are not ours."""

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            hook = webhook(text_message(WA_ID, "Hej"), number="100000000000001")
            assert (await wa.post(hook)).status == 200
            assert wa.fake.sends == []
            assert wa.fake.reads == []
            assert sessions(wa) == []

    run(scenario())
