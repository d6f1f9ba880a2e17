"""`lotsen graph`: the pack as Mermaid or DOT, with labels, flows, 112 and unreachable steps."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.cli import main
from bot.editor.graph import dot, mermaid
from bot.flows.model import Content
from bot.pack.loader import load_pack
from tests.packs import HOME, write_pack

ROOT = Path(__file__).resolve().parent.parent
LONELY = HOME + '  lonely:\n    say: "Ingen kommer hit, säger \\"någon\\"."\n    end: true\n'


def _content(tmp_path: Path) -> Content:
    result = load_pack(write_pack(tmp_path, {"flows/home.yaml": LONELY}))
    assert result.content is not None, [p.format() for p in result.problems]
    return result.content


def test_mermaid_shows_flows_steps_labelled_options_entries_and_what_is_unreachable(
    tmp_path: Path,
) -> None:
    chart = mermaid(_content(tmp_path))
    assert chart.startswith("flowchart TD\n")
    assert '  subgraph home["home: Hem"]' in chart
    assert 'home__menu -->|"Om tjänsten"| home__about' in chart
    assert "home__welcome -.-> home__menu" in chart  # a plain `next`
    assert 'home__menu ==>|"Akut"| emergency__now' in chart  # to 112: a thick arrow
    assert (
        "entry_emergency ==> emergency__now" in chart and "class emergency__now emergency" in chart
    )
    assert "class home__lonely unreachable" in chart and "(unreachable)" in chart
    assert "#quot;någon#quot;" in chart  # quotes escaped, so the chart still parses


def test_dot_is_a_digraph_with_clusters_and_escaped_labels(tmp_path: Path) -> None:
    graph = dot(_content(tmp_path))
    assert graph.startswith("digraph lotsen {") and graph.rstrip().endswith("}")
    assert "subgraph cluster_home {" in graph
    assert '"home.menu" -> "home.about" [label="Om tjänsten"];' in graph
    assert '\\"någon\\"' in graph and 'style="rounded,dashed"' in graph


def test_one_flow_shows_its_steps_and_the_steps_it_links_to(tmp_path: Path) -> None:
    chart = mermaid(_content(tmp_path), flow="emergency")
    assert "emergency__now" in chart and "home__menu" in chart  # the link into it
    assert "home__about" not in chart


def test_the_shipped_pack_draws_every_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--content", str(ROOT / "content")]) == 0
    chart = capsys.readouterr().out
    for flow in ("home", "social", "worried", "talk", "emergency", "safety"):
        assert f'subgraph {flow}["' in chart
    assert "unreachable" not in chart.split("classDef unreachable")[0]
    # the concern steps are entered by typed words, from any step
    assert "entry_concern_violence --> safety__violence" in chart


def test_an_unknown_flow_is_named_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--content", str(ROOT / "content"), "--flow", "socal"]) == 2
    assert "No such flow; flows: about, emergency" in capsys.readouterr().err


def test_svg_without_graphviz_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["graph", "--content", str(ROOT / "content"), "--format", "svg"]) == 2
    err = capsys.readouterr().err
    assert "needs Graphviz's `dot`" in err and "--format mermaid" in err


def test_svg_is_drawn_by_dot_where_it_is_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "dot"  # stands in for Graphviz: checks it is fed DOT, answers SVG
    fake.write_text('#!/bin/sh\ngrep -q "digraph lotsen" && echo "<svg>drawn</svg>"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    out = tmp_path / "pack.svg"
    args = ["graph", "--content", str(ROOT / "content"), "--format", "svg", "-o", str(out)]
    assert main(args) == 0
    assert out.read_text() == "<svg>drawn</svg>\n"


def test_png_is_drawn_by_dot_into_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "dot"  # answers the PNG signature only when asked for -Tpng
    fake.write_text(
        '#!/bin/sh\n[ "$1" = "-Tpng" ] && grep -q "digraph lotsen" && printf "\\211PNG\\r\\n"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    out = tmp_path / "pack.png"
    args = ["graph", "--content", str(ROOT / "content"), "--format", "png"]
    assert main(args) == 2  # an image is never written to the terminal
    assert "--format png needs --output" in capsys.readouterr().err
    assert main([*args, "-o", str(out)]) == 0
    assert out.read_bytes() == b"\x89PNG\r\n"


BACK = HOME.replace(
    "  about:\n    say: Ingen läser chatten.\n    end: true\n",
    "  about:\n    say: Ingen läser chatten.\n    options:\n      - label: Till menyn\n"
    "        goto: menu\n      - label: Från början\n        goto: welcome\n",
)


def test_the_whole_pack_folds_the_buttons_back_to_the_menu_and_the_flow_start(
    tmp_path: Path,
) -> None:
    result = load_pack(write_pack(tmp_path, {"flows/home.yaml": BACK}))
    assert result.content is not None, [p.format() for p in result.problems]
    whole = mermaid(result.content)
    assert "home__about -->|" not in whole  # both buttons back are folded
    assert "(↩ 1 buttons lead back here)" in whole  # on the menu, and on the flow's start
    assert whole.count("lead back here") == 2
    one = mermaid(result.content, flow="home")  # one flow: every arrow, nothing folded
    assert 'home__about -->|"Till menyn"| home__menu' in one and "lead back" not in one
