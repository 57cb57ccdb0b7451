"""A snapshot of every screen and every error state, at 80x24 and at 120x40.

Deterministic: the mock's clock is fixed and its OTPs and identifiers come from a seeded
generator, cursors do not blink, animations are off and toasts are cleared before the
picture. Review changes in snapshot_report.html, then `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from api_client import models as m
from api_client.mock import MockConfig
from tests.support import flow
from tests.support.app import Rig, build, settle, until

Step = Callable[[Pilot[Any], Rig], Awaitable[None]]
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def login_screen(pilot: Pilot[Any], rig: Rig) -> None:
    await settle(pilot)


async def login_wrong_password(pilot: Pilot[Any], rig: Rig) -> None:
    await settle(pilot)
    await flow.type_into(pilot, "#password", "wrong", submit=False)
    await flow.type_into(pilot, "#code", rig.registry.current_code("demo.north1"))


async def login_locked(pilot: Pilot[Any], rig: Rig) -> None:
    await settle(pilot)
    await flow.type_into(pilot, "#username", "demo.locked", submit=False)
    await flow.type_into(pilot, "#password", "Locked@2026", submit=False)
    await flow.type_into(pilot, "#code", "123456")


async def session_picker(pilot: Pilot[Any], rig: Rig) -> None:
    from tests.support.app import login

    await settle(pilot)
    await login(pilot, rig)


async def search(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)


async def search_invalid(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.type_into(pilot, "#query", "5000000001")


async def search_aadhaar(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.type_into(pilot, "#query", "234567890124")


async def search_rate_limited(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.searched(pilot, "9000000001")
    await pilot.press("escape")
    await settle(pilot)
    await flow.type_into(pilot, "#query", "9000000001")


async def otp(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.searched(pilot, "9000000002")


async def otp_wrong(pilot: Pilot[Any], rig: Rig) -> None:
    await otp(pilot, rig)
    await flow.type_into(pilot, "#otp", "000000")


async def otp_expired(pilot: Pilot[Any], rig: Rig) -> None:
    await otp(pilot, rig)
    rig.clock.advance(minutes=3, seconds=1)
    await flow.type_into(pilot, "#otp", flow.latest_otp(rig))


async def beneficiary(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.consented(pilot, rig, "9000000002")


async def beneficiary_family(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.consented(pilot, rig, "9000000008", person=1)


async def beneficiary_too_early(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.consented(pilot, rig, "9000000003")


async def id_check(pilot: Pilot[Any], rig: Rig) -> None:
    await beneficiary(pilot, rig)
    await pilot.press("enter")
    await settle(pilot)


async def id_check_mismatch(pilot: Pilot[Any], rig: Rig) -> None:
    await id_check(pilot, rig)
    await flow.type_into(pilot, "#last4", "0000")


async def record_dose(pilot: Pilot[Any], rig: Rig) -> None:
    await beneficiary(pilot, rig)
    await flow.id_checked(pilot, rig)


async def record_dose_warnings(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.consented(pilot, rig, "9000000003")
    await flow.form_despite_rules(pilot, rig)  # the person screen stops before the form


async def confirm_dose(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose(pilot, rig)
    await pilot.press("enter")
    await settle(pilot)


async def error_not_eligible(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose_warnings(pilot, rig)
    await flow.recorded(pilot)


async def error_uncertain(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose(pilot, rig)
    rig.registry.state.faults = m.Faults(down=True)
    await flow.recorded(pilot)


async def outbox_status(pilot: Pilot[Any], rig: Rig) -> None:
    """The dose's answer never came and the vaccinator closed the error: every screen says
    so in its context line, and F4 appears."""
    await error_uncertain(pilot, rig)
    await pilot.press("escape")
    await settle(pilot)


async def outbox_dialog(pilot: Pilot[Any], rig: Rig) -> None:
    await outbox_status(pilot, rig)
    await pilot.press("f4")
    await settle(pilot)


async def quit_guard(pilot: Pilot[Any], rig: Rig) -> None:
    await outbox_status(pilot, rig)
    await pilot.press("ctrl+q")
    await settle(pilot)


async def sign_out_guard(pilot: Pilot[Any], rig: Rig) -> None:
    await outbox_status(pilot, rig)
    await pilot.press("escape")  # back to the person
    await settle(pilot)
    await pilot.press("escape")  # back to Search
    await settle(pilot)
    await pilot.press("ctrl+l")
    await settle(pilot)


async def support(pilot: Pilot[Any], rig: Rig) -> None:
    """Ctrl+G. What changes from run to run (the reference, the log's name, the errors' times)
    is fixed here; the layout and every label are the screen's own."""
    from pathlib import Path
    from unittest import mock

    from vaxterm import supportlog

    await flow.signed_in(pilot, rig)
    errors = [supportlog.ErrorReference(
        "2026-11-28T04:31:07+00:00", "ServerUnavailable", "GERR002", "…7e2f",
        "The registry is unavailable just now. Try again in a minute.")]
    log = Path("/home/vaccinator/.local/state/vaxterm/log/vaxterm-20261128T043001Z-KQTM-RBXH.log")
    with mock.patch.object(supportlog, "session_reference", return_value="KQTM-RBXH"), \
            mock.patch.object(supportlog, "path", return_value=log), \
            mock.patch.object(supportlog, "recent_errors", return_value=errors), \
            mock.patch.object(supportlog, "textual_version", return_value="8.2.8"), \
            mock.patch("platform.python_version", return_value="3.11.7"):
        await pilot.press("ctrl+g")
        await settle(pilot)


async def reauth(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose(pilot, rig)
    rig.registry.state.tokens.clear()
    await flow.recorded(pilot)


async def reconsent(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose(pilot, rig)
    rig.registry.state.consents.clear()
    await flow.recorded(pilot)


async def tally(pilot: Pilot[Any], rig: Rig) -> None:
    await record_dose(pilot, rig)
    await flow.recorded(pilot)
    await pilot.press("f2")
    await settle(pilot)


async def entered_in_error(pilot: Pilot[Any], rig: Rig) -> None:
    await tally(pilot, rig)
    await pilot.press("f6")
    await settle(pilot)


async def aefi(pilot: Pilot[Any], rig: Rig) -> None:
    await tally(pilot, rig)
    await pilot.press("f7")
    await settle(pilot)


async def aefi_serious(pilot: Pilot[Any], rig: Rig) -> None:
    """A serious reaction chosen: its meaning and the escalation to follow."""
    from textual.widgets import Select

    await aefi(pilot, rig)
    screen = pilot.app.screen
    screen.query_one("#reaction", Select).value = "severe allergic reaction"
    screen.query_one("#seriousness", Select).value = "serious"
    screen.query_one("#outcome", Select).value = "referred or hospitalised"
    await flow.type_into(pilot, "#onset", "5", submit=False)


async def day_summary(pilot: Pilot[Any], rig: Rig) -> None:
    """The end of the day after one dose, no session closed yet."""
    await tally(pilot, rig)
    await pilot.press("f2")
    await settle(pilot)


async def search_after_dose(pilot: Pilot[Any], rig: Rig) -> None:
    """Search right after a dose: the certificate line and F5 to send it again."""
    await record_dose(pilot, rig)
    await flow.recorded(pilot)


async def help_panel(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await pilot.press("f1")
    await settle(pilot)


async def help_tally(pilot: Pilot[Any], rig: Rig) -> None:
    await tally(pilot, rig)
    await pilot.press("f1")
    await settle(pilot)


async def high_contrast(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await pilot.press("f9")
    await settle(pilot)


async def training_panel(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.searched(pilot, "9000000002")
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("f12")
    await settle(pilot)


async def training_panel_inbox(pilot: Pilot[Any], rig: Rig) -> None:
    from textual.widgets import TabbedContent

    await training_panel(pilot, rig)
    pilot.app.screen.query_one(TabbedContent).active = "tab-sms"
    await settle(pilot)


async def locked(pilot: Pilot[Any], rig: Rig) -> None:
    await beneficiary(pilot, rig)
    rig.clock.advance(minutes=15)
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "LockScreen")
    await settle(pilot)


async def record_dose_batches(pilot: Pilot[Any], rig: Rig) -> None:
    """The batch list open: the expired batch greyed, with its date."""
    await record_dose(pilot, rig)
    pilot.app.screen.query_one("#batch").focus()
    await pilot.press("enter")
    await settle(pilot)


async def walk_in(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.type_into(pilot, "#query", "9000000012")
    await pilot.press("f7")
    await settle(pilot)
    await flow.type_into(pilot, "#otp", flow.latest_otp(rig))


async def walk_in_duplicate(pilot: Pilot[Any], rig: Rig) -> None:
    from textual.widgets import Select

    await beneficiary(pilot, rig)
    await pilot.press("f7")
    await settle(pilot)
    existing = rig.person
    await flow.type_into(pilot, "#name", existing.name, submit=False)
    await flow.type_into(pilot, "#birth_year", existing.birth_year, submit=False)
    pilot.app.screen.query_one("#gender", Select).value = existing.gender
    await flow.type_into(pilot, "#id_number", "999999990019")


async def screening(pilot: Pilot[Any], rig: Rig) -> None:
    await id_check(pilot, rig)
    last4 = rig.registry.state.people[rig.person.beneficiary_reference_id].photo_id_last4
    await flow.type_into(pilot, "#last4", last4)


async def screening_precaution(pilot: Pilot[Any], rig: Rig) -> None:
    from textual.widgets import SelectionList

    await screening(pilot, rig)
    pilot.app.screen.query_one(SelectionList).select("BLEEDING")
    await pilot.press("enter")
    await settle(pilot)


async def reset_confirm(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    pilot.app.choose_scenario("reset")  # type: ignore[attr-defined]
    await settle(pilot)


async def not_vaccinated_deferred(pilot: Pilot[Any], rig: Rig) -> None:
    from textual.widgets import SelectionList

    await screening(pilot, rig)
    pilot.app.screen.query_one(SelectionList).select("ACUTE_ILLNESS")
    await pilot.press("enter")
    await settle(pilot)


async def not_vaccinated_recorded(pilot: Pilot[Any], rig: Rig) -> None:
    await not_vaccinated_deferred(pilot, rig)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def tally_not_vaccinated(pilot: Pilot[Any], rig: Rig) -> None:
    await not_vaccinated_recorded(pilot, rig)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)


async def session_close(pilot: Pilot[Any], rig: Rig) -> None:
    """The closing screen with 2 vials typed: wastage beyond the allowance asks why."""
    await tally(pilot, rig)
    await pilot.press("f10")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


async def session_closed(pilot: Pilot[Any], rig: Rig) -> None:
    """The tally of a closed session."""
    await tally(pilot, rig)
    await pilot.press("f10")
    await settle(pilot)
    await pilot.press("1", "f10")
    await settle(pilot)
    await pilot.press("tab", "enter")
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)


async def record_dose_vial_past_limit(pilot: Pilot[Any], rig: Rig) -> None:
    """The second dose's form: its batch remembered, its open vial past the 4 hours."""
    from datetime import timedelta

    await tally(pilot, rig)
    await pilot.press("escape")
    await settle(pilot)
    desk = rig.app.desk
    assert desk.session is not None
    desk.batches_of(desk.session.session_id).opened["SYN-CS-0425"] -= timedelta(hours=5)
    await flow.consented(pilot, rig, "9000000001")
    await flow.id_checked(pilot, rig)


STATES: dict[str, Step] = {step.__name__: step for step in (
    login_screen, login_wrong_password, login_locked, session_picker, search, search_invalid,
    search_aadhaar, search_rate_limited, otp, otp_wrong, otp_expired, beneficiary,
    beneficiary_family, beneficiary_too_early, id_check, id_check_mismatch, record_dose,
    record_dose_warnings, confirm_dose, error_not_eligible, error_uncertain, outbox_status,
    outbox_dialog, quit_guard, sign_out_guard, support, reauth, reconsent,
    tally, entered_in_error, aefi, help_panel, high_contrast, training_panel,
    training_panel_inbox, locked, record_dose_batches, reset_confirm, help_tally, walk_in,
    walk_in_duplicate, screening, screening_precaution, not_vaccinated_deferred,
    not_vaccinated_recorded, tally_not_vaccinated, session_close, session_closed,
    record_dose_vial_past_limit, aefi_serious, day_summary, search_after_dose)}
NEEDS_CONFIG = {"search_rate_limited": MockConfig(search_limit=1)}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("state", STATES)
def test_screen(snap_compare: Any, state: str, size: str) -> None:
    rig = build(config=NEEDS_CONFIG.get(state))

    async def run_before(pilot: Pilot[Any]) -> None:
        await STATES[state](pilot, rig)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(rig.app, terminal_size=SIZES[size], run_before=run_before)
