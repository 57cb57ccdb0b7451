"""The expired batch the README describes is in the record form's batch list, disabled, with
why; it can never be chosen, and the registry refuses it if it is sent anyway."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import OptionList, Select

from api_client import models as m
from api_client.dates import ddmmyyyy
from api_client.rules import Reason
from tests.support import flow
from tests.support.app import build, settle
from vaxterm.dose_form import batch_label, expired_batches

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


async def test_the_expired_batch_is_listed_disabled_with_why_and_never_chosen() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        expired_on = ddmmyyyy(rig.clock.now().date() - timedelta(days=3))
        select = pilot.app.screen.query_one("#batch", Select)
        overlay = select.query_one(OptionList)
        prompts = [str(overlay.get_option_at_index(i).prompt)
                   for i in range(overlay.option_count)]
        assert prompts[0].startswith("SYN-CS-0425  · vial expires")
        assert prompts[1] == f"SYN-CS-0119  · expired {expired_on}: do not use"
        assert [overlay.get_option_at_index(i).disabled
                for i in range(overlay.option_count)] == [False, True]
        # Open the list, go down as far as it goes, and choose: still the good batch.
        select.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "end", "enter")
        await settle(pilot)
        assert select.value == "SYN-CS-0425" and rig.draft.batch == "SYN-CS-0425"
        # Even set from outside, the form does not take it.
        select.value = "SYN-CS-0119"
        await settle(pilot)
        assert rig.draft.batch == "SYN-CS-0425"


async def test_the_registry_refuses_an_expired_batch_if_sent() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        rig.draft.batch = "SYN-CS-0119"  # as a broken or hostile client would send it
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        assert rig.app.desk.doses_recorded == 0
        entry = rig.registry.state.audit[-1]
        assert (entry.action, entry.detail) == ("vaccinate refused", Reason.BATCH_EXPIRED.value)


def test_expired_and_unreadable_batches_say_why() -> None:
    today = date(2026, 11, 15)
    session = m.Session(
        session_id="session-1", date="15-11-2026", centre_id=1, centre_name="C",
        vaccine="COVISHIELD",
        min_age_limit=18, max_age_limit=None, slots=[], capacity=1, doses_given=0,
        batches=[m.Batch(vaccine_batch="GOOD", expiry_date="15-11-2026", doses_per_vial=10),
                 m.Batch(vaccine_batch="OLD", expiry_date="12-11-2026", doses_per_vial=10),
                 m.Batch(vaccine_batch="ODD", expiry_date="31-02-2026", doses_per_vial=10)])
    assert [b.vaccine_batch for b in expired_batches(session, today)] == ["OLD", "ODD"]
    old, odd = expired_batches(session, today)
    assert batch_label(old, False) == "OLD  · expired 12-11-2026: do not use"
    assert batch_label(odd, False) == "ODD  · expiry date unreadable: do not use"
