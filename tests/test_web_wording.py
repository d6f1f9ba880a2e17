"""A text that names a place on the screen has a `web:` wording for the web page.

In a chat app the 112 button is under every answer; on the web page it is at the top. A step's
message may be ``{text: ..., web: ...}``: the chat apps say ``text``, the web page ``web``.
Both are translated (each in the step's context) and checked like any other message.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from bot.channels import telegram_render
from bot.channels.web_render import payload
from bot.engine import Start, step
from bot.i18n.extract import extract_yaml
from bot.i18n.renderer import renderer_for
from bot.pack.loader import LoadResult, load_pack
from bot.service import HandleResult
from tests.packs import HOME, write_pack
from tests.shipped import CONTENT as SHIPPED
from tests.shipped import NOW

TODAY = date(2026, 11, 24)

WORDED = HOME.replace(
    "    say: Välkommen.\n",
    "    say:\n"
    "      - Välkommen.\n"
    "      - text: Knappen 112 finns under mina svar.\n"
    "        web: Knappen 112 finns högst upp på sidan.\n",
)


def _content(tmp_path: Path, flow: str = WORDED) -> LoadResult:
    return load_pack(write_pack(tmp_path, {"flows/home.yaml": flow}), today=TODAY)


def test_a_message_can_have_its_own_wording_on_the_web_page(tmp_path: Path) -> None:
    result = _content(tmp_path)
    assert result.problems == ()
    content = result.content
    assert content is not None
    welcome = content.steps["home.welcome"]
    assert welcome.say == ("Välkommen.", "Knappen 112 finns under mina svar.")
    assert welcome.web_say == {1: "Knappen 112 finns högst upp på sidan."}
    turn = step(content, None, Start(locale_hint="sv"), NOW)
    said = [reply.text for reply in turn.replies if reply.text is not None]
    chat = [renderer_for(content, "sv").text(phrase) for phrase in said]
    web = [renderer_for(content, "sv", on_web_page=True).text(phrase) for phrase in said]
    assert chat[:2] == ["Välkommen.", "Knappen 112 finns under mina svar."]
    assert web[:2] == ["Välkommen.", "Knappen 112 finns högst upp på sidan."]


def test_a_wording_for_a_channel_that_has_none_is_an_error_naming_the_choices(
    tmp_path: Path,
) -> None:
    flow = WORDED.replace("        web: Knappen", "        telegram: Knappen")
    result = _content(tmp_path, flow)
    assert result.content is None
    [problem] = [p for p in result.problems if p.level == "error"]
    assert Path(problem.file).name == "home.yaml"
    assert (problem.line, problem.column) == (7, 9)  # the key, as written
    assert "web" in problem.message and "text" in problem.message, problem.message


def test_the_web_wording_is_checked_like_any_message(tmp_path: Path) -> None:
    flow = WORDED.replace("högst upp på sidan.", "högst upp, {nobody}." + " Mycket text." * 30)
    result = _content(tmp_path, flow)
    found = {(p.line, p.code) for p in result.problems}
    assert (7, "long-message") in found  # at the `web:` line, not the `text:` one
    assert (7, "unknown-placeholder") in found


def test_both_wordings_are_extracted_in_the_steps_context() -> None:
    fileobj = io.BytesIO(WORDED.encode("utf-8"))
    fileobj.name = "content/flows/home.yaml"  # type: ignore[attr-defined]
    found = {
        (line, message): comments
        for line, _, message, comments in extract_yaml(fileobj, {}, [], {})
        if isinstance(message, tuple)
    }
    chat = (6, ("home.welcome", "Knappen 112 finns under mina svar."))
    web = (7, ("home.welcome", "Knappen 112 finns högst upp på sidan."))
    assert chat in found and web in found
    assert "chat apps" in found[chat][0]
    assert "web page" in found[web][0]


def test_the_shipped_greeting_points_to_112_where_each_channel_has_it() -> None:
    """Telegram: the 112 button under every answer. The web page: its top bar already says
    "Är någon i fara nu? Ring 112", so the greeting does not send a person looking below."""
    content = load_pack(SHIPPED, today=TODAY).content
    assert content is not None
    for locale in ("sv", "en", "ar", "so"):
        turn = step(content, None, Start(locale_hint=locale), NOW)
        result = HandleResult(turn.replies, turn.session.locale)
        web = " ".join(
            str(reply["text"]) for reply in payload(content, result)["replies"] if reply["text"]
        )
        chat = " ".join(
            message.html
            for message in telegram_render.render(turn.replies, renderer_for(content, locale))
        )
        assert "112" in chat, (locale, chat)
        assert "112" not in web, (locale, web)  # the top bar's link is the 112 on the page
        assert len(web) < len(chat)
