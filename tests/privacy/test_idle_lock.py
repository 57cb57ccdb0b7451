"""The idle lock blanks every personal detail, opens only with the password, and returns to
the same form with what was typed."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from api_client import errors as e
from api_client import models as m
from tests.support import flow
from tests.support.app import Rig, build, settle, until
from vaxterm.settings import SecuritySettings, Settings

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def on_screen(pilot: Pilot[int]) -> str:
    """Everything painted on the terminal, as text."""
    svg = pilot.app.export_screenshot()
    return html.unescape(svg).replace("\xa0", " ")


async def idle(pilot: Pilot[int], rig: Rig, minutes: float, *, locks: bool = False) -> None:
    """`minutes` pass with no key pressed. When the lock is expected, wait for it rather than
    for one tick of the one-second check: a loaded machine may be late."""
    rig.clock.advance(minutes=minutes)
    if locks:
        await until(pilot, lambda: flow.screen_name(pilot) == "LockScreen")
    else:
        await pilot.pause(1.1)
    await settle(pilot)


async def test_locks_after_15_idle_minutes_and_blanks_the_record() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        name = rig.person.name
        assert name in on_screen(pilot)
        await idle(pilot, rig, 14.5)
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        await idle(pilot, rig, 0.6, locks=True)
        assert flow.screen_name(pilot) == "LockScreen"
        shown = on_screen(pilot)
        assert name not in shown and "0002" not in shown and "Locked after 15 idle" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LockScreen", "Escape does not open the lock"
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LockScreen", "no palette over the lock"


async def test_the_password_unlocks_back_to_the_same_form() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        draft = rig.app.desk.draft
        assert draft is not None
        key, batch = draft.idempotency_key, draft.batch
        await idle(pilot, rig, 15, locks=True)
        await flow.type_into(pilot, "#password", "wrong")
        assert flow.screen_name(pilot) == "LockScreen"
        assert "The password is not right" in flow.text(pilot, "#problem")
        await flow.type_into(pilot, "#password", "Train@2026")
        assert flow.screen_name(pilot) == "RecordDoseScreen"
        assert rig.app.desk.draft is draft and draft.idempotency_key == key
        assert pilot.app.screen.query_one("#batch", Select).value == batch
        # 15 minutes is also the login token's life: recording now asks to sign in again,
        # on top of the kept form.
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ReauthModal"


async def test_the_setting_is_honoured_and_nobody_is_locked_before_signing_in() -> None:
    settings = Settings(security=SecuritySettings(idle_lock_minutes=5))
    rig = build(settings=settings)
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await idle(pilot, rig, 30)
        assert flow.screen_name(pilot) == "LoginScreen"
        rig.app.settings = replace(settings, login=replace(settings.login,
                                                           username="demo.north1"))
        await flow.signed_in(pilot, rig)
        await idle(pilot, rig, 4)
        assert flow.screen_name(pilot) == "SearchScreen"
        await pilot.press("9")  # activity resets the count
        await idle(pilot, rig, 4)
        assert flow.screen_name(pilot) == "SearchScreen"
        await idle(pilot, rig, 1.1, locks=True)
        assert flow.screen_name(pilot) == "LockScreen"


async def test_f8_locks_at_once_and_only_when_signed_in() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen", "nothing to lock before sign-in"
        await flow.at_dose_form(pilot, rig, "9000000002")
        name = rig.person.name
        await pilot.press("f8")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LockScreen"
        shown = on_screen(pilot)
        assert name not in shown and "Locked. Signed in as demo.north1" in shown
        await flow.type_into(pilot, "#password", "Train@2026")
        assert flow.screen_name(pilot) == "RecordDoseScreen"


async def test_twelve_hours_after_sign_in_a_full_login_is_needed_and_the_search_is_kept(
        ) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        sessions = 0
        for _ in range(70):  # a busy day: a call every 14 minutes renews the login
            rig.clock.advance(minutes=14)
            rig.app.last_activity = rig.clock.now()  # busy, so the idle lock stays away
            try:
                await rig.app.api.sessions()
            except e.LoginExpired:
                break
            sessions += 1
        # Renewal stops at 12 hours after sign-in; the last token then runs out.
        assert 12 * 60 / 14 - 2 <= sessions <= 12 * 60 / 14 + 2, sessions
        await flow.type_into(pilot, "#query", "9000000002")
        assert flow.screen_name(pilot) == "ReauthModal"  # password and code: a full login
        await flow.type_into(pilot, "#password", "Train@2026", submit=False)
        rig.clock.advance(seconds=31)  # a fresh code period for the authenticator
        await flow.type_into(pilot, "#code", rig.registry.current_code("demo.north1"))
        assert flow.screen_name(pilot) == "BeneficiaryOtpScreen", "the search went on"


async def test_a_dialog_that_opens_while_locked_waits_under_the_lock() -> None:
    """A dose sent just before F8 fails while the screen is locked: its dialog must not be
    drawn over the lock (and usable without the password); the lock keeps working after."""
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await pilot.press("enter")  # review
        await settle(pilot)
        # Slow enough that F8 lands first, even on a loaded machine; then a server error.
        rig.registry.state.faults = m.Faults(latency_ms=3000, error_rate=1.0)
        await pilot.press("enter")  # record
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert flow.screen_name(pilot) == "LockScreen"
        await until(pilot, lambda: bool(rig.app._held))  # the error's dialog, held back
        assert flow.screen_name(pilot) == "LockScreen"
        assert "Reference for support" not in on_screen(pilot)
        await pilot.press("escape", "enter")  # neither reaches the dialog under the lock
        await pilot.pause()
        assert flow.screen_name(pilot) == "LockScreen"
        rig.registry.state.faults = m.Faults()
        await flow.type_into(pilot, "#password", "Train@2026")
        assert flow.screen_name(pilot) == "ErrorModal"  # shown now, after the password
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen"
        await pilot.press("f8")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LockScreen", "F8 still locks"
        await flow.type_into(pilot, "#password", "Train@2026")
        await idle(pilot, rig, 15, locks=True)
        assert flow.screen_name(pilot) == "LockScreen", "the idle lock still works"
