"""Whatever a person sends, from whatever step, the engine answers and never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Choice, Command, Event, Session, Text, Unsupported, step
from tests.engine_fixtures import CONTENT, NOW, OLD_VERSION, at, option

STEPS = sorted(CONTENT.steps)
SESSIONS = st.builds(
    at,
    st.sampled_from([*STEPS, "home.gone"]),
    version=st.sampled_from([CONTENT.version, OLD_VERSION]),
    back=st.lists(st.sampled_from([*STEPS, "home.gone"]), max_size=4).map(tuple),
)
TOKENS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["n.emergency", "n.back", "n.menu", "n.forget", "l.ar", "l.zz"]),
    st.builds(option, st.sampled_from(STEPS), st.integers(0, 120)),
)
EVENTS: st.SearchStrategy[Event] = st.one_of(
    st.builds(Text, st.text(max_size=200)),
    st.builds(Choice, TOKENS),
    st.builds(Command, st.text(max_size=20), st.text(max_size=20)),
    st.builds(Unsupported, st.sampled_from(["photo", "voice", "sticker"])),
)


@settings(max_examples=500, database=None, derandomize=True)
@given(st.one_of(st.none(), SESSIONS), EVENTS)
def test_any_event_in_any_session_gets_an_answer(session: Session | None, event: Event) -> None:
    turn = step(CONTENT, session, event, NOW)
    assert turn.replies
    if turn.session is not None:
        assert turn.session.step in CONTENT.steps
        assert turn.session.version == CONTENT.version
        assert all(ref in CONTENT.steps for ref in turn.session.back)
