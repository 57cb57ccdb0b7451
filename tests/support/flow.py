"""Drive the real app through the vaccinator's flow, one step a function, as a person would:
type into the focused field and press the keys the footer shows."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.support.app import Rig, login, settle


def text(pilot: Pilot[object], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


def screen_name(pilot: Pilot[object]) -> str:
    return type(pilot.app.screen).__name__


async def type_into(pilot: Pilot[object], selector: str, value: str, *,
                    submit: bool = True) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = value
    field.focus()
    if submit:
        await pilot.press("enter")
    await settle(pilot)


async def signed_in(pilot: Pilot[object], rig: Rig, username: str = "demo.north1",
                    vaccine: str = "COVISHIELD") -> None:
    """Log in and pick the session giving `vaccine` (skipped when there is only one)."""
    await settle(pilot)
    await login(pilot, rig, username)
    if screen_name(pilot) == "SessionPickerScreen":
        options = pilot.app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        wanted = next(s.session_id for s in rig.app.desk.sessions if s.vaccine == vaccine)
        options.highlighted = ids.index(wanted)
        await pilot.press("enter")
        await settle(pilot)
    assert screen_name(pilot) == "SearchScreen"


async def searched(pilot: Pilot[object], mobile: str) -> None:
    await type_into(pilot, "#query", mobile)
    assert screen_name(pilot) == "BeneficiaryOtpScreen", text(pilot, "#reads")


def latest_otp(rig: Rig) -> str:
    return rig.registry.state.sms[-1][1].otp


async def consented(pilot: Pilot[object], rig: Rig, mobile: str, person: int = 0) -> None:
    await searched(pilot, mobile)
    await type_into(pilot, "#otp", latest_otp(rig))
    assert screen_name(pilot) == "BeneficiaryScreen", text(pilot, "#problem")
    if person:
        for _ in range(person):
            await pilot.press("down")
        await settle(pilot)


async def id_checked(pilot: Pilot[object], rig: Rig) -> None:
    await pilot.press("enter")
    await settle(pilot)
    assert screen_name(pilot) == "IdCheckScreen"
    last4 = rig.registry.state.people[rig.person.beneficiary_reference_id].photo_id_last4
    await type_into(pilot, "#last4", last4)
    await screened(pilot)


async def screened(pilot: Pilot[object]) -> None:
    """The screening's usual answer: N, none of these."""
    assert screen_name(pilot) == "ScreeningScreen", text(pilot, "#problem")
    await pilot.press("n")
    await settle(pilot)
    assert screen_name(pilot) == "RecordDoseScreen", text(pilot, "#problem")


async def at_dose_form(pilot: Pilot[object], rig: Rig, mobile: str) -> None:
    """Signed in at the COVISHIELD session, consent given and photo ID checked."""
    await signed_in(pilot, rig)
    await consented(pilot, rig, mobile)
    await id_checked(pilot, rig)


async def recorded(pilot: Pilot[object]) -> None:
    """Review, then confirm: two Enters."""
    await pilot.press("enter")
    await settle(pilot)
    assert screen_name(pilot) == "ConfirmModal"
    await pilot.press("enter")
    await settle(pilot)


async def at_tally_after_a_dose(pilot: Pilot[object], rig: Rig, mobile: str) -> None:
    """One dose recorded for `mobile` at the COVISHIELD session, then F2: the tally."""
    await at_dose_form(pilot, rig, mobile)
    await recorded(pilot)
    await pilot.press("f2")
    await settle(pilot)


def batches_offered(rig: Rig) -> list[str]:
    """The batches the form's selector was built from."""
    return [b.vaccine_batch for b in rig.draft.batches]


async def form_despite_rules(pilot: Pilot[object], rig: Rig) -> None:
    """The dose form for the person on screen although the app's rules refuse them (as if
    those rules were out of date): the person screen never opens it, so the test does. The
    registry must then refuse the dose itself."""
    from screens.record_dose import RecordDoseScreen
    from vaxterm.dose_form import open_draft

    desk = rig.app.desk
    assert desk.session is not None
    desk.draft = open_draft(rig.person, desk.session, rig.app.today())
    await rig.app.push_screen(RecordDoseScreen())
    await settle(pilot)
