"""The support screen and the decisions the support log keeps, through the real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Static

from api_client import models as m
from tests.support import flow
from tests.support.app import build, settle
from vaxterm import supportlog

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Path]:
    path = supportlog.start(folder=tmp_path / "logs")
    assert path is not None
    yield path
    supportlog.stop()


async def test_ctrl_g_shows_what_support_asks_for_and_raises_the_level(log: Path) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        rig.registry.state.faults = m.Faults(down=True)
        await flow.type_into(pilot, "#query", "9000000002")  # the search fails: an error
        rig.registry.state.faults = m.Faults()
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SupportDialog"
        shown = " ".join(str(w.render()) for w in pilot.app.screen.query(Static))
        assert supportlog.session_reference() in shown
        assert str(log) in shown and "the built-in training mock" in shown
        assert "GERR002" in shown and "The registry is unavailable" in shown
        assert not supportlog.is_raised()
        pilot.app.screen.query_one("#raise", Button).press()
        await settle(pilot)
        assert supportlog.is_raised() and flow.screen_name(pilot) == "SearchScreen"
    written = read(log)
    assert "log level raised from the support screen" in written
    assert "9000000002" not in written


async def test_the_log_keeps_the_vaccinators_decisions(log: Path) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        rig.registry.state.faults = m.Faults(down=True)
        await flow.recorded(pilot)
        await pilot.press("escape")  # close the error: the dose stays unconfirmed
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("enter")  # Stay, the default
        await settle(pilot)
        rig.registry.state.faults = m.Faults()
        await pilot.press("f8")
        await settle(pilot)
        await flow.type_into(pilot, "#password", "not-the-password")
        name = rig.person.name
    written = read(log)
    assert "stayed rather than quit: 1 dose(s) not confirmed" in written
    assert "unlock failed (USRAUT0001)" in written
    assert name not in written and name.split()[0] not in written
