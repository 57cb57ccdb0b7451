"""Keys that do what they say: every key a footer shows does something, F1 helps on the screen
it is pressed on, Enter in an empty field says what to type, the tally acts on the dose it
shows, and a field never drops what is typed or pasted in silence."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rich.console import Console
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select
from textual.widgets._footer import FooterKey

from screens.widgets import Field
from tests.snapshots import test_screens as states
from tests.support import flow
from tests.support.app import Rig, build, settle

pytestmark = pytest.mark.anyio
Step = Callable[[Pilot[Any], Rig], Awaitable[None]]


def screen_text(pilot: Pilot[Any]) -> str:
    """What the terminal shows now, as text."""
    app = pilot.app
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


def state_of(pilot: Pilot[Any]) -> tuple[object, ...]:
    app = pilot.app
    focused = app.screen.focused
    return (tuple(type(s).__name__ for s in app.screen_stack),
            focused.id if focused else None, screen_text(pilot), app.return_code)


def footer_keys(pilot: Pilot[Any]) -> list[str]:
    """The keys the footer shows and that are enabled."""
    return [k.key for k in pilot.app.screen.query(FooterKey)
            if not k.has_class("-command-palette") and not k.has_class("-disabled")]


async def searched_text(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await flow.type_into(pilot, "#query", "90000", submit=False)


async def picker_from_search(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    await pilot.press("f3")
    await settle(pilot)


# One state per screen (and per way its footer differs).
WALK: dict[str, Step] = {
    "login": states.login_screen, "picker": states.session_picker,
    "picker_from_search": picker_from_search, "search": states.search,
    "search_typed": searched_text, "otp": states.otp, "beneficiary": states.beneficiary,
    "id_check": states.id_check, "record_dose": states.record_dose, "tally": states.tally,
    "help": states.help_panel, "outbox": states.outbox_status,
}  # the training panel and the other dialogs have no footer
# Keys that are the app's own do the same on every screen: pressed once, on Search.
APP_KEYS = {"ctrl+q", "f1", "f4", "f12"}


async def keys_shown(state: str) -> list[str]:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await WALK[state](pilot, rig)
        await settle(pilot)
        return footer_keys(pilot)


async def pressing_changes_something(state: str, key: str) -> bool:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await WALK[state](pilot, rig)
        await settle(pilot)
        before = state_of(pilot)
        await pilot.press(key)
        await settle(pilot)
        return state_of(pilot) != before


@pytest.mark.parametrize("state", WALK)
async def test_every_key_the_footer_shows_does_something(state: str) -> None:
    """A key in the footer whose press changes nothing (no screen, focus, text or exit) is a
    key that lies. Each key is pressed on a fresh app at the same step."""
    shown = await keys_shown(state)
    assert "f1" in shown
    walked = [k for k in shown if k not in APP_KEYS or state in ("search", "outbox", "help")]
    lying = [key for key in walked if not await pressing_changes_something(state, key)]
    assert lying == [], f"on {state}, these keys did nothing: {lying}"
    if state in ("picker", "search"):
        assert "escape" not in shown, "nothing to go back to, nothing to clear"
    if state in ("picker_from_search", "search_typed", "otp", "tally", "help"):
        assert "escape" in walked


# --- point 7: help ----------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_help_leads_with_the_screen_fits_scrolls_and_closes(size: tuple[int, int]) -> None:
    from textual.containers import VerticalScroll

    rig = build()
    async with rig.app.run_test(size=size, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await pilot.press("f1")
        await settle(pilot)
        assert flow.screen_name(pilot) == "HelpScreen"
        text = screen_text(pilot)
        lines = text.splitlines()
        assert "Help · Find a beneficiary" in text
        assert text.index("Keys on this screen") < text.index("Keys everywhere")
        assert "Focus Next" not in text and "Scroll Up" not in text, "Textual's generic list"
        box = pilot.app.screen.query_one("#help-box").region
        assert box.right <= size[0] and box.bottom <= size[1] - 1, "the footer stays free"
        assert "f1" in footer_keys(pilot) and "f1 Close" in lines[-1]
        body = pilot.app.screen.query_one("#help-body", VerticalScroll)
        if size == (80, 24):
            assert body.max_scroll_y > 0
            await pilot.press("pagedown")
            await settle(pilot)
            assert body.scroll_y > 0, "the rest of the help can be read"
            assert "Tab moves to the next field" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"


async def test_help_on_the_tally_names_its_own_keys() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.tally(pilot, rig)
        await pilot.press("f1")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Help · Session tally" in text
        assert "Mark the chosen record entered in error" in text
        assert "Report a reaction (AEFI)" in text


# --- point 8: keys that lie -------------------------------------------------------------------

async def test_escape_on_the_picker_goes_back_when_there_is_somewhere_to_go() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.session_picker(pilot, rig)
        assert flow.screen_name(pilot) == "SessionPickerScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SessionPickerScreen", "a session must be chosen"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"


CODE_FIELDS = {
    "login code": (states.login_screen, "#code", "Type the 6 digits, then press Enter."),
    "beneficiary OTP": (states.otp, "#otp", "Type the 6-digit code."),
}


@pytest.mark.parametrize("field", CODE_FIELDS)
async def test_enter_in_an_empty_code_field_says_what_to_type(field: str) -> None:
    step, selector, said = CODE_FIELDS[field]
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await step(pilot, rig)
        if field == "login code":  # username and password typed: only the code is missing
            await flow.type_into(pilot, "#password", "Train@2026", submit=False)
        await flow.type_into(pilot, selector, "")
        assert said in screen_text(pilot)


async def test_enter_in_an_empty_unlock_field_asks_for_the_password() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await pilot.press("f8")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LockScreen"
        await pilot.press("enter")
        await settle(pilot)
        assert "Type your password, then press Enter." in screen_text(pilot)


async def test_enter_in_the_aefi_minutes_reports() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.aefi(pilot, rig)
        pilot.app.screen.query_one("#reaction", Select).value = "fever"
        pilot.app.screen.query_one("#seriousness", Select).value = "minor"
        onset = pilot.app.screen.query_one("#onset", Field)
        onset.focus()
        await pilot.press("1")
        onset.post_message(events.Paste("२"))  # a Devanagari digit on the way
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # The dose was just recorded: 12 minutes after it lies ahead, and the registry's
        # answer is said in words on the form.
        assert flow.screen_name(pilot) == "AefiModal"
        assert "falls after now" in flow.text(pilot, "#problem")
        rig.clock.advance(minutes=11)
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        assert [(r.body.onset, r.body.onset_unit)
                for r in rig.registry.state.aefi.values()] == [(12, "minutes")]


# --- point 9: the tally --------------------------------------------------------------------------

async def two_doses_then_tally(pilot: Pilot[Any], rig: Rig) -> None:
    await flow.signed_in(pilot, rig)
    for mobile in ("9000000001", "9000000002"):
        await flow.consented(pilot, rig, mobile)
        await flow.id_checked(pilot, rig)
        await flow.recorded(pilot)
        rig.clock.advance(minutes=1)
    await pilot.press("f2")
    await settle(pilot)


async def test_the_tally_opens_on_the_newest_dose_and_f6_marks_that_one() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await two_doses_then_tally(pilot, rig)
        newest = list(rig.app.desk.recorded)[-1]
        table = pilot.app.screen.query_one("#records", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == newest
        await pilot.press("f6")  # at once, as a vaccinator who just recorded it would
        await settle(pilot)
        assert flow.screen_name(pilot) == "EnteredInErrorModal"
        assert pilot.app.screen.record.vaccination_id == newest  # type: ignore[attr-defined]


async def test_recorded_count_agrees_with_the_table_after_entered_in_error() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await two_doses_then_tally(pilot, rig)
        assert "2 recorded" in flow.text(pilot, "#context")
        await pilot.press("f6")
        await settle(pilot)
        pilot.app.screen.query_one("#reason", Select).value = "duplicate entry"
        pilot.app.screen.query_one("#confirm").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        pilot.app.clear_notifications()
        await pilot.pause()
        text = screen_text(pilot)
        assert "entered-in-error" in text, "the Status column is wide enough at 80 columns"
        mine = str(pilot.app.screen.query_one("#mine", Label).render())
        assert mine == "Your records today: 1 recorded · 1 entered in error"
        assert "1 recorded" in flow.text(pilot, "#context")
        await pilot.press("escape")
        await settle(pilot)
        assert "1 recorded" in flow.text(pilot, "#context")


FOOTERS: dict[str, Step] = {"search": states.search, "search_typed": searched_text,
                            "tally": states.tally, "outbox": states.outbox_status}


@pytest.mark.parametrize("state", FOOTERS)
async def test_footer_keys_fit_whole_at_80_columns(state: str) -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await FOOTERS[state](pilot, rig)
        keys = list(pilot.app.screen.query(FooterKey))
        palette = next(k for k in keys if k.has_class("-command-palette"))
        for key in keys:
            if key is not palette:
                assert key.region.right <= palette.region.x, f"{key.key} is cut"
        assert "f1" in [k.key for k in keys], "F1 always stays"


async def test_tally_footer_with_a_dose_unconfirmed_fits_at_80_columns() -> None:
    from api_client import models as m

    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.error_uncertain(pilot, rig)
        await pilot.press("escape")
        await settle(pilot)
        rig.registry.state.faults = m.Faults()
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        keys = list(pilot.app.screen.query(FooterKey))
        shown = [k.key for k in keys]
        assert {"f6", "f7", "f4", "f1"} <= set(shown)
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert all(k.region.right <= palette.region.x for k in keys if k is not palette)


# --- point 11: what is typed or pasted ------------------------------------------------------------

async def test_a_paste_longer_than_the_field_says_so() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        query = pilot.app.screen.query_one("#query", Input)
        query.focus()
        pasted = "+91 98765 43210, +91 98765 43211"
        query.post_message(events.Paste(pasted))
        await settle(pilot)
        assert query.value == ""
        said = flow.text(pilot, "#reads")
        assert said.startswith(f"That makes {len(pasted)} characters; this field takes 20.")
        assert "Nothing was pasted" in said


async def test_devanagari_digits_go_into_a_code_field_as_ascii() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.otp(pilot, rig)
        otp = pilot.app.screen.query_one("#otp", Input)
        devanagari = "".join(chr(0x966 + int(c)) for c in flow.latest_otp(rig))
        otp.post_message(events.Paste(devanagari[:3] + " " + devanagari[3:]))
        await settle(pilot)
        assert otp.value == flow.latest_otp(rig)
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryScreen"


async def test_a_devanagari_mobile_is_searched() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.type_into(pilot, "#query", "९००००००००२")
        assert flow.screen_name(pilot) == "BeneficiaryOtpScreen"


async def test_a_letter_in_a_digit_field_is_refused_in_words() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.otp(pilot, rig)
        await pilot.press("1", "x")
        await settle(pilot)
        assert pilot.app.screen.query_one("#otp", Input).value == "1"
        assert flow.text(pilot, "#problem") == "Digits only here."


async def test_the_palettes_keys_command_opens_the_same_help() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        pilot.app.action_show_help_panel()
        await settle(pilot)
        assert flow.screen_name(pilot) == "HelpScreen"
        assert not pilot.app.screen.query("HelpPanel")


async def test_enter_with_no_password_in_the_relogin_asks_for_it() -> None:
    """Enter in the re-login's code field with the password still empty: the focus goes to
    the password, and the line under the form says so (it said nothing)."""
    rig = build()
    async with rig.app.run_test(size=(80, 24), notifications=True) as pilot:
        await states.reauth(pilot, rig)
        assert flow.screen_name(pilot) == "ReauthModal"
        pilot.app.screen.query_one("#code", Field).focus()
        await pilot.press(*"123456", "enter")
        await settle(pilot)
        assert pilot.app.screen.query_one("#password", Field).has_focus
        assert "Type your password, then the code." in screen_text(pilot)
