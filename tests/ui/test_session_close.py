"""Pilot flows of the session's end: closing with wastage (confirmation on No first), the
tally saying it is closed, and a dose refused afterwards in words."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import SelectionList, Static

from tests.support import flow
from tests.support.app import build, settle

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def at_close_screen(pilot: Pilot[object]) -> None:
    await pilot.press("f2")
    await settle(pilot)
    assert flow.screen_name(pilot) == "TallyScreen"
    await pilot.press("f10")
    await settle(pilot)
    assert flow.screen_name(pilot) == "SessionCloseScreen"


async def test_a_session_closed_with_wastage_then_a_dose_refused() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        await at_close_screen(pilot)
        screen = pilot.app.screen
        assert "SYN-CS-0425  10 a vial,   1 recorded" in str(
            screen.query_one(".batch Label", Static).render())
        # The expired batch is said to be expired, counted as 0, with no field to type in.
        assert len(screen.query(".batch")) == 1
        assert "SYN-CS-0119  expired" in str(screen.query_one(".expired", Static).render())
        # 2 vials of 10 for 1 dose: 19 wasted, beyond the allowance of 9.
        await pilot.press("2")
        await settle(pilot)
        assert ("Total: 20 doses in the vials, 1 recorded, 19 wasted (95.0%)"
                in flow.text(pilot, "#count"))
        reasons = screen.query_one("#reasons", SelectionList)
        assert not reasons.disabled
        await pilot.press("f10")
        await settle(pilot)
        assert "choose at least one reason" in flow.text(pilot, "#problem")
        reasons.select("cold chain failure")
        await pilot.press("f10")
        await settle(pilot)
        assert flow.screen_name(pilot) == "ConfirmModal"
        await pilot.press("enter")  # the confirmation starts on No
        await settle(pilot)
        assert flow.screen_name(pilot) == "SessionCloseScreen"
        session_id = rig.app.desk.session.session_id if rig.app.desk.session else ""
        assert rig.registry.state.sessions[session_id].closure is None
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("tab", "enter")  # to "Close session", then Enter
        await settle(pilot)
        closure = rig.registry.state.sessions[session_id].closure
        assert closure is not None
        assert (closure.wasted, closure.wastage_reasons) == (19, ["cold chain failure"])
        assert "Session closed at" in flow.text(pilot, "#problem")
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        assert "19 of 20 doses wasted (95.0%)" in flow.text(pilot, "#closed")
        await pilot.press("escape")
        await settle(pilot)
        # Search says so before any search.
        assert flow.screen_name(pilot) == "SearchScreen"
        assert ("The COVISHIELD session is closed: no dose or could-not-vaccinate can be "
                "recorded in it. F3 chooses another session.") in flow.text(pilot, "#closed")
        # A dose after the close: the registry refuses, the form says why in words.
        await flow.consented(pilot, rig, "9000000001")
        await flow.id_checked(pilot, rig)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        await pilot.press("escape")
        await settle(pilot)
        assert "This session is closed: no more doses can be recorded in it" in flow.text(
            pilot, "#problem")


async def test_a_count_below_the_doses_recorded_is_refused_on_screen(
        ) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        await at_close_screen(pilot)
        await pilot.press("0")
        await pilot.press("f10")
        await settle(pilot)
        assert "hold 0 doses, but 1 were recorded" in flow.text(pilot, "#problem")
        assert flow.screen_name(pilot) == "SessionCloseScreen"
