"""The WhatsApp channel end to end: signed webhooks in, the fake Graph API's sends out."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from bot.engine import tokens
from tests.engine_fixtures import CONTENT, TEXTS
from tests.fake_graph_api import (
    VERIFY_TOKEN,
    body_of,
    choice_message,
    media_message,
    rows_of,
    status,
    text_message,
    wamid,
    webhook,
)
from tests.storage_fixtures import run
from tests.whatsapp_fixtures import WA_ID, whatsapp_server

OTHER = "46709876543"


def test_verification_echoes_the_challenge_to_the_right_token_only(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
            ok = await wa.client.get(
                "/whatsapp/webhook", params={**query, "hub.verify_token": VERIFY_TOKEN}
            )
            assert ok.status == 200
            assert await ok.text() == "1158201444"
            wrong = await wa.client.get(
                "/whatsapp/webhook", params={**query, "hub.verify_token": "guess"}
            )
            assert wrong.status == 403
            unsubscribe = {**query, "hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN}
            assert (await wa.client.get("/whatsapp/webhook", params=unsubscribe)).status == 403

    run(scenario())


def test_an_unsigned_or_wrongly_signed_webhook_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            payload = webhook(text_message(WA_ID, "Hej"))
            assert (await wa.post(payload, secret=None)).status == 401
            assert (await wa.post(payload, secret="f" * 32)).status == 403
            assert wa.fake.sends == []
            assert (await wa.post(payload)).status == 200
            assert wa.fake.sends

    run(scenario())


def test_a_first_message_gets_the_start_and_the_languages_each_in_its_own_name(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            incoming = text_message(WA_ID, "Hej")
            response = await wa.post(webhook(incoming))
            assert response.status == 200
            texts = wa.fake.texts(WA_ID)
            assert texts[0].startswith("Hej! Jag är Lotsen.")
            offer = wa.fake.last(WA_ID)
            assert body_of(offer) == TEXTS["choose_language"]
            titles = [row["title"] for row in rows_of(offer)]
            assert titles == [language.name for language in CONTENT.languages]
            assert "العربية" in titles
            # Read, with "typing…" shown until the reply arrives.
            assert wa.fake.reads == [
                {
                    "messaging_product": "whatsapp",
                    "status": "read",
                    "message_id": incoming["id"],
                    "typing_indicator": {"type": "text"},
                }
            ]

    run(scenario())


def test_a_pressed_button_and_a_typed_number_take_the_option(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            english = tokens.language_token("en")
            await wa.post(webhook(choice_message(WA_ID, english)))
            assert wa.fake.texts(WA_ID)[-1] != TEXTS["choose_language"]
            before = len(wa.fake.sends)
            await wa.post(webhook(text_message(WA_ID, "1")))
            assert len(wa.fake.sends) > before

    run(scenario())


def test_a_redelivered_webhook_is_answered_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            payload = webhook(text_message(WA_ID, "Hej", message_id=wamid()))
            assert (await wa.post(payload)).status == 200
            sent = len(wa.fake.sends)
            assert (await wa.post(payload)).status == 200
            assert len(wa.fake.sends) == sent

    run(scenario())


def test_statuses_and_media_are_acknowledged_and_media_gets_a_kind_answer(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            assert (await wa.post(webhook(statuses=[status(WA_ID)]))).status == 200
            assert wa.fake.sends == []
            await wa.post(webhook(text_message(WA_ID, "Hej")))
            for kind in ("image", "audio", "location", "contacts", "reaction", "sticker"):
                assert (await wa.post(webhook(media_message(WA_ID, kind)))).status == 200
                assert TEXTS["unsupported"] in body_of(wa.fake.last(WA_ID))
            # A reply of a kind Lotsen never offers (a form's) gets the same kind answer.
            form = {"type": "nfm_reply", "nfm_reply": {"response_json": "{}", "body": "Sent"}}
            message = {"from": WA_ID, "id": wamid(), "type": "interactive", "interactive": form}
            assert (await wa.post(webhook(message))).status == 200
            assert TEXTS["unsupported"] in body_of(wa.fake.last(WA_ID))
            metrics = await (await wa.client.get("/metrics")).text()
            assert 'lotsen_updates_total{channel="whatsapp",outcome="status"} 1.0' in metrics

    run(scenario())


def real_looking_wamid(wa_id: str, serial: int) -> str:
    """A message id as WhatsApp makes them: base64 of a record that holds the phone number."""
    record = (
        b"\x1c\x18\x0b" + wa_id.encode() + b"\x15\x02\x00\x12\x18\x14" + f"{serial:020d}".encode()
    )
    return "wamid." + base64.b64encode(record).decode()


def test_the_phone_number_and_typed_text_are_never_stored_or_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = [real_looking_wamid(WA_ID, n) for n in range(3)]

    async def scenario() -> None:
        async with whatsapp_server(tmp_path) as wa:
            await wa.post(webhook(text_message(WA_ID, "Hej", message_id=ids[0])))
            await wa.post(webhook(text_message(WA_ID, "MARKER-zebra-4711", message_id=ids[1])))
            wa.fake.fail(1, status=400, code=131047)  # a refusal is logged, by code only
            await wa.post(webhook(text_message(WA_ID, "/menu", message_id=ids[2])))
            await wa.post(webhook(text_message(OTHER, "Hej")))
            assert wa.fake.refused

    run(scenario())
    data = b"".join(p.read_bytes() for p in tmp_path.glob("lotsen.sqlite3*"))
    assert data
    marks = [WA_ID, OTHER, "MARKER-zebra-4711", *ids, *(i.split(".", 1)[1][:16] for i in ids)]
    for mark in marks:
        assert mark.encode() not in data, mark
        assert mark not in caplog.text, mark
    assert "131047" in caplog.text
