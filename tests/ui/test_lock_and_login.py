"""The lock against an unattended terminal: a wrong password costs nothing but a try, the
app signs out before the registry's lockout can be reached, and Ctrl+Q does not quit from it.
The login against a training server given as bare `http://host:port`; the remember box."""

from __future__ import annotations

import html
from functools import partial

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from api_client.mock import FixedClock, create_app
from api_client.mock.accounts import MAX_FAILED_LOGINS
from screens.app import VaxtermApp
from screens.login import RememberBox
from tests.support import flow
from tests.support.app import build, login, settle
from tests.support.loopback import serve
from tests.ui.test_outbox import doses_today
from vaxterm.connection import client_for
from vaxterm.settings import ServerSettings, Settings
from vaxterm.signin import WRONG_PASSWORDS_BEFORE_SIGN_OUT

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


def on_screen(pilot: Pilot[int]) -> str:
    return html.unescape(pilot.app.export_screenshot()).replace("\xa0", " ")


def toasts(app: VaxtermApp) -> str:
    return "\n".join(n.message for n in app._notifications)


async def locked(pilot: Pilot[int]) -> None:
    await pilot.press("f8")
    await settle(pilot)
    assert flow.screen_name(pilot) == "LockScreen"


async def test_one_wrong_unlock_then_the_right_one_keeps_the_login() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await locked(pilot)
        await flow.type_into(pilot, "#password", "wrong")
        said = flow.text(pilot, "#problem")
        assert flow.screen_name(pilot) == "LockScreen"
        assert "The password is not right" in said and "username" not in said
        assert "2 tries left before you are signed out" in said
        await flow.type_into(pilot, "#password", "Train@2026")
        assert flow.screen_name(pilot) == "SearchScreen"
        # The next action goes through with the same login: no password or code asked.
        await flow.searched(pilot, "9000000002")
        assert rig.app.user is not None and rig.app.api.logged_in


async def test_six_wrong_unlocks_sign_out_before_the_registry_locks_the_account() -> None:
    rig = build()
    account = rig.registry.state.accounts["demo.north1"]
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        tokens = set(rig.registry.state.tokens)
        assert tokens
        await locked(pilot)
        for attempt in range(6):
            if flow.screen_name(pilot) == "LockScreen":
                await flow.type_into(pilot, "#password", f"wrong-{attempt}")
            else:  # signed out: the lock is gone, and with it the way to the account
                await pilot.press(*"wrong", "enter")
                await settle(pilot)
            assert account.locked_until is None and not account.locked
            assert account.failed_logins <= WRONG_PASSWORDS_BEFORE_SIGN_OUT
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen"
        assert rig.app.user is None and not rig.app.api.logged_in
        assert not tokens & set(rig.registry.state.tokens), "the registry's login was ended"
        assert account.failed_logins == WRONG_PASSWORDS_BEFORE_SIGN_OUT < MAX_FAILED_LOGINS
        assert "Signed out after 3 wrong passwords" in toasts(rig.app)
        # What was typed after the sign-out went to the masked password field, never into
        # Username in clear: the username stays filled in and the password had the focus.
        login_screen = rig.app.screen
        assert login_screen.query_one("#username", Input).value == "demo.north1"
        assert login_screen.query_one("#password", Input).value.startswith("wrong")
        # The vaccinator still signs in: the registry never locked the account.
        rig.clock.advance(seconds=30)  # a code works once: the next one
        await login(pilot, rig)
        assert rig.app.user is not None


async def test_a_successful_unlock_does_not_reset_the_count() -> None:
    """The registry clears its count only at a whole sign-in, so the lock does the same:
    2 wrong, the right one, then 1 wrong signs out (3 at the registry, not 5)."""
    rig = build()
    account = rig.registry.state.accounts["demo.north1"]
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await locked(pilot)
        for wrong in ("one", "two"):
            await flow.type_into(pilot, "#password", wrong)
        await flow.type_into(pilot, "#password", "Train@2026")
        assert flow.screen_name(pilot) == "SearchScreen"
        await locked(pilot)
        await flow.type_into(pilot, "#password", "three")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen" and rig.app.user is None
        assert account.failed_logins == 3 and account.locked_until is None


async def test_ctrl_q_does_not_quit_from_the_lock() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await locked(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert rig.app.return_code is None and flow.screen_name(pilot) == "LockScreen"
        assert "Unlock first" in flow.text(pilot, "#problem")
        await flow.type_into(pilot, "#password", "Train@2026")
        await pilot.press("ctrl+q")  # unlocked: Ctrl+Q quits as before
        await pilot.pause()
        assert rig.app.return_code == 0


async def test_the_relogin_says_password_and_counts_with_the_lock() -> None:
    rig = build()
    account = rig.registry.state.accounts["demo.north1"]
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        rig.clock.advance(minutes=16)  # the login token has died
        rig.app.last_activity = rig.clock.now()  # and the idle lock is not what this tests
        await flow.type_into(pilot, "#query", "9000000002")
        assert flow.screen_name(pilot) == "ReauthModal"
        await flow.type_into(pilot, "#password", "wrong", submit=False)
        await flow.type_into(pilot, "#code", rig.registry.current_code("demo.north1"))
        said = flow.text(pilot, "#problem")
        assert "The password is not right" in said and "username" not in said
        assert account.failed_logins == 1


async def test_doses_not_confirmed_are_kept_for_the_same_vaccinator() -> None:
    """Signed out at the lock with a dose the registry has not confirmed: it is held for the
    vaccinator it belongs to and tried again once they sign in."""
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        draft = rig.draft
        rig.app.desk.outbox.hold(draft, rig.consent)  # as a lost answer leaves it
        await locked(pilot)
        for wrong in ("one", "two", "three"):
            if flow.screen_name(pilot) == "LockScreen":
                await flow.type_into(pilot, "#password", wrong)
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen"
        assert draft.idempotency_key in rig.app.desk.outbox
        assert rig.app.kept_for == "demo.north1"
        assert "1 dose not confirmed by the registry is kept" in toasts(rig.app)
        rig.clock.advance(seconds=30)
        await login(pilot, rig)
        assert rig.app.user is not None
        # Kept for them, so the background retries settle it (when is a matter of the clock:
        # ask for the try now). The sign-out ended the consent, so the session's records
        # decide: this dose never reached the registry, and the vaccinator is told so.
        rig.app.retry_unconfirmed(now=True)
        await settle(pilot)
        assert draft.idempotency_key not in rig.app.desk.outbox
        assert doses_today(rig, draft.reference_id) == 0
        assert "The registry has no record of it" in toasts(rig.app)


async def test_the_remember_box_looks_different_on_and_off() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = pilot.app.screen.query_one("#remember", RememberBox)
        off = str(box.render())
        box.value = True
        await settle(pilot)
        on = str(box.render())
        assert off != on and "✓" in on and "✓" not in off and "X" not in off


async def test_no_keyring_is_said_in_words() -> None:
    from vaxterm.credentials import CredentialStore

    class Failing:  # what keyring.get_keyring() returns with no keyring at all
        pass

    Failing.__module__, Failing.__qualname__ = "keyring.backends.fail", "Keyring"
    rig = build()
    rig.app.credentials = CredentialStore("training", backend=Failing())
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.screen.query_one("#remember", RememberBox).value = True
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        said = flow.text(pilot, "#problem")
        assert "No secure keyring on this computer: the password will not be kept" in said
        assert "keyring.backends" not in on_screen(pilot)


async def test_a_training_server_given_as_bare_host_and_port() -> None:
    """What a trainer types, `http://host:port`, finds the API at /api/v2 (as doctor does),
    says so, and the login screen is the training one with its "Not signed in" line."""
    mock = create_app(FixedClock())
    registry = mock.state.registry
    with serve(mock) as bare:
        server = ServerSettings(url=bare)
        app = VaxtermApp(partial(client_for, server), Settings(server=server),
                         training=False, blink=False)
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):
                await settle(pilot)
                await pilot.app.workers.wait_for_complete()
            assert app.api.base_url == f"{bare}/api/v2"
            shown = on_screen(pilot)
            assert app.training and "TRAINING" in shown
            assert "Not signed in" in shown
            assert f"Registry found at {bare}/api/v2" in flow.text(pilot, "#problem")
            screen = pilot.app.screen
            for name, value in (("username", "demo.north1"), ("password", "Train@2026"),
                                ("code", registry.current_code("demo.north1"))):
                await flow.type_into(pilot, f"#{name}", value, submit=False)
            await pilot.press("enter")
            for _ in range(3):
                await settle(pilot)
            assert app.user is not None, flow.text(pilot, "#problem") if screen.is_mounted else ""
            await app.api.logout()
