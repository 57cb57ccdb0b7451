"""Pilot flows of the session's batches: the batch chosen stays chosen for the next person,
a batch marked finished is listed but not chosen, and the open vial's limit is warned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Select

from tests.support import flow
from tests.support.app import build, settle

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def test_batch_remembered_across_doses_then_finished() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig, vaccine="COVAXIN")
        await flow.consented(pilot, rig, "9000000001")
        await flow.id_checked(pilot, rig)
        assert rig.draft.batch == "SYN-CX-0311"  # the first to expire
        pilot.app.screen.query_one("#batch", Select).value = "SYN-CX-0512"
        await settle(pilot)
        assert "new vial of SYN-CX-0512 (10 doses)" in flow.text(pilot, "#vial")
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        # The next person's form starts on the batch of the last dose, its vial open.
        await flow.consented(pilot, rig, "9000000006")
        await flow.id_checked(pilot, rig)
        assert rig.draft.batch == "SYN-CX-0512"
        assert "9 of 10 doses left" in flow.text(pilot, "#vial")
        # F5: the batch is finished for the session; the form moves to the other one.
        await pilot.press("f5")
        await settle(pilot)
        assert rig.draft.batch == "SYN-CX-0311"
        assert "SYN-CX-0512 marked finished" in flow.text(pilot, "#problem")
        assert "new vial of SYN-CX-0311 (20 doses)" in flow.text(pilot, "#vial")
        select = pilot.app.screen.query_one("#batch", Select)
        assert select.value == "SYN-CX-0311"
        await flow.recorded(pilot)
        ref = "99990000000006"
        given = [d for d in rig.registry.state.people.values() for d in d.doses
                 if d.vaccinator == "demo.north1"]
        assert sorted(d.vaccine_batch for d in given) == ["SYN-CX-0311", "SYN-CX-0512"]
        assert ref  # the person of the second dose
        desk = rig.app.desk
        assert desk.session is not None
        assert desk.batches_of(desk.session.session_id).finished == {"SYN-CX-0512"}


async def test_an_open_vial_past_its_limit_is_warned_and_a_new_vial_resets_it() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        desk = rig.app.desk
        assert desk.session is not None
        used = desk.batches_of(desk.session.session_id)
        # As if the first dose had been drawn 5 hours ago (Covishield's limit is 4 hours).
        used.opened["SYN-CS-0425"] -= timedelta(hours=5)
        await flow.consented(pilot, rig, "9000000001")
        await flow.id_checked(pilot, rig)
        said = flow.text(pilot, "#vial")
        assert said.startswith("⚠ The open vial of SYN-CS-0425 was opened at")
        assert "more than 4 hours ago" in said and "press F7" in said
        await pilot.press("f7")
        await settle(pilot)
        assert flow.text(pilot, "#vial").startswith("Open vial of SYN-CS-0425: opened at")
