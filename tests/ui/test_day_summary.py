"""Pilot flow of the end of the day: F2 on the tally (F2 twice from Search) shows today's
sessions added up, without names."""

from __future__ import annotations

import pytest
from textual.widgets import Select
from textual.widgets._footer import FooterKey

from tests.support import flow
from tests.support.app import build, settle
from tests.ui.test_keys_that_work import screen_text

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


async def test_the_day_after_a_dose_and_a_serious_reaction() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_tally_after_a_dose(pilot, rig, "9000000002")
        # The tally's footer still fits 80 columns; F1 names the key for the day.
        keys = list(pilot.app.screen.query(FooterKey))
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert all(k.region.right <= palette.region.x for k in keys if k is not palette)
        await pilot.press("f1")
        await settle(pilot)
        assert "End of the day: today's sessions added up" in screen_text(pilot)
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#reaction", Select).value = "seizure"
        screen.query_one("#seriousness", Select).value = "serious"
        screen.query_one("#outcome", Select).value = "recovering"
        await flow.type_into(pilot, "#onset", "0")
        assert flow.screen_name(pilot) == "TallyScreen"
        await pilot.press("f2")
        await settle(pilot)
        assert flow.screen_name(pilot) == "DaySummaryScreen"
        assert flow.text(pilot, "#headline").startswith(
            "Today at Demo PHC North (training): 2 sessions, 1 dose recorded, 1 by you.")
        assert "COVISHIELD" in flow.text(pilot, "#by-vaccine")
        assert "dose 2" in flow.text(pilot, "#by-dose")
        assert "SYN-CS-0425" in flow.text(pilot, "#by-batch")
        assert "serious            1" in flow.text(pilot, "#aefi")
        assert "not closed" in flow.text(pilot, "#wastage")
        person = rig.registry.state.people["99990000000002"]
        pilot.app.clear_notifications()  # the toasts are the earlier steps' words
        await settle(pilot)
        text = screen_text(pilot)
        assert person.name not in text and "0002" not in text  # counts only
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
