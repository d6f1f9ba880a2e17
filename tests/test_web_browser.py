"""The web chat in a real browser: Playwright driving Debian's Chromium against the chat served
on 127.0.0.1. Screenshots of each language land in tests/artifacts/ (not committed).

CI installs the ``chromium`` package (.ci/run); without it, or without the ``playwright``
package, these tests skip and say which is missing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.channels.web_settings import WebSettings
from bot.engine import Phrase
from bot.flows.model import Content
from bot.i18n.renderer import renderer_for
from tests.engine_fixtures import CONTENT, TEXTS
from tests.storage_fixtures import Clock, tables
from tests.web_fixtures import NEUTRAL_PATH, NEUTRAL_TEXT, LiveServer, path_to

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Route, ViewportSize

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The embedding tests put the chat (on 127.0.0.1) in a made-up public site's <iframe>;
    # Chromium's Local Network Access checks would refuse a public page framing a loopback
    # address, which a real deployment never does.
    "--disable-features=LocalNetworkAccessChecks",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
# A small touch phone, as the audit's: no hover, a coarse pointer, no Shift key.
SMALL_PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
TIMEOUT_MS = 8000

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no browser: no Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.skipif(
        sync_playwright is None,
        reason="no playwright: pip install -e '.[test]' installs it",
    ),
]


@dataclass(frozen=True)
class Pack:
    name: str
    content: Content
    clock: Callable[[], datetime]
    social: str  # the step that explains social services


def _social_step(content: Content) -> str:
    flow = content.flows.get("social") or next(
        (
            flow
            for flow in content.flows.values()
            if "social" in flow.id or "socialtjänst" in flow.title.lower()
        ),
        None,
    )
    assert flow is not None, "the pack has no flow about social services (flows/social.yaml)"
    return flow.start


def _real_pack(min_coverage: float | None = None) -> Pack:
    from bot.cli import min_language_coverage
    from bot.pack.loader import load_pack

    if not (ROOT / "content" / "lotsen.yaml").is_file():
        pytest.skip("content/ has no pack yet (content/lotsen.yaml is missing)")
    coverage = min_language_coverage() if min_coverage is None else min_coverage
    result = load_pack(ROOT / "content", today=date.today(), min_coverage=coverage)
    assert result.content is not None, "\n".join(p.format() for p in result.errors)
    content = result.content
    return Pack("content", content, lambda: datetime.now(UTC), _social_step(content))


@pytest.fixture(params=["fixture", "content"])
def pack(request: pytest.FixtureRequest) -> Pack:
    if request.param == "content":
        return _real_pack()
    return Pack("fixture", CONTENT, Clock(), "social.intro")


@pytest.fixture(params=["fixture", "content"])
def every_language(request: pytest.FixtureRequest) -> Pack:
    """As ``pack``, with every catalog offered however much of it is translated yet."""
    if request.param == "content":
        return _real_pack(min_coverage=0)
    return Pack("fixture", CONTENT, Clock(), "social.intro")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=15000
        )
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(tmp_path / "db", CONTENT, clock=Clock()) as live:
        yield live


OpenChat = Callable[..., "Page"]


@pytest.fixture
def open_chat(browser: Browser) -> Iterator[OpenChat]:
    """A fresh tab (its own sessionStorage) on the chat; it fails the test on any error the
    page reports, a CSP violation included."""
    contexts = []
    errors: list[str] = []

    def open_(live: LiveServer, locale: str = "sv-SE", scale: float = 1) -> Page:
        context = browser.new_context(locale=locale, viewport=PHONE, device_scale_factor=scale)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(live.url + "/")
        expect(page.locator("#log .message.bot").first).to_be_visible()
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == []


def _live(tmp_path: Path) -> LiveServer:
    """The shipped pack served on 127.0.0.1, on the real clock."""
    return LiveServer(tmp_path / "db", _real_pack().content, clock=lambda: datetime.now(UTC))


@contextmanager
def _tab(browser: Browser, **options: Any) -> Iterator[Page]:
    """A fresh browser context (its own storage) and one page in it, closed afterwards."""
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _token(page: Page) -> str:
    token = page.evaluate("sessionStorage.getItem('lotsen.session')")
    assert isinstance(token, str)
    return token


def _expected(content: Content, ref: str) -> str:
    """The first thing said on arriving at ``ref`` (following ``next``), in the source
    language, as far as its first placeholder."""
    seen: set[str] = set()
    while ref not in seen:
        seen.add(ref)
        step = content.steps[ref]
        if step.say:
            return step.say[0].split("{", 1)[0].strip()
        if step.next is None:
            break
        ref = step.next
    raise AssertionError(f"nothing is said at {ref}")


def _wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# --- a conversation ------------------------------------------------------------------------


def _press_the_way(page: Page, content: Content, target: str, locale: str) -> None:
    """Press the buttons from the start to ``target``, by their labels in ``locale``."""
    renderer = renderer_for(content, locale)
    for msgid in path_to(content, target):
        label = renderer.text(Phrase(msgid))
        page.locator("#choices").get_by_role("button", name=label, exact=True).click()
        expect(page.locator("#log .message.own p").last).to_have_text(label)


def test_a_swedish_conversation_reaches_the_social_services_explanation(
    tmp_path: Path, open_chat: OpenChat, pack: Pack
) -> None:
    with LiveServer(tmp_path / "db", pack.content, clock=pack.clock) as live:
        page = open_chat(live, locale="sv-SE")
        assert page.get_attribute("html", "lang") == "sv"
        _press_the_way(page, pack.content, pack.social, "sv")
        expect(page.locator("#log")).to_contain_text(_expected(pack.content, pack.social))


def test_switching_to_arabic_turns_the_page_right_to_left(
    server: LiveServer, open_chat: OpenChat
) -> None:
    page = open_chat(server)
    assert page.get_attribute("html", "dir") == "ltr"
    ltr_exit = page.locator("#quick-exit").bounding_box()
    page.select_option("#language", label="العربية")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#language")).to_have_value("l.ar")
    # Mirrored: the quick exit moves from the right edge to the left, and Lotsen's messages
    # from the left to the right.
    rtl_exit = page.locator("#quick-exit").bounding_box()
    message = page.locator("#log .message.bot").last.bounding_box()
    assert ltr_exit is not None and rtl_exit is not None and message is not None
    width = PHONE["width"]
    assert ltr_exit["x"] + ltr_exit["width"] > width - 20 and ltr_exit["x"] > 20
    assert rtl_exit["x"] < 20 and rtl_exit["x"] + rtl_exit["width"] < width - 20
    assert message["x"] + message["width"] > width - 20 and message["x"] > 20
    page.select_option("#language", label="Svenska")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


# --- the quick exit ------------------------------------------------------------------------


def _assert_left_and_forgotten(page: Page, live: LiveServer, key: str) -> None:
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    expect(page.locator("body")).to_have_text(NEUTRAL_TEXT)
    assert page.evaluate("sessionStorage.length") == 0
    assert _wait_until(lambda: key not in live.session_keys()), "the session is still stored"
    # The chat was replaced in the history, not left behind it: Back does not return to it.
    page.go_back()
    assert not page.url.startswith(live.url + "/?") and page.url != live.url + "/"


def test_the_quick_exit_button_leaves_and_forgets(server: LiveServer, open_chat: OpenChat) -> None:
    page = open_chat(server)
    key = server.key(_token(page))
    assert key in server.session_keys()
    page.locator("#quick-exit").click()
    _assert_left_and_forgotten(page, server, key)


def test_the_first_tab_stop_is_the_way_out_and_enter_takes_it(
    server: LiveServer, open_chat: OpenChat
) -> None:
    """As GOV.UK's "Exit this page": the first Tab shows a link that leaves and forgets."""
    page = open_chat(server)
    key = server.key(_token(page))
    page.keyboard.press("Tab")
    skip = page.locator("#skip-exit")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_text("Lämna sidan snabbt")
    page.keyboard.press("Enter")
    _assert_left_and_forgotten(page, server, key)


def test_the_page_has_one_heading_and_the_typing_row_is_a_named_landmark(
    server: LiveServer, open_chat: OpenChat
) -> None:
    """axe-core's page-has-heading-one and region rules: a heading for screen readers, and
    the typing row inside a landmark of its own."""
    page = open_chat(server)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("form", name="Skriv till Lotsen")).to_be_attached()


def test_shift_pressed_three_times_leaves_and_forgets(
    server: LiveServer, open_chat: OpenChat
) -> None:
    page = open_chat(server)
    key = server.key(_token(page))
    # Capital letters while typing are Shift presses too, with other keys between: no exit.
    page.locator("#message").focus()
    for letter in "HJA":
        page.keyboard.press(f"Shift+{letter}")
    assert page.url == server.url + "/"
    page.locator("#message").fill("")
    for _ in range(3):
        page.keyboard.press("Shift")
    _assert_left_and_forgotten(page, server, key)


def test_each_shift_press_says_how_many_more_leave_the_page(
    server: LiveServer, open_chat: OpenChat
) -> None:
    """As GOV.UK's "Exit this page": a screen reader hears that Shift counts, so a press by
    chance is understood and a person leaving knows it works; any other key starts again."""
    page = open_chat(server)
    count = page.get_by_role("status").and_(page.locator("#exit-count"))
    page.keyboard.press("Shift")
    expect(count).to_have_text(TEXTS["web_quick_exit_two_more"])
    page.keyboard.press("Shift")
    expect(count).to_have_text(TEXTS["web_quick_exit_one_more"])
    page.keyboard.press("a")
    expect(count).to_have_text("")
    page.keyboard.press("Shift")
    expect(count).to_have_text(TEXTS["web_quick_exit_two_more"])
    assert page.url == server.url + "/"


def test_the_shift_shortcut_is_told_only_where_there_is_a_keyboard(
    browser: Browser, server: LiveServer
) -> None:
    """A phone has no Shift key: its reader is not told about one."""
    hint = TEXTS["web_quick_exit_keys"]
    with _tab(browser, locale="sv-SE", viewport=PHONE, is_mobile=True, has_touch=True) as phone:
        phone.goto(server.url + "/")
        expect(phone.locator("#exit-note")).to_be_visible()
        expect(phone.get_by_text(hint)).to_be_hidden()
    with _tab(browser, locale="sv-SE", viewport={"width": 1280, "height": 800}) as computer:
        computer.goto(server.url + "/")
        expect(computer.get_by_text(hint)).to_be_visible()


@pytest.mark.parametrize("locale", ["sv-SE", "en", "ar", "so"])
def test_the_first_choices_are_on_the_first_screen_of_a_small_phone(
    browser: Browser, tmp_path: Path, locale: str
) -> None:
    """At 360x640 on a touch phone, with the quick exit's note showing: the greeting and the
    first option, whole and above the typing row, without scrolling (it was two to three
    screens down)."""
    with (
        _live(tmp_path) as live,
        _tab(browser, locale=locale, **SMALL_PHONE) as page,
    ):
        page.goto(live.url + "/")
        first = page.locator("#choices button").first
        expect(first).to_be_visible()
        expect(page.locator("#exit-note")).to_be_visible()
        page.wait_for_timeout(200)  # the page may not scroll by itself either
        assert page.evaluate("window.scrollY") == 0
        option = first.bounding_box()
        typing = page.locator("#composer").bounding_box()
        assert option is not None and typing is not None
        assert option["y"] + option["height"] <= typing["y"], (option, typing)


FOCUSED_BOX = """() => {
  const box = (element) => element.getBoundingClientRect();
  const focused = document.activeElement;
  return {
    choice: focused.classList.contains("choice"),
    top: box(focused).top,
    bottom: box(focused).bottom,
    bar: box(document.querySelector("header.top")).bottom,
    typing: box(document.querySelector("#composer")).top,
  };
}"""


def test_a_button_reached_with_tab_is_whole_between_the_top_bar_and_the_typing_row(
    browser: Browser, tmp_path: Path
) -> None:
    """axe-core's target-size, and a keyboard user's eyes: every option Tab reaches on a
    phone-sized page is scrolled fully into view, neither under the top bar nor the typing
    row."""
    with _live(tmp_path) as live, _tab(browser, locale="sv-SE", viewport=PHONE) as page:
        page.set_viewport_size({"width": 360, "height": 640})
        page.goto(live.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        seen = 0
        for _ in range(20):
            page.keyboard.press("Tab")
            where = page.evaluate(FOCUSED_BOX)
            if where["choice"]:
                seen += 1
                assert where["bar"] <= where["top"], where
                assert where["bottom"] <= where["typing"], where
        assert seen >= 9  # the menu's options and 112


def test_the_quick_exit_is_explained_once_before_first_use(
    server: LiveServer, open_chat: OpenChat
) -> None:
    page = open_chat(server)
    note = page.locator("#exit-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Det raderar inte din webbhistorik")
    note.get_by_role("button", name="Jag förstår").click()
    expect(note).to_be_hidden()
    expect(page.locator("#message")).to_be_focused()
    page.reload()
    expect(page.locator("#log .message.bot").first).to_be_visible()
    expect(page.locator("#exit-note")).to_be_hidden()


HOST = "http://kommun.test"  # a made-up site, served by the browser's request routing


def _host_page(page: Page, chat_url: str) -> None:
    """Serve a municipality's page embedding the chat at ``HOST``, without any network."""
    html = f'<!doctype html><title>Kommunen</title><iframe src="{chat_url}/"></iframe>'
    page.route(f"{HOST}/**", lambda route: route.fulfill(body=html, content_type="text/html"))


def test_an_embedded_chat_works_and_its_quick_exit_leaves_the_whole_window(
    tmp_path: Path, browser: Browser
) -> None:
    settings = WebSettings(exit_url=NEUTRAL_PATH, frame_ancestors=HOST)
    with LiveServer(tmp_path / "db", CONTENT, clock=Clock(), settings=settings) as live:
        context = browser.new_context(locale="sv-SE", viewport=PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            _host_page(page, live.url)
            page.goto(f"{HOST}/")
            chat = page.frame_locator("iframe")
            expect(chat.locator("#log .message.bot").first).to_be_visible()
            frame = page.frames[1]
            key = live.key(str(frame.evaluate("sessionStorage.getItem('lotsen.session')")))
            assert key in live.session_keys()
            chat.locator("#quick-exit").click()
            page.wait_for_url(f"{live.url}{NEUTRAL_PATH}")
            assert _wait_until(lambda: key not in live.session_keys())
        finally:
            context.close()


def test_a_site_not_allowed_to_embed_the_chat_gets_nothing(
    server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        _host_page(page, server.url)
        page.goto(f"{HOST}/")  # waits for the frame's load too
        # The browser refused to render the chat in the frame, and said why.
        assert _wait_until(lambda: any("frame-ancestors 'none'" in text for text in console))
        assert not page.frames[1].url.startswith(server.url)
        assert server.session_keys() == set()
    finally:
        context.close()


# --- safety of what is shown ---------------------------------------------------------------


def test_typed_html_shows_as_text_and_runs_nothing(server: LiveServer, open_chat: OpenChat) -> None:
    page = open_chat(server)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    attack = '<img src=x onerror="window.__pwned=1;alert(1)">'
    page.locator("#message").fill(attack)
    page.locator("#message").press("Enter")
    own = page.locator("#log .message.own p").last
    expect(own).to_have_text(attack)
    expect(page.locator("#message")).to_have_value("")
    page.wait_for_timeout(300)  # time for an error event of a broken image, were there one
    assert page.locator("#log img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_keyboard_alone_reaches_an_answer_with_a_visible_focus(
    tmp_path: Path, open_chat: OpenChat, pack: Pack
) -> None:
    with LiveServer(tmp_path / "db", pack.content, clock=pack.clock) as live:
        page = open_chat(live)
        for label in path_to(pack.content, pack.social):
            for _ in range(40):
                page.keyboard.press("Tab")
                focused = page.evaluate("document.activeElement.textContent.trim()")
                if focused == label:
                    break
            else:
                raise AssertionError(f"Tab never reached the button {label!r}")
            ring = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth]; })()"
            )
            assert ring == ["solid", "3px"]
            page.keyboard.press("Enter")
            expect(page.locator("#log .message.own p").last).to_have_text(label)
        expect(page.locator("#log")).to_contain_text(_expected(pack.content, pack.social))


# --- a lost answer -------------------------------------------------------------------------


def test_an_answer_lost_on_the_way_is_asked_for_again_and_the_turn_taken_once(
    server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(locale="sv-SE", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    events: list[dict[str, Any]] = []

    def lose_the_answer_to_the_press(route: Route) -> None:
        events.append(route.request.post_data_json)
        if len(events) == 2:  # after the start: the first press
            route.fetch()  # the server takes the turn and answers ...
            route.abort()  # ... and the answer never reaches the page
        else:
            route.continue_()

    page.route("**/api/event", lose_the_answer_to_the_press)
    page.goto(server.url + "/")
    page.locator("#choices").get_by_role("button", name="Börja", exact=True).click()
    expect(page.locator("#log .message.bot", has_text="Vad vill du veta?")).to_have_count(1)
    start, press, retry = events
    assert press == retry and press["type"] == "choice"  # the same event, with the same id
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", press["id"]) and start["id"] != press["id"]
    expect(page.locator("#log")).not_to_contain_text("Den knappen är gammal.")
    expect(page.locator("#status")).to_have_text("")
    turns = sum(row[-1] for row in tables(server.database)["usage"])
    assert turns == 2  # the start and the press: the retry was answered, not taken again
    context.close()
    assert errors == []


# --- screenshots ---------------------------------------------------------------------------


def test_screenshots_of_every_language(
    tmp_path: Path, open_chat: OpenChat, every_language: Pack
) -> None:
    """One screenshot per language, on a phone, at the social services explanation, and one
    of the first screen (with the quick exit explained): look at them
    (tests/artifacts/web-chat-*.png) after changing the page."""
    pack = every_language
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(tmp_path / "db", pack.content, clock=pack.clock) as live:
        for language in pack.content.languages:
            page = open_chat(live, locale=language.code, scale=2)
            expected_dir = "rtl" if language.rtl else "ltr"
            expect(page.locator("html")).to_have_attribute("dir", expected_dir)
            page.screenshot(path=ARTIFACTS / f"web-chat-{pack.name}-{language.code}-first.png")
            page.locator("#exit-note").get_by_role("button").click()
            _press_the_way(page, pack.content, pack.social, language.code)
            page.screenshot(path=ARTIFACTS / f"web-chat-{pack.name}-{language.code}.png")


SHIFTS = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("locale", ["sv-SE", "ar"])
def test_nothing_moves_while_the_page_loads_on_a_slow_phone(
    browser: Browser, tmp_path: Path, locale: str
) -> None:
    """The language menu and the exit note used to appear after the first paint and push the
    quick exit 56 px down under a thumb (layout shift 0.957). With the script and the API
    slowed as on a phone, the page's layout shift stays under 0.05 and the quick exit stays
    where it was first drawn."""
    content = _real_pack().content
    with (
        LiveServer(tmp_path / "db", content, clock=lambda: datetime.now(UTC)) as live,
        _tab(browser, locale=locale, **SMALL_PHONE) as page,
    ):
        page.add_init_script(SHIFTS)

        def slowly(route: Route) -> None:
            time.sleep(0.6)  # the script and the first answers arrive after the first paint
            route.continue_()

        page.route("**/static/chat.js", slowly)
        page.route("**/api/**", slowly)
        page.goto(live.url + "/")
        first_exit = page.locator("#quick-exit").bounding_box()
        expect(page.locator("#choices button").first).to_be_attached()
        time.sleep(0.5)
        shift = page.evaluate("window.__shift")
        assert shift < 0.05, shift
        assert page.locator("#quick-exit").bounding_box() == first_exit


BUSY_WATCH = """
window.__clickAt = null; window.__busyAt = null; window.__answeredAt = null;
document.addEventListener("click", () => { window.__clickAt ??= performance.now(); }, true);
new MutationObserver((changes) => {
  for (const change of changes) {
    const target = change.target;
    if (change.type === "attributes" && target.matches("#choices button") &&
        target.getAttribute("aria-busy") === "true") window.__busyAt ??= performance.now();
  }
}).observe(document.getElementById("choices"), {subtree: true, attributes: true});
new MutationObserver(() => { window.__answeredAt ??= performance.now(); })
  .observe(document.getElementById("log"), {childList: true});
"""


def test_a_slow_answer_shows_the_pressed_button_busy_at_once(
    server: LiveServer, browser: Browser
) -> None:
    with _tab(browser, locale="sv-SE", viewport=PHONE) as page:
        page.goto(server.url + "/")
        expect(
            page.locator("#choices").get_by_role("button", name="Börja", exact=True)
        ).to_be_visible()
        start = page.locator("#choices button").first  # "Börja" (a pending one reads "Börja …")

        def slowly(route: Route) -> None:
            time.sleep(1.0)
            route.continue_()

        page.route("**/api/event", slowly)
        page.evaluate(BUSY_WATCH)
        start.click()
        expect(page.locator("#log .message.bot", has_text="Vad vill du veta?")).to_have_count(1)
        clicked, busy, answered = page.evaluate(
            "[window.__clickAt, window.__busyAt, window.__answeredAt]"
        )
        assert busy is not None and busy - clicked < 100  # milliseconds, in the page's own clock
        assert answered is not None and answered - clicked > 900  # while the answer was on its way
        expect(page.locator("#choices")).not_to_have_attribute("aria-busy", "true")


def test_a_failed_turn_says_so_in_the_typing_row_and_the_retry_is_answered_once(
    server: LiveServer, browser: Browser
) -> None:
    """No answer at all (the connection is down): the error and "Försök igen" appear next to
    the typing row, what was typed stays, and the retry, once the connection is back, is
    answered once."""
    with _tab(browser, locale="sv-SE", viewport={"width": 360, "height": 640}) as page:
        page.goto(server.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        page.route("**/api/event", lambda route: route.abort())
        page.locator("#message").fill("hjälp oss")
        page.locator("#send").click()
        trouble = page.locator("#trouble")
        expect(trouble).to_be_visible()
        expect(page.locator("#status")).to_have_text("Något gick fel.")
        retry = page.get_by_role("button", name="Försök igen")
        expect(retry).to_be_in_viewport()  # not drawn off-screen under the buttons
        expect(page.locator("#message")).to_have_value("hjälp oss")

        page.unroute("**/api/event")
        retry.click()
        expect(trouble).to_be_hidden()
        expect(page.locator("#message")).to_have_value("")
        expect(page.locator("#log .message.own", has_text="hjälp oss")).to_have_count(1)
        turns = sum(row[-1] for row in tables(server.database)["usage"])
        assert turns == 2  # the start and the typed text, once


def test_a_first_request_that_fails_offers_a_retry_that_starts_the_chat(
    server: LiveServer, browser: Browser
) -> None:
    with _tab(browser, locale="sv-SE", viewport=PHONE) as page:
        page.route("**/api/event", lambda route: route.abort())
        page.goto(server.url + "/")
        retry = page.get_by_role("button", name="Försök igen")
        expect(retry).to_be_visible()
        page.unroute("**/api/event")
        retry.click()
        expect(
            page.locator("#choices").get_by_role("button", name="Börja", exact=True)
        ).to_be_visible()


def test_the_language_menu_changes_the_language_on_confirmation_only(
    browser: Browser, tmp_path: Path
) -> None:
    """WCAG 3.2.2: arrow keys move through the menu without turning the page into each
    language on the way; Enter confirms."""
    with _live(tmp_path) as live, _tab(browser, locale="sv-SE", viewport=PHONE) as page:
        page.goto(live.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        events: list[dict[str, Any]] = []
        page.on(
            "request",
            lambda request: (
                events.append(request.post_data_json)
                if request.url.endswith("/api/event")
                else None
            ),
        )
        menu = page.locator("#language")
        menu.focus()
        menu.press("ArrowDown")
        menu.press("ArrowDown")
        page.wait_for_timeout(300)
        assert events == [] and page.locator("html").get_attribute("lang") == "sv"
        menu.press("Enter")
        expect(page.locator("html")).not_to_have_attribute("lang", "sv")
        assert len(events) == 1 and events[0]["type"] == "choice"


def test_a_new_answer_starts_below_the_top_bar_whatever_its_height(
    browser: Browser, tmp_path: Path
) -> None:
    """In Arabic on a narrow phone (a folding phone's outer screen is 280 px wide) the 112
    link and the exit button wrap, and the top bar is taller than a fixed scroll padding: the
    start of each new answer still shows below it."""
    with (
        _live(tmp_path) as live,
        _tab(browser, locale="ar", viewport={"width": 280, "height": 640}) as page,
    ):
        page.goto(live.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        before = page.locator("#log .message").count()
        page.locator("#choices button").nth(2).click()  # a long answer: social services
        expect(page.locator("#log .message")).not_to_have_count(before)
        page.wait_for_timeout(300)
        first_new = page.locator("#log .message").nth(before)  # the press's echo: scrolled to
        top_bar = page.locator("header.top").bounding_box()
        box = first_new.bounding_box()
        assert top_bar is not None and box is not None
        assert top_bar["height"] > 136  # taller than the old fixed 8.5rem
        assert box["y"] >= top_bar["y"] + top_bar["height"] - 1, (box, top_bar)


@pytest.mark.parametrize("scale", [1, 2], ids=["320x256", "200% zoom"])
def test_a_small_screen_keeps_the_conversation_visible_and_never_scrolls_sideways(
    browser: Browser, tmp_path: Path, scale: int
) -> None:
    """WCAG 1.4.10 reflow: at 320x256 CSS px (and zoomed to 200%, which halves them), no
    horizontal scrolling, the bars do not cover the conversation, the quick exit stays."""
    content = _real_pack().content
    with LiveServer(tmp_path / "db", content, clock=lambda: datetime.now(UTC)) as live:
        size = {"width": 320 // scale, "height": 256 // scale} if scale > 1 else None
        with _tab(browser, locale="sv-SE", viewport=size or {"width": 320, "height": 256}) as page:
            page.goto(live.url + "/")
            expect(page.locator("#choices button").first).to_be_attached()
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= page.viewport_size["width"], width  # type: ignore[index]
            for bar in ("header.top", "#composer"):
                assert page.locator(bar).evaluate("e => getComputedStyle(e).position") == "static"
            page.locator("#choices button").first.scroll_into_view_if_needed()
            expect(page.locator("#quick-exit")).to_be_in_viewport()


# --- axe-core ------------------------------------------------------------------------------

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def _serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.skipif(
    not AXE.exists(),
    reason="no axe-core: `npm ci --prefix tests/axe` installs the pinned version (.ci/run does)",
)
@pytest.mark.parametrize("locale", ["sv-SE", "ar"])
@pytest.mark.parametrize("screen", ["phone", "computer"])
def test_axe_core_finds_nothing_serious_or_critical(
    browser: Browser, tmp_path: Path, locale: str, screen: str
) -> None:
    """axe-core (pinned in tests/axe/package.json) on the shipped pack: the first screen with
    the quick exit's note, an answer with contact cards, and a failed turn with its retry."""
    content = _real_pack().content
    device = SMALL_PHONE if screen == "phone" else {"viewport": {"width": 1280, "height": 800}}
    with (
        _live(tmp_path) as live,
        # axe is added as a script of the page's own, which its CSP would refuse.
        _tab(browser, locale=locale, bypass_csp=True, **device) as page,
    ):
        page.goto(live.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        found = {"first screen": _serious_violations(page)}
        _press_the_way(page, content, _social_step(content), locale.split("-")[0])
        found["contact cards"] = _serious_violations(page)
        page.route("**/api/event", lambda route: route.abort())
        page.locator("#choices button").first.click()
        expect(page.locator("#retry")).to_be_visible()
        found["failed turn"] = _serious_violations(page)
        assert found == {"first screen": [], "contact cards": [], "failed turn": []}


@pytest.mark.skipif(not AXE.exists(), reason="no axe-core: `npm ci --prefix tests/axe` installs it")
def test_the_axe_core_run_does_see_a_violation(browser: Browser, server: LiveServer) -> None:
    """The run above is no empty check: pale text on the options is reported as serious."""
    with _tab(browser, locale="sv-SE", viewport=PHONE, bypass_csp=True) as page:
        page.goto(server.url + "/")
        expect(page.locator("#choices button").first).to_be_visible()
        page.add_style_tag(content=".choice { color: #dddddd !important; }")
        assert any(line.startswith("color-contrast") for line in _serious_violations(page))
