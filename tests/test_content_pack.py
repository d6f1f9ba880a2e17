"""The shipped content pack, walked as a person would: valid, honest, and 112 one action away."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date

import pytest

from bot.directory.local_checks import is_local, local_problems
from bot.engine import Choice, Text, step
from bot.flows.model import Content, join_words, split_words
from bot.pack.loader import load_pack
from tests.shipped import CONTENT, NOW, ROOT, TODAY, at

DOMAIN = ROOT.parent / "shared" / "DOMAIN.md"
SHIPPED = ("sv", "en", "ar", "so")


@pytest.fixture(scope="module")
def content() -> Content:
    result = load_pack(CONTENT, today=TODAY)
    assert result.content is not None, [p.format() for p in result.errors]
    return result.content


def test_the_pack_validates_without_errors_or_warnings() -> None:
    result = load_pack(CONTENT, today=TODAY)
    assert [p.format() for p in result.problems] == []


def test_112_is_one_press_away_from_every_step(content: Content) -> None:
    for ref, current in content.steps.items():
        if not current.rests or ref == content.emergency:
            continue
        # Text that matches nothing shows the step's buttons again.
        shown = step(content, at(content, ref), Text("?"), NOW).replies
        emergency = [b for r in shown for b in r.buttons if b.action == "emergency"]
        assert emergency, f"{ref} shows no 112 button"
        pressed = step(content, at(content, ref), Choice(emergency[0].token), NOW)
        assert pressed.session is not None and pressed.session.step == content.emergency, ref


def test_an_emergency_word_typed_anywhere_reaches_112(content: Content) -> None:
    for ref in content.steps:
        if content.steps[ref].rests:
            turn = step(content, at(content, ref), Text("Det är akut!"), NOW)
            assert turn.session is not None and turn.session.step == content.emergency, ref


def test_the_emergency_step_names_112_and_the_police(content: Content) -> None:
    shown = step(content, at(content, "home.menu"), Choice("n.emergency"), NOW).replies
    phones = {card.phone for reply in shown for card in reply.contacts}
    assert {"112", "114 14"} <= phones


def chat(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--content", str(CONTENT), *args],
        input=script,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def test_a_scripted_chat_reaches_the_social_services_explanation_in_one_press(
    content: Content,
) -> None:
    out = chat("3\n")  # a file of presses, as an editor would write one
    intro = content.steps["social.intro"].say[0].split(".")[0]
    assert intro in out
    assert out.count("\n  1) ") == 2  # two menus shown: the start, then the explanation


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_shipped_language_reaches_the_social_services_explanation(
    content: Content, lang: str
) -> None:
    catalog = content.translations.get(lang, {})
    intro = content.steps["social.intro"].say[0]
    expected = catalog.get(intro, intro) if lang != content.source_language else intro
    if lang != content.source_language:
        assert intro in catalog, f"{lang}: the social-services explanation is not translated"
    out = chat("3\n", "--lang", lang)
    assert " ".join(expected.split())[:60] in " ".join(out.split())


def test_every_phone_number_in_the_pack_is_stated_in_domain_md(content: Content) -> None:
    """A national number is one of DOMAIN.md's; a municipality's own is quoted in
    content/SOURCES.md beside the page it was read on (the entry's ``source_url``)."""
    if not DOMAIN.is_file():
        pytest.skip(f"{DOMAIN} is not beside this checkout")
    domain = DOMAIN.read_text("utf-8")
    assert content.directory is not None
    for service in content.directory.services.values():
        for phone in service.phones if not service.example else ():
            if is_local(service) and phone.number != "112":
                quoted = _local_source(service.source_url)
                assert phone.number in quoted, f"{service.id}: {phone.number} not in SOURCES.md"
            else:
                assert phone.number in domain, f"{service.id}: {phone.number} not in DOMAIN.md"
    texts = [t for s in content.steps.values() for t in (*s.say, *(o.label for o in s.options))]
    for number in {n for t in texts for n in re.findall(r"\b\d[\d -]{4,}\d\b", t)}:
        assert number in domain, f"{number} is written in a flow but not stated in DOMAIN.md"


def test_every_contact_carries_a_source_and_a_verified_date(content: Content) -> None:
    assert content.directory is not None
    for service in content.directory.services.values():
        assert service.source.strip(), service.id
        assert date(2020, 1, 1) <= service.verified <= TODAY, service.id


@pytest.mark.parametrize("lang", [code for code in SHIPPED if code != "sv"])
def test_shipped_catalogs_are_complete(lang: str) -> None:
    from bot.i18n.catalogs import catalog_path, read_catalog

    stats = read_catalog(catalog_path(ROOT / "locales", lang), lang).stats
    assert (stats.untranslated, stats.fuzzy) == (0, 0), stats


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_gnu_msgfmt_accepts_every_catalog() -> None:
    catalogs = sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po"))
    assert catalogs
    for po in catalogs:
        done = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{po}: {done.stderr}"


QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,40})[\"“”«»]")


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_word_the_help_text_says_to_type_works_in_its_language(
    content: Content, lang: str
) -> None:
    """The Somali help said typing "dib" goes back while the back words lacked it: each
    word the help step quotes must be one of that language's emergency, menu or back words."""
    catalog = content.translations.get(lang, {}) if lang != content.source_language else {}
    words: set[str] = set()
    for kind in ("emergency", "menu", "back"):
        msgid = join_words(content.triggers[kind])
        words |= {w.lower() for w in split_words(catalog.get(msgid, msgid))}
    help_texts = [catalog.get(msgid, msgid) for msgid in content.steps[content.help].say]
    quoted = [word.lower() for text in help_texts for word in QUOTED.findall(text)]
    assert quoted, f"{lang}: the help step names no word to type"
    missing = [
        word
        for word in quoted
        if word not in words and not any(w.endswith("*") and word.startswith(w[:-1]) for w in words)
    ]
    assert not missing, f"{lang}: the help says to type {missing}, which do nothing"


def _local_source(url: str | None) -> str:
    """The paragraph of content/SOURCES.md that quotes the page at ``url``."""
    assert url is not None
    sources = (ROOT / "content" / "SOURCES.md").read_text("utf-8")
    paragraphs = sources.split("\n- ")
    found = [p for p in paragraphs if f"<{url}>" in p]
    assert found, f"{url} is not quoted in content/SOURCES.md"
    return " ".join(" ".join(found).split())


def test_every_local_fact_has_its_page_and_date_and_names_no_person(content: Content) -> None:
    """The issue's promise, on the shipped directory: each local entry names the page it was
    read on and when; no entry names a person (text or e-mail); none is left unfilled."""
    directory = content.directory
    assert directory is not None
    local = [s for s in directory.services.values() if is_local(s) and not s.example]
    assert len(local) >= 6
    for service in local:
        assert service.source_url is not None and service.source_url.startswith("http")
        assert service.verified <= date.today(), service.id
        assert service.source.strip(), service.id
    assert list(local_problems(directory)) == []
    written = "".join(p.read_text("utf-8") for p in (ROOT / "content/directory").rglob("*.yaml"))
    assert "FYLL I" not in written
