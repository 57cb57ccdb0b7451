"""Pilot tests of the whole encounter against the in-process mock: a walk-in registered and
vaccinated in one visit, each screening answer's path, each could-not-vaccinate reason and
the tally counting them."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Select, SelectionList

from api_client.photo_ids import verhoeff_valid
from tests.support import flow
from tests.support.app import Rig, build, settle
from vaxterm.not_vaccinated import REASONS
from vaxterm.screening import QUESTIONS

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
WALK_IN = "9000000012"
NUMBER = next(n for n in (f"98765432101{d}" for d in "0123456789") if verhoeff_valid(n))


async def walk_in_otp(pilot: Pilot[object], rig: Rig, mobile: str = WALK_IN) -> None:
    """Search the mobile (nobody on it), then F7 and the beneficiary's code."""
    await flow.type_into(pilot, "#query", mobile)
    assert "F7 registers them as a walk-in" in flow.text(pilot, "#reads")
    await pilot.press("f7")
    await settle(pilot)
    assert flow.screen_name(pilot) == "BeneficiaryOtpScreen", flow.text(pilot, "#reads")
    await flow.type_into(pilot, "#otp", flow.latest_otp(rig))
    assert flow.screen_name(pilot) == "WalkInScreen", flow.text(pilot, "#problem")


async def fill(pilot: Pilot[object], name: str = "Zeta Canary", year: str = "1990",
               gender: str = "Female", number: str = NUMBER) -> None:
    screen = pilot.app.screen
    await flow.type_into(pilot, "#name", name, submit=False)
    await flow.type_into(pilot, "#birth_year", year, submit=False)
    screen.query_one("#gender", Select).value = gender
    await flow.type_into(pilot, "#id_number", number)


async def test_a_walk_in_is_registered_and_vaccinated_in_one_visit() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await walk_in_otp(pilot, rig)
        assert "Mobile ending 0012" in flow.text(pilot, "#mobile")
        await fill(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryScreen", flow.text(pilot, "#problem")
        person = rig.person
        assert (person.name, person.birth_year, person.photo_id_number) == (
            "Zeta Canary", "1990", "XXXXXXXX" + NUMBER[-4:])
        assert flow.text(pilot, "#eligibility").startswith("✔")
        ref = person.beneficiary_reference_id
        # Read now: a toast is gone after its 5 s, and the steps below may take that long.
        registered = [n.message for n in rig.app._notifications]
        assert f"Registered: reference ending {ref[-4:]}." in registered
        await flow.id_checked(pilot, rig)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        stored = rig.registry.state.people[ref]
        assert [(d.dose, d.vaccine, d.screening) for d in stored.doses] == [
            (1, "COVISHIELD", ("NONE",))]
        assert rig.app.desk.consent is None and rig.app.desk.person is None
        notes = [n.message for n in rig.app._notifications]
        assert NUMBER not in " ".join(registered + notes)


async def test_a_person_is_added_to_a_registered_mobile() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000001")
        await pilot.press("f7")
        await settle(pilot)
        assert flow.screen_name(pilot) == "WalkInScreen"
        await fill(pilot, name="Yara Canary", year="2000", gender="Others")
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        people = pilot.app.screen.query_one("#people", OptionList)
        assert people.option_count == 2
        assert rig.person.name == "Yara Canary", "the new person first"
        assert [type(s).__name__ for s in pilot.app.screen_stack][-2:] == [
            "SearchScreen", "BeneficiaryScreen"]


async def test_no_fifth_person_and_no_duplicate() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000008")
        await pilot.press("f7")
        await settle(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        assert "already has 4 people" in flow.text(pilot, "#problem")
        await pilot.press("escape")
        await settle(pilot)
        existing = rig.registry.state.people["99990000000001"]
        await flow.consented(pilot, rig, "9000000001")
        await pilot.press("f7")
        await settle(pilot)
        await fill(pilot, name=existing.name, year=str(existing.birth_year))
        assert flow.screen_name(pilot) == "WalkInScreen", "the form is kept"
        said = flow.text(pilot, "#problem")
        assert "already registered on this mobile (reference ending 0001)" in said, said
        assert len(rig.registry.state.by_mobile["9000000001"]) == 1


@pytest.mark.parametrize(("field", "value", "said"), [
    ("year", "2016", "Too young to register: vaccination starts at 12"),
    ("year", "19", "4 digits (never the full date)"),
    ("name", "Zeta 9", "letters, spaces"),
    ("number", "999999990018", "not a valid Aadhaar number"),
])
async def test_the_form_says_what_is_wrong_before_sending(field: str, value: str,
                                                          said: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await walk_in_otp(pilot, rig)
        await fill(pilot, **{field: value})  # type: ignore[arg-type]
        assert flow.screen_name(pilot) == "WalkInScreen"
        assert said in flow.text(pilot, "#problem")
        assert value not in flow.text(pilot, "#problem")
        assert WALK_IN not in rig.registry.state.by_mobile


# --- screening --------------------------------------------------------------------------


async def at_screening(pilot: Pilot[object], rig: Rig, mobile: str = "9000000001") -> None:
    await flow.signed_in(pilot, rig)
    await flow.consented(pilot, rig, mobile)
    await pilot.press("enter")
    await settle(pilot)
    last4 = rig.registry.state.people[rig.person.beneficiary_reference_id].photo_id_last4
    await flow.type_into(pilot, "#last4", last4)
    assert flow.screen_name(pilot) == "ScreeningScreen"


async def tick(pilot: Pilot[object], *codes: str) -> None:
    answers = pilot.app.screen.query_one("#answers", SelectionList)
    for code in codes:
        answers.select(code)
    await settle(pilot)


def codes_of_last_dose(rig: Rig, ref: str) -> tuple[str, ...]:
    return rig.registry.state.people[ref].doses[-1].screening


async def test_none_of_these_is_one_key() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await pilot.press("enter")  # nothing ticked is not an answer
        await settle(pilot)
        assert flow.screen_name(pilot) == "ScreeningScreen"
        assert "press N if none of these apply" in flow.text(pilot, "#problem")
        await pilot.press("n")
        await settle(pilot)
        ref = rig.person.beneficiary_reference_id
        await flow.recorded(pilot)
        assert codes_of_last_dose(rig, ref) == ("NONE",)


@pytest.mark.parametrize(("code", "reason", "come_back"), [
    ("ALLERGY", "contraindicated", ""),
    ("ACUTE_ILLNESS", "unwell and deferred", "05-12-2026"),
])
async def test_a_stop_leads_to_could_not_vaccinate(code: str, reason: str,
                                                   come_back: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await tick(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "NotVaccinatedScreen"
        reasons = pilot.app.screen.query_one("#reasons", OptionList)
        assert REASONS[reasons.highlighted or 0] == reason
        if come_back:
            assert f"come back from {come_back}" in flow.text(pilot, "#explained")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # confirm
        await settle(pilot)
        [encounter] = rig.registry.state.encounters
        assert (encounter.reason, encounter.screening) == (reason, (code,))
        assert "Recorded: not vaccinated" in flow.text(pilot, "#problem")
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"


async def test_recent_covid_asks_the_recovery_date_and_defers_3_months() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await tick(pilot, "RECENT_COVID")
        await pilot.press("enter")
        await settle(pilot)
        assert "Type the date: Recovered on" in flow.text(pilot, "#problem")
        await flow.type_into(pilot, "#date", "01-11-2026")
        assert flow.screen_name(pilot) == "NotVaccinatedScreen"
        assert "come back from 30-01-2027" in flow.text(pilot, "#explained")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        [encounter] = rig.registry.state.encounters
        assert encounter.come_back is not None and encounter.come_back.isoformat() == (
            "2027-01-30")
        assert "they may come back from 30-01-2027" in flow.text(pilot, "#problem")


@pytest.mark.parametrize("code", ["BLEEDING", "PREGNANT"])
async def test_a_precaution_is_confirmed_then_goes_with_the_dose(code: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await tick(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "ConfirmModal"
        await pilot.press("escape")  # not confirmed: the answers stay
        await settle(pilot)
        assert flow.screen_name(pilot) == "ScreeningScreen"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # confirmed
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen"
        ref = rig.person.beneficiary_reference_id
        await flow.recorded(pilot)
        assert codes_of_last_dose(rig, ref) == (code,)


async def test_breastfeeding_with_covishield_goes_ahead() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await tick(pilot, "BREASTFEEDING")
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen"
        ref = rig.person.beneficiary_reference_id
        await flow.recorded(pilot)
        assert codes_of_last_dose(rig, ref) == ("BREASTFEEDING",)


def test_every_question_has_a_path_here() -> None:
    tested = {"ALLERGY", "ACUTE_ILLNESS", "RECENT_COVID", "BLEEDING", "PREGNANT",
              "BREASTFEEDING"}
    assert {q.code for q in QUESTIONS} == tested


# --- could not vaccinate, from each screen, for each reason -------------------------------


async def not_vaccinated(pilot: Pilot[object], reason: str) -> None:
    """On the could-not-vaccinate screen: choose, record, confirm, back to Search."""
    assert flow.screen_name(pilot) == "NotVaccinatedScreen"
    pilot.app.screen.query_one("#reasons", OptionList).highlighted = REASONS.index(reason)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert flow.screen_name(pilot) == "ConfirmModal"
    await pilot.press("enter")
    await settle(pilot)
    assert "Recorded: not vaccinated" in flow.text(pilot, "#problem")
    await pilot.press("enter")
    await settle(pilot)
    assert flow.screen_name(pilot) == "SearchScreen"


@pytest.mark.parametrize("reason", REASONS)
async def test_each_reason_from_the_person_screen(reason: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000001")
        await pilot.press("f6")
        await settle(pilot)
        await not_vaccinated(pilot, reason)
        [encounter] = rig.registry.state.encounters
        assert encounter.reason == reason
        dated = {"unwell and deferred": "05-12-2026", "vaccine not available": "29-11-2026"}
        notes = " ".join(n.message for n in rig.app._notifications)
        if reason in dated:
            assert f"come back from {dated[reason]}" in notes
        else:
            assert encounter.come_back is None


async def test_from_the_screening_and_record_screens_and_the_tally_counts() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await at_screening(pilot, rig)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("escape")  # back to the answers: nothing recorded
        await settle(pilot)
        assert flow.screen_name(pilot) == "ScreeningScreen"
        assert rig.registry.state.encounters == []
        await pilot.press("f6")
        await settle(pilot)
        await not_vaccinated(pilot, "refused")
        await flow.consented(pilot, rig, "9000000002")
        await flow.id_checked(pilot, rig)
        await pilot.press("f6")
        await settle(pilot)
        await not_vaccinated(pilot, "vaccine not available")
        await flow.consented(pilot, rig, "9000000004")
        await pilot.press("f6")
        await settle(pilot)
        await not_vaccinated(pilot, "vaccine not available")
        await pilot.press("f2")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        counted = flow.text(pilot, "#not-vaccinated")
        assert "Not vaccinated (3)" in counted
        assert "no vaccine" in counted and "refused" in counted
        assert [line.split()[-1] for line in counted.splitlines()[1:]] == ["2", "1"]
        assert "Doses (0)" in flow.text(pilot, "#by-dose")
