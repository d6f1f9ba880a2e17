"""The web chat's parts on their own: settings, rate limits, links, the page's files."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from bot.channels.web import fill_template
from bot.channels.web_limits import ClientKeys, TokenBuckets, session_bucket_key
from bot.channels.web_render import WEB_TEXT_KEYS, href, interface
from bot.channels.web_settings import DEFAULT_EXIT_URL, WebSettings
from bot.i18n.renderer import renderer_for
from tests.engine_fixtures import CONTENT

ROOT = Path(__file__).resolve().parent.parent
STATIC = resources.files("bot") / "static"

# --- settings ------------------------------------------------------------------------------


def test_settings_default_to_a_neutral_exit_and_no_embedding() -> None:
    settings = WebSettings.from_env({})
    assert settings.exit_url == DEFAULT_EXIT_URL
    assert settings.frame_ancestors == "'none'"
    assert settings.allowed_origins == frozenset()
    assert settings.client_address_header == ""


def test_settings_are_read_from_the_environment() -> None:
    settings = WebSettings.from_env(
        {
            "LOTSEN_WEB_EXIT_URL": "https://www.smhi.se/",
            "LOTSEN_WEB_FRAME_ANCESTORS": "'self'   https://kommun.example.se",
            "LOTSEN_WEB_ALLOWED_ORIGINS": "https://a.example.se, https://b.example.se/",
            "LOTSEN_WEB_CLIENT_ADDRESS_HEADER": "X-Forwarded-For",
        }
    )
    assert settings.exit_url == "https://www.smhi.se/"
    assert settings.frame_ancestors == "'self' https://kommun.example.se"
    assert settings.allowed_origins == {"https://a.example.se", "https://b.example.se"}
    assert settings.client_address_header == "X-Forwarded-For"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOTSEN_WEB_EXIT_URL": "javascript:alert(1)"}, "LOTSEN_WEB_EXIT_URL has value"),
        ({"LOTSEN_WEB_EXIT_URL": "//evil.example"}, "LOTSEN_WEB_EXIT_URL has value"),
        ({"LOTSEN_WEB_EXIT_URL": 'https://x.se/"><b>'}, "LOTSEN_WEB_EXIT_URL has value"),
        ({"LOTSEN_WEB_FRAME_ANCESTORS": "'self'; script-src *"}, "is not a CSP source"),
        ({"LOTSEN_WEB_ALLOWED_ORIGINS": "https://a.se/path"}, "Not an origin"),
        ({"LOTSEN_WEB_ALLOWED_ORIGINS": "a.se"}, "Not an origin"),
    ],
)
def test_bad_settings_are_refused_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        WebSettings.from_env(env)


# --- rate limits ---------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    time = FakeTime()
    buckets = TokenBuckets(3, 0.5, clock=time)
    assert [buckets.allow("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.retry_after("a") == 2
    assert buckets.allow("b")  # another key has its own bucket
    time.now += 2
    assert buckets.allow("a")
    assert not buckets.allow("a")


def test_buckets_keep_a_bounded_number_of_keys() -> None:
    buckets = TokenBuckets(1, 1.0, clock=FakeTime(), max_keys=3)
    for key in "abcd":
        buckets.allow(key)
    assert len(buckets) == 3
    assert buckets.allow("a")  # the least recently used was dropped, so "a" starts afresh


def test_client_keys_hide_the_address_and_change_every_rotation() -> None:
    time = FakeTime()
    keys = ClientKeys(clock=time, rotate_seconds=60)
    first = keys.key("192.0.2.7")
    assert first == keys.key("192.0.2.7")
    assert first != keys.key("192.0.2.8")
    assert "192" not in first and len(first) == 32
    time.now += 61
    assert keys.key("192.0.2.7") != first


def test_the_session_bucket_key_is_not_the_token() -> None:
    token = "A" * 43
    assert token not in session_bucket_key(token)


# --- links and words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "link"),
    [
        ("phone", "020-100 200", "tel:+4620100200"),  # dialled from anywhere
        ("phone", "+46 8 123 456", "tel:+468123456"),
        ("phone", "112", "tel:112"),
        ("phone", "ring oss", None),
        ("email", "info@example.se", "mailto:info@example.se"),
        ("email", "x@y.se?bcc=z@w.se", None),
        ("web", "https://www.raddabarnen.se", "https://www.raddabarnen.se"),
        ("web", "javascript:alert(1)", None),
        ("web", "www.example.se", None),
        ("hours", "9-12", None),
    ],
)
def test_fact_links_use_only_safe_schemes(kind: str, value: str, link: str | None) -> None:
    assert href(kind, value) == link


def test_the_page_words_come_from_the_pack_when_it_has_them() -> None:
    words = interface(renderer_for(CONTENT, "sv"))
    assert set(words) == set(WEB_TEXT_KEYS)
    assert words["can_type"] == "du kan också skriva"
    assert words["web_send"] == "Skicka"


def test_the_template_escapes_every_value() -> None:
    filled = fill_template('<a href="{{url}}">{{text}}</a>', {"url": '"><x', "text": "<b>&"})
    assert filled == '<a href="&quot;&gt;&lt;x">&lt;b&gt;&amp;</a>'
    with pytest.raises(KeyError):
        fill_template("{{missing}}", {})


# --- the page's files ----------------------------------------------------------------------


def test_the_page_has_no_inline_code_and_loads_nothing_from_elsewhere() -> None:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert "<style" not in page and " style=" not in page
    assert re.findall(r"\son[a-z]+=", page) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", page) == []
    assert set(re.findall(r"\{\{([a-z_]+)\}\}", page)) <= {
        *WEB_TEXT_KEYS,
        "lang",
        "dir",
        "exit_url",
        "max_text",
    }


def test_the_script_never_builds_html_from_strings() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "localStorage" not in script and "document.cookie" not in script
    assert re.findall(r"https?://", script) == []


def test_the_stylesheet_loads_nothing_from_elsewhere() -> None:
    css = (STATIC / "chat.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert re.findall(r"url\(\s*[\"']?(?:https?:)?//", css) == []


def test_the_page_files_are_package_data() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"static/*"' in pyproject
    for name in ("index.html", "chat.css", "chat.js", "icon.svg", "globe.svg"):
        assert (STATIC / name).is_file()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [("m-0480", "m-0480"), ("l-ar_m-0180", "l-ar_m-0180"), ("<script>", ""), ("m 0480", "")],
)
def test_a_start_carries_the_pages_preset_only_when_it_is_well_formed(
    payload: str, expected: str
) -> None:
    from bot.channels.web_events import parse_event
    from bot.engine import Start

    event = parse_event({"type": "start", "payload": payload}, max_text=100, fallback_hint=None)
    assert event == Start(payload=expected)
