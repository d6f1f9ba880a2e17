"""Translators' work end to end: a new language with no code change, fuzzy after a change,
placeholders checked, coverage reported."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.chat import run_chat
from bot.cli import main
from bot.flows.model import Content
from bot.i18n import catalogs
from bot.i18n import facts as facts_module
from bot.i18n.catalogs import read_catalog
from bot.i18n.facts import facts
from bot.pack.loader import load_pack
from tests.packs import HOME, write_pack

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def project(tmp_path: Path) -> Path:
    """A project folder: content/, babel.cfg, and locales/ with the POT extracted."""
    write_pack(tmp_path / "content")
    (tmp_path / "babel.cfg").write_text("[lotsen_yaml: content/**.yaml]\n")
    assert i18n(tmp_path, "update") == 0
    return tmp_path


def i18n(root: Path, *args: str) -> int:
    return main(["i18n", "--root", str(root), "--locales", str(root / "locales"), *args])


def translate(po: Path, translations: dict[str, str], header: str = "") -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for msgid, msgstr in translations.items():
        found = [message for message in catalog if message.id == msgid]  # in any context
        assert found, msgid
        for message in found:
            message.string = msgstr
            message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    if header:
        text = po.read_text("utf-8").replace('"MIME-Version', f'"{header}\\n"\n"MIME-Version', 1)
        po.write_text(text, "utf-8")


def chat(root: Path, script: str, lang: str, min_coverage: float = 0.0) -> str:
    result = load_pack(root / "content", min_coverage=min_coverage)
    assert result.content is not None, [p.format() for p in result.errors]
    out = io.StringIO()
    run_chat(result.content, lang=lang, stdin=io.StringIO(script), stdout=out, now=lambda: NOW)
    # Right-to-left output wraps numbers in invisible isolates; compare the visible text.
    return out.getvalue().replace("\u2066", "").replace("\u2069", "")


def test_a_new_language_needs_no_code_change(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert i18n(root, "init", "fa") == 0
    po = root / "locales" / "fa" / "LC_MESSAGES" / "messages.po"
    translate(po, {"Välkommen.": "خوش آمدید."})

    out = chat(root, "", lang="fa")
    assert "خوش آمدید." in out  # the one translated string, in the new language
    assert "Vad vill du veta?" in out  # the rest falls back to the source language

    languages = [b for b in chat(root, "/language\n", lang="sv").splitlines() if ") " in b]
    assert any(line.endswith(") فارسی") for line in languages), languages


def test_a_barely_translated_language_is_not_offered_above_the_threshold(tmp_path: Path) -> None:
    root = project(tmp_path)
    i18n(root, "init", "fa")
    translate(root / "locales/fa/LC_MESSAGES/messages.po", {"Välkommen.": "خوش آمدید."})
    content = load_pack(root / "content", min_coverage=90).content
    assert content is not None
    assert [language.code for language in content.languages] == ["sv"]


def test_a_changed_source_text_starts_untranslated_never_with_a_guess(tmp_path: Path) -> None:
    """Babel's fuzzy matching pre-filled new texts with translations of similar ones (wrong
    hours, the wrong authority); a changed text now shows the source until translated."""
    root = project(tmp_path)
    i18n(root, "init", "en")
    po = root / "locales/en/LC_MESSAGES/messages.po"
    translate(po, {"Ingen läser chatten.": "Nobody reads the chat."})
    assert "Nobody reads the chat." in chat(root, "1\n", lang="en")

    flow = root / "content/flows/home.yaml"
    flow.write_text(HOME.replace("Ingen läser chatten.", "Ingen människa läser chatten."))
    assert i18n(root, "update") == 0

    with po.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get("Ingen människa läser chatten.", "home.about")
    assert message is not None and message.string == "" and not message.fuzzy
    assert message.locations == [("content/flows/home.yaml", 14)]
    # The old translation is kept as an obsolete entry, for the translator to copy from.
    assert catalog.obsolete["Ingen läser chatten.", "home.about"].string == "Nobody reads the chat."
    out = chat(root, "1\n", lang="en")
    assert "Nobody reads the chat." not in out
    assert "Ingen människa läser chatten." in out


LONG = "Ingen läser chatten, och det du skriver sparas inte någonstans, inte ens en kort stund."


def test_update_round_trips_a_catalog_and_repairs_previous_sources(tmp_path: Path) -> None:
    """Babel read ``#| msgid`` (Poedit's, Weblate's) as a translator comment and wrote it
    back as ``# | msgid``: each update damaged the catalog further."""
    root = project(tmp_path)
    i18n(root, "init", "en")
    po = root / "locales/en/LC_MESSAGES/messages.po"
    translate(po, {"Välkommen.": "Welcome.", "Ingen läser chatten.": "Nobody reads it."})
    text = po.read_text("utf-8")
    # A fuzzy entry as GNU gettext writes it (its previous source over two lines), and the
    # damage an older update left on a reviewed one.
    text = text.replace(
        'msgid "Välkommen."',
        f'#, fuzzy\n#| msgid ""\n#| "{LONG[:40]}"\n#| "{LONG[40:]}"\nmsgid "Välkommen."',
    ).replace(
        'msgid "Ingen läser chatten."', '# | msgid "Ingen läser."\nmsgid "Ingen läser chatten."'
    )
    po.write_text(text, "utf-8")

    assert i18n(root, "update") == 0
    once = po.read_text("utf-8")
    assert i18n(root, "update") == 0
    twice = po.read_text("utf-8")

    assert once == twice
    assert "# |" not in once
    with po.open("rb") as handle:
        catalog = read_po(handle)
    welcome = catalog.get("Välkommen.", "home.welcome")
    assert welcome is not None and welcome.fuzzy and welcome.string == "Welcome."
    # Written as GNU gettext writes it, so Poedit and Weblate show the previous source.
    assert '#| msgid ""\n#| "Ingen läser chatten, och det' in once
    previous = [line[4:-1] if line.startswith('#| "') else "" for line in once.splitlines()]
    assert "".join(previous) == LONG


def test_check_fails_when_the_content_changed_and_the_catalogs_did_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    i18n(root, "init", "en")
    assert i18n(root, "check", "--content", str(root / "content")) == 0
    flow = root / "content/flows/home.yaml"
    flow.write_text(HOME.replace("Ingen läser chatten.", "Ingen människa läser chatten."))
    capsys.readouterr()

    assert i18n(root, "check", "--content", str(root / "content")) == 1
    err = capsys.readouterr().err
    assert "messages.pot: out of date" in err
    assert "en/LC_MESSAGES/messages.po: out of date" in err
    assert "content/flows/home.yaml:14 'Ingen människa läser chatten.'" in err
    assert "1 no longer in the content: 'Ingen läser chatten.'" in err

    assert i18n(root, "update") == 0
    assert i18n(root, "check", "--content", str(root / "content")) == 0


def test_init_starts_a_language_from_the_content_as_it_is_now(tmp_path: Path) -> None:
    root = project(tmp_path)
    flow = root / "content/flows/home.yaml"
    flow.write_text(HOME.replace("Ingen läser chatten.", "Ingen människa läser chatten."))
    assert i18n(root, "init", "fa") == 0  # no `update` in between: the template is stale
    with (root / "locales/fa/LC_MESSAGES/messages.po").open("rb") as handle:
        assert read_po(handle).get("Ingen människa läser chatten.", "home.about") is not None


def test_check_needs_only_offered_languages_complete_and_their_safety_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A language the README's way (`i18n init fa`) does not break `make test` while it is
    below the threshold; once offered, its 112 texts must be translated."""
    root = project(tmp_path)
    content = ["--content", str(root / "content")]
    i18n(root, "init", "fa")
    assert i18n(root, "check", "--min", "100", *content) == 0  # 0%: not offered yet

    po = root / "locales/fa/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        every = [str(m.id) for m in read_po(handle) if m.id]
    translate(
        po, {msgid: f"[fa] {msgid}" for msgid in every if msgid != "Ring 112 om någon är i fara."}
    )
    monkeypatch.setenv("LOTSEN_MIN_LANGUAGE_COVERAGE", "50")
    capsys.readouterr()
    assert i18n(root, "check", *content) == 1
    err = capsys.readouterr().err
    assert "fa is offered" in err and "1 safety-critical text(s) are not translated" in err
    assert "step `emergency.now`: 'Ring 112 om någon är i fara.'" in err
    assert i18n(root, "stats", *content) == 0  # stats counts them, per language
    assert "safety-critical texts not translated" in (out := capsys.readouterr().out)
    assert ": fa 1; `lotsen i18n check` lists them" in out

    translate(po, {"Ring 112 om någon är i fara.": "[fa] 112"})
    assert i18n(root, "check", "--min", "100", *content) == 0


def test_a_translation_with_other_placeholders_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    i18n(root, "init", "en")
    po = root / "locales/en/LC_MESSAGES/messages.po"
    translate(po, {"Kommandon: {commands}": "Commands: {kommandon}"})
    result = load_pack(root / "content")
    (problem,) = result.errors
    assert problem.code == "placeholder-mismatch"
    assert problem.file == str(po)
    line = po.read_text("utf-8").splitlines()[problem.line - 1]
    assert line == 'msgid "Kommandon: {commands}"'


def test_a_translation_with_other_numbers_or_addresses_is_an_error_at_its_line(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    i18n(root, "init", "ar")
    po = root / "locales/ar/LC_MESSAGES/messages.po"
    translate(
        po,
        {
            "Ring 112 om någon är i fara.": "اتصل بالرقم ١١٢ إذا كان أحد في خطر.",  # its digits
            "Ingen läser chatten.": "لا أحد يقرأ المحادثة، ٩-١٥.",  # noqa: RUF001 (hours the source lacks)
            "Kommandon: {commands}": "الأوامر: {commands}",
        },
    )
    result = load_pack(root / "content")
    assert not result.errors
    (added,) = [p for p in result.problems if p.code == "fact-mismatch"]
    assert added.level == "warning" and "numbers not in the source: 15, 9" in added.message

    translate(po, {"Ring 112 om någon är i fara.": "اتصل بالرقم ١١٤ إذا كان أحد في خطر."})
    (problem,) = load_pack(root / "content").errors
    assert problem.code == "fact-mismatch" and problem.file == str(po)
    assert "numbers missing: 112" in problem.message
    assert "numbers not in the source: 114" in problem.message
    line = po.read_text("utf-8").splitlines()[problem.line - 1]
    assert line == 'msgid "Ring 112 om någon är i fara."'


def test_facts_are_compared_in_any_digit_script_and_addresses_exactly() -> None:
    source = facts("Ring 114 14, vardagar 8-16.30, eller skriv till info@polisen.se.")
    same = facts("Call ١١٤ ١٤ on weekdays 8-16.30, or write to info@polisen.se")
    assert source.differences(same) == []
    other = facts("Call 114 14 on weekdays 8-16.30, or write to info@polis.se")
    assert other.differences(source) == [
        "addresses missing: info@polis.se",
        "addresses not in the source: info@polisen.se",
    ]


@pytest.mark.parametrize(
    ("text", "numbers", "addresses"),
    [
        ("Läs mer på WWW.Polisen.se/tips2.", (), ("www.polisen.se/tips2",)),
        (
            "Se https://1177.se/Stockholm/ eller ring 1177",
            ("1177",),
            ("https://1177.se/stockholm/",),
        ),
        ("HTTP://EXAMPLE.SE:8080 dygnet runt", (), ("http://example.se:8080",)),
        ("Mejla TIPS@polisen.se, 24 timmar", ("24",), ("tips@polisen.se",)),
        ("Öppet 9-15, inga adresser", ("15", "9"), ()),
        ("Inga siffror alls", (), ()),
    ],
)
def test_facts_find_addresses_in_any_case_and_their_digits_are_not_numbers(
    text: str, numbers: tuple[str, ...], addresses: tuple[str, ...]
) -> None:
    found = facts(text)
    assert (found.numbers, found.addresses) == (numbers, addresses)


def test_stats_reports_coverage_and_review_status_and_gates_on_a_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    i18n(root, "init", "so")
    translate(
        root / "locales/so/LC_MESSAGES/messages.po",
        {"Välkommen.": "Soo dhawoow."},
        header="X-Review-Status: needs-native-review",
    )
    capsys.readouterr()
    assert i18n(root, "stats") == 0
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith("so ")]
    assert row and "Soomaali" in row[0] and "needs-native-review" in row[0]
    assert i18n(root, "stats", "--min", "100") == 1
    assert "below 100%: so" in capsys.readouterr().err
    # Babel drops headers it does not know on update; the review status must survive it.
    assert i18n(root, "update") == 0
    capsys.readouterr()
    assert i18n(root, "stats") == 0
    assert "needs-native-review" in capsys.readouterr().out


def test_trigger_words_typed_in_a_language_reach_the_same_step(tmp_path: Path) -> None:
    root = project(tmp_path)
    i18n(root, "init", "ar")
    translate(root / "locales/ar/LC_MESSAGES/messages.po", {"akut;i fara": "نجدة;خطر"})
    out = chat(root, "نجدة\n", lang="ar")
    assert out.count("Ring 112 om någon är i fara.") == 1
    # ... and from a Swedish session too: emergency words of every language reach 112.
    assert "Ring 112 om någon är i fara." in chat(root, "نجدة\n", lang="sv")


def test_a_catalog_is_parsed_again_only_when_its_bytes_change(tmp_path: Path) -> None:
    """A reload after an edit to one flow must not pay Babel's parser for every catalog, and
    must never serve an old catalog after a translator saved a new one."""
    path = tmp_path / "sv" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    po = header + 'msgid "Hej"\nmsgstr "%s"\n'
    path.write_text(po % "Hello", "utf-8")
    first = read_catalog(path, "sv")
    assert read_catalog(path, "sv") is first  # the same bytes: not parsed again
    path.write_text(po % "Hi", "utf-8")
    again = read_catalog(path, "sv")
    assert again is not first and again.messages == {"Hej": "Hi"}


def test_the_source_texts_facts_are_worked_out_once_for_all_catalogs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every catalog translates the same msgids: their facts are read once per load, however
    many catalogs and texts (an LRU cache of them missed every time past its size), and each
    translation is still compared with its own source text."""
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    sources = [f"Ring 020-{n:03d} 00 vardagar 9-12." for n in range(40)]
    for code in ("en", "ar", "fi"):
        wrong = code == "fi"  # one wrong number, in the last text of one catalog
        entries = [
            f'msgid "{text}"\nmsgstr "[{code}] '
            f'{text.replace("9-12", "9-13") if wrong and n == 39 else text}"\n'
            for n, text in enumerate(sources)
        ]
        po = tmp_path / code / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True)
        po.write_text(header + "\n".join(entries), "utf-8")
    read: list[str] = []
    real = facts_module.facts

    def counting(text: str) -> facts_module.Facts:
        read.append(text)
        return real(text)

    monkeypatch.setattr(facts_module, "facts", counting)
    monkeypatch.setattr(catalogs, "facts", counting)
    loaded = catalogs.load_catalogs(tmp_path)
    assert sorted(text for text in read if not text.startswith("[")) == sorted(sources)
    assert len(read) == len(sources) * 4  # each source once, each translation once
    assert [p.code for p in loaded["fi"].problems] == ["fact-mismatch"]
    assert "numbers missing: 12; numbers not in the source: 13" in loaded["fi"].problems[0].message
    assert loaded["en"].problems == loaded["ar"].problems == ()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_init_fills_the_header_for_translators_and_msgfmt(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert i18n(root, "init", "fa") == 0
    po = root / "locales/fa/LC_MESSAGES/messages.po"
    for _ in range(2):  # and the header survives an update
        header = po.read_text("utf-8").split("\n\n", 1)[0]
        assert '"Language-Team: Persian\\n"' in header
        assert '"Last-Translator: \\n"' in header  # left for the translator to fill
        assert '"X-Review-Status: needs-native-review\\n"' in header
        assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in header
        checked = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
        )
        assert (checked.returncode, checked.stderr) == (0, "")
        assert i18n(root, "update") == 0


def test_stats_and_check_refuse_a_review_status_they_do_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    i18n(root, "init", "so")
    po = root / "locales/so/LC_MESSAGES/messages.po"
    po.write_text(po.read_text("utf-8").replace("needs-native-review", "looks-ok"), "utf-8")
    capsys.readouterr()
    assert i18n(root, "stats") == 1
    assert "X-Review-Status has value 'looks-ok'; use one of needs-native-review, reviewed" in (
        capsys.readouterr().err
    )
    assert i18n(root, "check", "--content", str(root / "content")) == 1


def test_update_names_a_broken_catalog_at_its_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    i18n(root, "init", "en")
    i18n(root, "init", "so")
    broken = root / "locales/so/LC_MESSAGES/messages.po"
    broken.write_text(broken.read_text("utf-8") + 'msgid "x"\nbogus line\n', "utf-8")
    before = {p: p.read_bytes() for p in (root / "locales").rglob("*.po*")}
    capsys.readouterr()
    assert i18n(root, "update") == 1
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "po-syntax" in err and "nothing was updated" in err
    assert {p: p.read_bytes() for p in (root / "locales").rglob("*.po*")} == before


def test_a_card_states_the_structured_hours_in_the_persons_language() -> None:
    """The hours on a card come from the directory's structure (the note only adds), so a
    translation can never carry other hours than the ones "open now" is computed from."""
    content = load_pack(Path(__file__).resolve().parent.parent / "content").content
    assert content is not None and content.directory is not None
    from bot.engine.render import service_card
    from bot.i18n.renderer import renderer_for

    card = service_card(content, content.directory.services["orostelefonen"], NOW)
    hours = {
        lang: [f.text for f in renderer_for(content, lang).card(card) if f.kind == "hours"]
        for lang in (None, "en", "ar")
    }
    assert hours[None] == ["Öppet: mån\u2013fre 09:00\u201312:00, stängt helgdagar"]
    assert hours["en"] == [
        "Open: Mon\u2013Fri 9:00\u202fAM\u201312:00\u202fPM, closed on public holidays"
    ]
    (arabic,) = hours["ar"]  # the Arabic comma, and the times kept left to right
    assert "\u060c" in arabic and "\u20669:00\u2069" in arabic and "الاثنين" in arabic


def test_a_cards_hours_are_kept_per_pack_and_language() -> None:
    """Worked out once per pack, language and service: a pack made from another with other
    words (a reload) states its own, and each language keeps its own."""
    from dataclasses import replace

    from bot.engine.render import service_card
    from bot.i18n.renderer import renderer_for

    content = load_pack(Path(__file__).resolve().parent.parent / "content").content
    assert content is not None and content.directory is not None
    card = service_card(content, content.directory.services["orostelefonen"], NOW)
    reloaded = replace(content, texts={**content.texts, "card_hours": "Tider"})

    def hours(pack: Content, lang: str | None) -> str:
        return next(f.text for f in renderer_for(pack, lang).card(card) if f.kind == "hours")

    assert hours(content, None).startswith("Öppet: mån")
    assert hours(reloaded, None).startswith("Tider: mån")
    assert hours(content, "en").startswith("Open: Mon")
    assert hours(content, None).startswith("Öppet: mån")  # the first pack kept its own


def test_texts_are_kept_per_pack_language_and_page() -> None:
    """A text without values is rendered once per pack and language: a pack made from
    another with a corrected translation says the correction, the first pack its own, and
    the web page's wording stays the page's."""
    from dataclasses import replace

    from bot.engine.replies import Phrase
    from bot.i18n.renderer import renderer_for

    content = load_pack(Path(__file__).resolve().parent.parent / "content").content
    assert content is not None
    msgid = content.texts["nav_menu"]
    fixed = {**content.translations["en"], msgid: "Back to the start"}
    corrected = replace(content, translations={**content.translations, "en": fixed})
    menu = Phrase(msgid)
    first = renderer_for(content, "en").text(menu)
    assert renderer_for(corrected, "en").text(menu) == "Back to the start" != first
    assert renderer_for(content, "en").text(menu) == first
    assert renderer_for(content, "sv").text(menu) == msgid
    page = Phrase("Tryck på knappen", web="Klicka på knappen")
    assert renderer_for(content, "sv").text(page) == "Tryck på knappen"
    assert renderer_for(content, "sv", on_web_page=True).text(page) == "Klicka på knappen"


TWICE = HOME.replace("say: Ingen läser chatten.", "say: Välkommen.")  # the text in two steps


def test_the_same_text_in_two_steps_can_be_translated_two_ways(tmp_path: Path) -> None:
    """Each step's text has its flow.step as msgctxt, so one Swedish text can read
    differently where it stands."""
    root = project(tmp_path)
    (root / "content/flows/home.yaml").write_text(TWICE, "utf-8")
    assert i18n(root, "update") == 0
    assert i18n(root, "init", "en") == 0
    po = root / "locales/en/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    catalog.get("Välkommen.", "home.welcome").string = "Welcome."
    catalog.get("Välkommen.", "home.about").string = "You are welcome to ask."
    with po.open("wb") as handle:
        write_po(handle, catalog)
    out = chat(root, "1\n", lang="en")
    assert out.index("Welcome.") < out.index("You are welcome to ask.")


def test_a_catalog_from_before_contexts_keeps_every_translation(tmp_path: Path) -> None:
    root = project(tmp_path)
    i18n(root, "init", "en")
    po = root / "locales/en/LC_MESSAGES/messages.po"
    translate(po, {"Välkommen.": "Welcome.", "Ingen läser chatten.": "Nobody reads the chat."})
    # As the catalog was before msgctxt: the same messages without their contexts.
    text = "\n".join(
        line for line in po.read_text("utf-8").splitlines() if not line.startswith("msgctxt")
    )
    po.write_text(text + "\n", "utf-8")
    assert i18n(root, "update") == 0
    with po.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.get("Välkommen.", "home.welcome").string == "Welcome."
    assert catalog.get("Ingen läser chatten.", "home.about").string == "Nobody reads the chat."
    assert not catalog.obsolete  # the context-less copies are not kept as history
    assert "Nobody reads the chat." in chat(root, "1\n1\n", lang="en")


def test_check_sees_a_known_text_in_a_new_step_as_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    (root / "content/flows/home.yaml").write_text(TWICE, "utf-8")  # "Välkommen." again
    capsys.readouterr()
    assert i18n(root, "check", "--content", str(root / "content")) == 1
    assert "content/flows/home.yaml:14 'Välkommen.'" in capsys.readouterr().err
