"""The Babel extractor for content YAML, as a pure function and through `pybabel extract`."""

from __future__ import annotations

import io
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from babel.messages.pofile import read_po

from bot.flows.model import join_words, split_words
from bot.i18n.extract import extract_yaml
from tests.packs import write_pack

FLOW = """\
title: Hem
steps:
  welcome:
    say: Välkommen.
    note: The first thing a worried parent reads.
    options:
      - label: Vidare
        goto: ask
  ask:
    say:
      - Hur gammal är personen?
      - Du kan skriva.
    ask:
      store: age
      goto: welcome
      keywords:
        child: [barn, son, dotter]
"""


def extract(text: str, name: str) -> list[tuple[int, str, list[str]]]:
    fileobj = io.BytesIO(text.encode("utf-8"))
    fileobj.name = name  # type: ignore[attr-defined]
    return [
        (line, message[1] if isinstance(message, tuple) else message, comments)
        for line, _, message, comments in extract_yaml(fileobj, {}, [], {})
    ]


def contexts(text: str, name: str) -> list[tuple[str | None, str]]:
    fileobj = io.BytesIO(text.encode("utf-8"))
    fileobj.name = name  # type: ignore[attr-defined]
    found = []
    for _, keyword, message, _ in extract_yaml(fileobj, {}, [], {}):
        if isinstance(message, tuple):
            assert keyword == "pgettext"  # Babel reads (context, text) through its keyword
            found.append(message)
        else:
            found.append((None, message))
    return found


def test_a_steps_texts_carry_the_step_as_their_context_and_word_lists_none() -> None:
    """The same Swedish text in two steps may need two translations (msgctxt flow.step)."""
    assert contexts(FLOW, "content/flows/home.yaml") == [
        (None, "Hem"),
        ("home.welcome", "Välkommen."),
        ("home.welcome", "Vidare"),
        ("home.ask", "Hur gammal är personen?"),
        ("home.ask", "Du kan skriva."),
        (None, "barn;son;dotter"),
    ]


def test_a_flow_yields_every_text_with_its_line_and_context() -> None:
    found = extract(FLOW, "content/flows/home.yaml")
    assert [(line, message) for line, message, _ in found] == [
        (1, "Hem"),
        (4, "Välkommen."),
        (7, "Vidare"),
        (11, "Hur gammal är personen?"),
        (12, "Du kan skriva."),
        (17, "barn;son;dotter"),
    ]
    comments = dict((message, c) for _, message, c in found)
    assert comments["Välkommen."] == [
        "Flow `home`, step `welcome`: message.",
        "Note: The first thing a worried parent reads.",
    ]
    assert "button" in comments["Vidare"][0]
    assert "separated by ';'" in comments["barn;son;dotter"][1]


def test_the_pack_yields_interface_texts_and_trigger_word_lists() -> None:
    pack = "texts:\n  forgotten: Allt är raderat.\ntriggers:\n  emergency: [akut, i fara]\n"
    found = extract(pack, "content/lotsen.yaml")
    assert [(line, message) for line, message, _ in found] == [
        (2, "Allt är raderat."),
        (4, "akut;i fara"),
    ]
    assert found[1][2][0].startswith("Words that jump to the emergency")


def test_the_pack_yields_concern_and_everyday_word_lists_with_how_to_write_them() -> None:
    pack = (
        "triggers:\n  everyday: [skjuta upp]\n"
        "concerns:\n  violence:\n    step: safety.violence\n    words: [kniv*, vapen]\n"
    )
    found = extract(pack, "content/lotsen.yaml")
    assert [(line, message) for line, message, _ in found] == [
        (2, "skjuta upp"),
        (6, "kniv*;vapen"),
    ]
    assert "Harmless everyday phrases" in found[0][2][0]
    assert "`violence`" in found[1][2][0]
    assert "`*`" in found[1][2][1]


def test_a_retired_contacts_file_yields_nothing() -> None:
    contacts = "contacts:\n  bris:\n    name: BRIS\n    hours: Dygnet runt.\n"
    assert extract(contacts, "content/contacts.yaml") == []


def test_broken_yaml_yields_nothing_rather_than_failing() -> None:
    assert extract("steps: [\n", "content/flows/x.yaml") == []


def test_word_lists_round_trip() -> None:
    assert split_words(join_words(["akut", "i fara"])) == ("akut", "i fara")
    assert split_words(" emergency ; help;;") == ("emergency", "help")


def test_the_extractor_is_installed_under_the_babel_entry_point() -> None:
    (entry,) = entry_points(group="babel.extractors").select(name="lotsen_yaml")
    assert entry.load() is extract_yaml


def test_pybabel_extract_pulls_the_content_texts(tmp_path: Path) -> None:
    write_pack(tmp_path / "content")
    (tmp_path / "babel.cfg").write_text("[lotsen_yaml: content/**.yaml]\n")
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", "messages.pot", "."],
        cwd=tmp_path,
        check=True,
    )
    with (tmp_path / "messages.pot").open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get("Ingen läser chatten.", "home.about")  # msgctxt: its flow.step
    assert message is not None
    assert message.locations == [("content/flows/home.yaml", 14)]
    assert "Flow `home`, step `about`: message." in message.auto_comments
    assert catalog.get("akut;i fara") is not None
