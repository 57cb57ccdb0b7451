"""Doses whose outcome is unknown stay in sight until the registry settles them, and nothing
that leaves the screen drops a write on its way."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from api_client import models as m
from tests.support import flow
from tests.support.app import Rig, build, settle, until

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def context(rig: Rig) -> str:
    return str(rig.app.screen.query_one("#context", Static).render())


def doses_today(rig: Rig, reference: str) -> int:
    today = rig.clock.now().date()
    return sum(1 for d in rig.registry.state.people[reference].doses
               if d.given_on == today and d.status == "completed")


def tries_done(rig: Rig) -> list[int]:
    """How often each open dose has been sent again, once no try is on its way."""
    doses = rig.app.desk.outbox.doses.values()
    return [] if any(d.sending for d in doses) else [d.tries for d in doses]


async def unconfirmed(pilot: Pilot[int], rig: Rig) -> str:
    """At the dose form, the registry down: the dose is sent and its outcome unknown."""
    await flow.at_dose_form(pilot, rig, "9000000002")
    reference = rig.person.beneficiary_reference_id
    rig.registry.state.faults = m.Faults(down=True)
    await flow.recorded(pilot)
    assert flow.screen_name(pilot) == "ErrorModal"
    await pilot.press("escape")
    await settle(pilot)
    return reference


async def test_the_app_keeps_trying_and_the_count_follows_the_registry() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        reference = await unconfirmed(pilot, rig)
        assert len(rig.app.desk.outbox) == 1
        assert "1 dose not confirmed · retrying" in context(rig)
        rig.clock.advance(seconds=6)  # the first background try, still down
        await until(pilot, lambda: tries_done(rig) == [1])
        await settle(pilot)
        assert len(rig.app.desk.outbox) == 1 and rig.app.desk.doses_recorded == 0
        rig.registry.state.faults = m.Faults()
        rig.clock.advance(seconds=11)  # the next try, with the same key
        await until(pilot, lambda: len(rig.app.desk.outbox) == 0)
        await settle(pilot)
        assert len(rig.app.desk.outbox) == 0 and rig.app.desk.doses_recorded == 1
        assert "all confirmed" in context(rig)
        assert "the registry confirmed this dose" in flow.text(pilot, "#problem")
        assert doses_today(rig, reference) == 1


async def test_sign_out_names_the_open_dose_and_stays_by_default() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await unconfirmed(pilot, rig)
        await pilot.press("escape", "escape")  # the person, then Search
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LeaveGuard"
        await pilot.press("enter")  # Stay
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen" and len(rig.app.desk.outbox) == 1


async def test_a_write_on_its_way_is_not_dropped_by_escape_or_quit() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        reference = rig.person.beneficiary_reference_id
        await pilot.press("enter")  # the review
        await settle(pilot)
        # An answer slow enough that Escape and Ctrl+Q land before it, even on a loaded machine.
        rig.registry.state.faults = m.Faults(latency_ms=4000)
        await pilot.press("enter")  # recording: the answer takes 4 s
        await pilot.pause(0.2)
        await pilot.press("escape")
        await pilot.pause()
        assert flow.screen_name(pilot) == "RecordDoseScreen"
        assert "wait for the registry's answer" in flow.text(pilot, "#problem")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert flow.screen_name(pilot) == "LeaveGuard"
        said = " ".join(str(w.render()) for w in pilot.app.screen.query(Static))
        assert "being sent now" in said
        await pilot.press("enter")  # Stay
        await until(pilot, lambda: rig.app.desk.doses_recorded == 1)
        await settle(pilot)
        assert rig.app.is_running and doses_today(rig, reference) == 1


async def test_sign_out_says_when_the_registry_could_not_be_told() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        rig.registry.state.faults = m.Faults(down=True)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen" and rig.app.user is None
        said = [n.message for n in rig.app._notifications]
        # The registry answered 503: whether it ended the login is not known, and said so.
        assert any("not known whether the registry ended your login" in text
                   for text in said), said
