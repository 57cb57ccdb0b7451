"""Pilot flows of a reaction by seriousness: a serious one shows its meaning and the
escalation, is refused in words without its outcome, then reported and flagged."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from tests.support import flow
from tests.support.app import build, settle

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


async def test_a_serious_reaction_shows_its_instruction_and_is_flagged() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_tally_after_a_dose(pilot, rig, "9000000002")
        await pilot.press("f7")
        await settle(pilot)
        assert flow.screen_name(pilot) == "AefiModal"
        screen = pilot.app.screen
        assert not screen.query_one("#escalation").display
        screen.query_one("#reaction", Select).value = "severe allergic reaction"
        screen.query_one("#seriousness", Select).value = "serious"
        await settle(pilot)
        assert "hospitalisation or its prolongation" in flow.text(pilot, "#definition")
        assert screen.query_one("#escalation").display
        assert ("Tell the medical officer now. Notify the district within 24 hours"
                in flow.text(pilot, "#escalation"))
        await flow.type_into(pilot, "#onset", "0")  # Enter reports: no outcome yet
        assert "needs its outcome" in flow.text(pilot, "#problem")
        assert rig.registry.state.aefi == {}
        screen.query_one("#outcome", Select).value = "referred or hospitalised"
        await pilot.click("#confirm")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        [stored] = rig.registry.state.aefi.values()
        assert (stored.body.seriousness, stored.flagged) == ("serious", True)
        notes = [n.message for n in pilot.app._notifications]
        assert any("flagged for your supervisor" in n and "medical officer" in n
                   for n in notes)


async def test_minor_shows_no_escalation_and_a_minor_death_is_refused_on_the_form() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_tally_after_a_dose(pilot, rig, "9000000002")
        await pilot.press("f7")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#reaction", Select).value = "fever"
        screen.query_one("#seriousness", Select).value = "minor"
        screen.query_one("#outcome", Select).value = "died"
        await settle(pilot)
        assert "self-limiting" in flow.text(pilot, "#definition")
        assert not screen.query_one("#escalation").display
        await flow.type_into(pilot, "#onset", "0")
        assert "makes the reaction serious" in flow.text(pilot, "#problem")
        assert rig.registry.state.aefi == {}
