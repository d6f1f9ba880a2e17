"""`lotsen transcripts`: every way through the pack, as a person reads it, in one language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.editor.transcripts import walk
from bot.flows.model import Content
from bot.pack.loader import load_pack

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # a Thursday, noon


def _content() -> Content:
    content = load_pack(CONTENT, min_coverage=0).content
    assert content is not None
    return content


def test_every_step_a_person_can_rest_at_is_told_once() -> None:
    content = _content()
    transcripts = walk(content, "sv", NOW)
    told = [said.step for t in transcripts for said in t.turns[t.shared :]]
    resting = {ref for ref, step in content.steps.items() if step.rests}
    assert set(told) == resting
    assert len(told) == len(set(told))


def test_a_transcript_reads_as_the_language_and_shares_its_beginning() -> None:
    transcripts = walk(_content(), "en", NOW)
    first = transcripts[0].text()
    assert first.startswith("== Transcript 1: /start > [Someone is in danger now]")
    assert "   Lotsen: Hello! My name is Lotsen." in first
    assert "1) Someone is in danger now" in first
    later = next(t for t in transcripts if t.shared).text()
    assert re.search(r"\(turns 1-\d+ as in transcript \d+, at [a-z_]+\.[a-z_]+\)", later)


def test_typed_answers_are_walked_too() -> None:
    text = "".join(t.text() for t in walk(_content(), "sv", NOW))
    assert 'types "Upplands Väsby"    [talk.nearby]' in text


def test_the_command_prints_transcripts_and_refuses_an_unknown_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["transcripts", "--content", str(CONTENT), "--lang", "ar"]) == 0
    assert "Lotsen: مرحبًا" in capsys.readouterr().out
    assert main(["transcripts", "--content", str(CONTENT), "--lang", "xx"]) == 2
    assert "languages: sv, ar, en, so" in capsys.readouterr().err


def test_depth_is_bounded() -> None:
    transcripts = walk(_content(), "sv", NOW, max_depth=2)
    assert all(len(t.turns) <= 2 for t in transcripts)
    assert any("stopped after 2 turns" in t.text() for t in transcripts)
