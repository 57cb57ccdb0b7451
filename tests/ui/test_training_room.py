"""The training room in the app: a trainee (no room key) sees neither reset nor scenarios, in
the training panel or the command palette; a trainer types the key (or starts with it) and
gets them; a reset is asked first, No unless chosen. With `--mock` the person at the
keyboard is the trainer."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import SystemCommand
from textual.widgets import Button, OptionList, TabbedContent

from api_client.mock import MockConfig
from tests.support import flow
from tests.support.app import Rig, build, settle
from vaxterm.scenarios import SCENARIOS, room_key_from

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
KEY = "room-key-for-tests"


def room(**kwargs: Any) -> Rig:
    """A trainee's or trainer's app against a room server (reached over plain http; it
    proves itself a training server), which holds the trainer's key."""
    rig = build(training=False, config=MockConfig(room_key=KEY))
    for name, value in kwargs.items():
        setattr(rig.app, name, value)
    return rig


def scenario_commands(pilot: Any) -> set[str]:
    return {c.title for c in pilot.app.get_system_commands(pilot.app.screen)
            if isinstance(c, SystemCommand) and c.title.startswith("Scenario:")}


async def open_panel(pilot: Any) -> None:
    await pilot.press("f12")
    await settle(pilot)
    assert flow.screen_name(pilot) == "TrainingPanel"


async def pick(pilot: Any, key: str) -> None:
    options = pilot.app.screen.query_one("#scenarios", OptionList)
    options.focus()
    options.highlighted = [s.key for s in SCENARIOS].index(key)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_trainee_sees_neither_reset_nor_scenarios() -> None:
    rig = room()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig, "demo.north2")
        assert rig.app.training and not rig.app.trainer
        assert scenario_commands(pilot) == set()
        await open_panel(pilot)
        panel = pilot.app.screen
        assert panel.query_one(TabbedContent).active == "tab-sms"  # a trainee's first tab
        options = panel.query_one("#scenarios", OptionList)
        assert options.option_count == 0 and not options.display
        assert panel.query_one("#trainer-key").display
        # Even asked directly (a stale palette entry), the app does not send it.
        pristine = rig.registry.fingerprint()
        await pilot.press("escape")
        await settle(pilot)
        rig.app.choose_scenario("reset")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        assert flow.screen_name(pilot) == "SearchScreen"
        assert rig.registry.fingerprint() == pristine
        assert not [e for e in rig.registry.state.audit if e.action == "room reset"]


async def test_a_trainer_types_the_key_and_resets_after_confirming() -> None:
    rig = room()
    async with rig.app.run_test(size=SIZE) as pilot:
        pristine = rig.registry.fingerprint()
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        await open_panel(pilot)
        panel = pilot.app.screen
        panel.query_one(TabbedContent).active = "tab-scenarios"
        await settle(pilot)
        await flow.type_into(pilot, "#room-key", "short")
        assert "at least 8 characters" in flow.text(pilot, "#key-problem")
        await flow.type_into(pilot, "#room-key", KEY)
        assert rig.app.trainer
        assert panel.query_one("#scenarios", OptionList).option_count == len(SCENARIOS)
        assert scenario_commands(pilot) == {f"Scenario: {s.title}" for s in SCENARIOS}
        await pick(pilot, "reset")
        assert flow.screen_name(pilot) == "ResetConfirm"
        assert "whole room" in str(pilot.app.screen.query_one(".title").render())
        assert pilot.app.focused is pilot.app.screen.query_one("#cancel", Button)
        await pilot.press("enter")  # the default: No
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        assert rig.registry.fingerprint() != pristine  # nothing was reset
        await open_panel(pilot)
        await pick(pilot, "reset")
        await pilot.click("#confirm")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        assert rig.registry.fingerprint() == pristine
        entry = rig.registry.state.audit[0]
        assert (entry.vaccinator, entry.action) == ("demo.north1", "room reset")


async def test_a_trainer_started_with_the_key_switches_scenarios() -> None:
    rig = room(room_key=KEY)  # VAXTERM_ROOM_KEY at start
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        assert {"Scenario: Server down", "Scenario: Reset to the initial population"} <= (
            scenario_commands(pilot))
        await open_panel(pilot)
        assert not pilot.app.screen.query_one("#trainer-key").display
        await pick(pilot, "down")  # no question: a scenario is undone by "Normal"
        await pilot.app.workers.wait_for_complete()
        assert rig.registry.state.faults.down
        entry = rig.registry.state.audit[-1]
        assert (entry.vaccinator, entry.action, entry.detail) == (
            "demo.north1", "scenario", "server down")


async def test_a_wrong_key_is_refused_and_forgotten() -> None:
    rig = room(room_key="not-the-rooms-key")
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        rig.app.choose_scenario("rate")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert not rig.registry.state.faults.rate_limited
        assert rig.app.room_key == "" and not rig.app.trainer
        assert scenario_commands(pilot) == set()
        assert any("did not accept the room key" in n.message
                   for n in pilot.app._notifications)


async def test_with_mock_the_keyboard_is_the_trainer_and_reset_is_still_asked() -> None:
    rig = build()  # --mock: the registry in process, no key
    async with rig.app.run_test(size=SIZE) as pilot:
        pristine = rig.registry.fingerprint()
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        assert rig.app.trainer
        assert len(scenario_commands(pilot)) == len(SCENARIOS)
        await open_panel(pilot)
        assert pilot.app.screen.query_one(TabbedContent).active == "tab-scenarios"
        await pick(pilot, "reset")
        assert flow.screen_name(pilot) == "ResetConfirm"
        assert "practice" in str(pilot.app.screen.query_one(".title").render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        assert rig.registry.fingerprint() != pristine


def test_the_room_key_can_come_from_the_environment() -> None:
    assert room_key_from({"VAXTERM_ROOM_KEY": f" {KEY} "}) == KEY
    assert room_key_from({"VAXTERM_ROOM_KEY": "short"}) == ""
    assert room_key_from({}) == ""
