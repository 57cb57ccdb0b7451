"""Pilot tests of the person screen and the OTP screen against the in-process mock: no walk
to "Record this dose?" for someone the rules refuse, dates in the registry's zone, one OTP
per beneficiary while their consent lives, and an OTP the registry ended."""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from api_client.mock import FixedClock, MockConfig
from api_client.mock.clock import IST
from tests.support import flow
from tests.support.app import Rig, build, settle, until

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


def footer_keys(pilot: Pilot[object]) -> str:
    """The keys the footer offers, as "key description" words."""
    shown = pilot.app.screen.active_bindings
    return " · ".join(f"{b.binding.key} {b.binding.description}" for b in shown.values()
                      if b.binding.show and b.enabled)


def sms_count(rig: Rig) -> int:
    return len(rig.registry.state.sms)


def stack(pilot: Pilot[object]) -> list[str]:
    return [type(s).__name__ for s in pilot.app.screen_stack]


# --- 4: the person screen stops someone the rules refuse --------------------------------

# (mobile, the session's vaccine, what the verdict says, what to do)
REFUSED = [
    ("9000000003", "COVISHIELD", "Too early for dose 2: due from 21-01-2027.",
     "come back on or after 21-01-2027"),
    ("9000000009", "COVISHIELD", "Not eligible: vaccination starts at 12",
     "come back from 01-01-"),
    ("9000000005", "COVISHIELD", "Fully vaccinated", "their vaccination is complete"),
    ("9000000010", "COVAXIN", "recorded today", "Next: dose 2 from 26-12-2026."),
    ("9000000006", "COVISHIELD", "COVISHIELD is not given to the 15-17 age group",
     "Press F3 to change to today's COVAXIN session"),
]


@pytest.mark.parametrize(("mobile", "vaccine", "why", "advice"), REFUSED,
                         ids=[r[0] for r in REFUSED])
async def test_enter_on_a_refused_person_stays_and_says_what_to_do(
        mobile: str, vaccine: str, why: str, advice: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig, "demo.north1", vaccine)
        await flow.consented(pilot, rig, mobile)
        assert flow.text(pilot, "#eligibility").startswith("✘")
        assert why.lower() in flow.text(pilot, "#eligibility").lower()
        assert advice.lower() in flow.text(pilot, "#advice").lower()
        assert "Check photo ID" not in footer_keys(pilot), "the footer offers no next step"
        before = rig.registry.fingerprint()
        await pilot.press("enter")
        await settle(pilot)
        assert stack(pilot)[-1] == "BeneficiaryScreen"
        assert "IdCheckScreen" not in stack(pilot) and rig.app.desk.draft is None
        assert flow.text(pilot, "#problem") == ("Nothing can be recorded in this session "
                                                "today: see what to do above.")
        assert advice.lower() in flow.text(pilot, "#advice").lower(), "still said"
        assert rig.registry.fingerprint() == before


async def test_an_eligible_person_still_goes_on_to_the_id_check() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        assert flow.text(pilot, "#eligibility").startswith("✔")
        assert flow.text(pilot, "#advice") == ""
        assert "enter Check photo ID" in footer_keys(pilot)
        assert "Change session" not in footer_keys(pilot)
        await flow.id_checked(pilot, rig)


async def test_the_registry_still_refuses_what_the_rules_missed() -> None:
    """The rules said yes when the record was read; another terminal gave the dose in the
    meantime. The form is opened and sent: the registry refuses, nothing is recorded twice."""
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000001")
        assert flow.text(pilot, "#eligibility").startswith("✔")
        await flow.id_checked(pilot, rig)
        person = rig.registry.state.people[rig.person.beneficiary_reference_id]
        from api_client.mock.population import DoseEntry

        person.doses.append(DoseEntry("elsewhere-1", 1, "COVISHIELD", "SYN-CS-0001",
                                      rig.clock.now().date()))
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        shown = " ".join(str(w.render()) for w in pilot.app.screen.query(Static))
        assert "Reference for support: DOSE" in shown
        assert [d.vaccination_id for d in person.doses] == ["elsewhere-1"]


# --- 5: dates in the registry's zone --------------------------------------------------------

# 20:00 UTC on 28-11 is 01:30 IST on 29-11: the registry's day, not the workstation's.
EVENING_UTC = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)


def workstation_in(rig: Rig, zone: timezone | ZoneInfo) -> None:
    """The app's clock reads the registry's instant in another zone (the workstation's)."""
    rig.app.clock = lambda: rig.clock.now().astimezone(zone)


async def review_date(pilot: Pilot[object]) -> str:
    """The "Date:" line of "Record this dose?"."""
    await pilot.press("enter")
    await settle(pilot)
    assert flow.screen_name(pilot) == "ConfirmModal"
    lines = [str(w.render()) for w in pilot.app.screen.query(Static)]
    return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Date:"))


async def test_the_review_date_is_the_registrys_date_not_the_workstations() -> None:
    rig = build(clock=FixedClock(EVENING_UTC.astimezone(IST)))
    workstation_in(rig, UTC)
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        ref = rig.person.beneficiary_reference_id
        await flow.id_checked(pilot, rig)
        assert await review_date(pilot) == "29-11-2026"
        await pilot.press("enter")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        given = rig.registry.state.people[ref].doses[-1].given_on
        assert given.strftime("%d-%m-%Y") == "29-11-2026", "what the review said is recorded"


async def test_a_dose_given_this_morning_ist_is_recorded_today_on_a_utc_workstation() -> None:
    rig = build(clock=FixedClock(EVENING_UTC.astimezone(IST)))
    workstation_in(rig, UTC)
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig, "demo.north1", "COVAXIN")
        await flow.consented(pilot, rig, "9000000010")
        eligibility = flow.text(pilot, "#eligibility")
        assert eligibility.startswith("✘ Dose 1 (COVAXIN) recorded today"), eligibility


async def test_the_zone_comes_from_meta() -> None:
    """A registry keeping New York time: at 02:00 UTC it is still the 28th there (and the
    29th in IST): the review says the registry's date, learnt from /meta."""
    new_york = ZoneInfo("America/New_York")
    moment = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    rig = build(clock=FixedClock(moment.astimezone(new_york)))
    workstation_in(rig, IST)
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        assert rig.app.desk.zone == new_york
        await flow.id_checked(pilot, rig)
        assert await review_date(pilot) == "28-11-2026"


# --- 6: one OTP while the consent lives ------------------------------------------------------


async def test_f3_on_the_person_screen_changes_session_and_keeps_the_consent() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig, "demo.north1", "COVISHIELD")
        await flow.consented(pilot, rig, "9000000006")  # 16 years old: COVAXIN only
        sent = sms_count(rig)
        assert flow.text(pilot, "#eligibility").startswith("✘")
        assert "f3 Change session" in footer_keys(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        assert rig.app.desk.session is not None and rig.app.desk.session.vaccine == "COVAXIN"
        assert flow.text(pilot, "#eligibility").startswith("✔ Eligible today for dose 1 of "
                                                           "COVAXIN")
        assert "COVAXIN" in flow.text(pilot, "#context")
        assert sms_count(rig) == sent, "no second OTP"
        await flow.id_checked(pilot, rig)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert rig.registry.state.people[
            rig.registry.state.by_mobile["9000000006"][0]].doses[-1].vaccine == "COVAXIN"


async def test_searching_again_after_f3_on_search_reuses_the_consent() -> None:
    """The walk the issue describes: back to Search, F3, the other session, the same mobile:
    the consent given 11 seconds ago still holds, so no second OTP."""
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig, "demo.north1", "COVISHIELD")
        await flow.consented(pilot, rig, "9000000006")
        sent = sms_count(rig)
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert rig.app.desk.consent is None and rig.app.desk.person is None
        rig.clock.advance(seconds=11)
        await pilot.press("f3")
        await settle(pilot)
        options = pilot.app.screen.query_one(OptionList)
        wanted = next(s.session_id for s in rig.app.desk.sessions if s.vaccine == "COVAXIN")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index(wanted)
        await pilot.press("enter")
        await settle(pilot)
        await flow.type_into(pilot, "#query", "9000000006")
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        assert sms_count(rig) == sent, "no second OTP"
        assert flow.text(pilot, "#eligibility").startswith("✔")
        notes = [n.message for n in rig.app._notifications]
        assert any("consent still holds" in n for n in notes), notes


async def test_an_expired_consent_is_not_reused() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        await pilot.press("escape")
        await settle(pilot)
        rig.clock.advance(minutes=9, seconds=30)  # less than a minute of it left
        sent = sms_count(rig)
        await flow.searched(pilot, "9000000002")
        assert sms_count(rig) == sent + 1


async def test_signing_out_forgets_the_kept_consent() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        await pilot.press("escape")
        await settle(pilot)
        assert rig.app.desk.kept is not None
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen"
        assert rig.app.desk.kept is None


# --- 8: an OTP the registry ended --------------------------------------------------------------


async def wrong_three_times(pilot: Pilot[object], rig: Rig) -> None:
    wrong = "000000" if flow.latest_otp(rig) != "000000" else "111111"
    for _ in range(3):
        await flow.type_into(pilot, "#otp", wrong)


async def test_after_three_wrong_otps_the_timer_stops_and_f5_sends_at_once() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, "9000000002")
        rig.clock.advance(seconds=12)
        await wrong_three_times(pilot, rig)
        rig.clock.advance(seconds=1)
        await until(pilot, lambda: "valid for" not in flow.text(pilot, "#timer"))  # a tick
        timer = flow.text(pilot, "#timer")
        assert "valid for" not in timer, timer
        assert timer == "This code no longer works: a new one is needed · F5 sends a new code"
        sent = sms_count(rig)
        await pilot.press("f5")  # 13 s after the first code: the registry allows it
        await settle(pilot)
        assert flow.text(pilot, "#problem") == "A new code was sent."
        assert sms_count(rig) == sent + 1
        assert flow.text(pilot, "#timer").startswith("Code valid for 3:00")
        await flow.type_into(pilot, "#otp", flow.latest_otp(rig))
        assert flow.screen_name(pilot) == "BeneficiaryScreen"


async def test_a_live_code_still_waits_30_seconds_before_another() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, "9000000002")
        rig.clock.advance(seconds=10)
        sent = sms_count(rig)
        await pilot.press("f5")
        await settle(pilot)
        assert flow.text(pilot, "#problem") == ("This code can still be used. A new one can "
                                                "be sent in 20 s.")
        assert sms_count(rig) == sent


async def test_when_the_registry_refuses_a_new_code_the_countdown_is_the_registrys() -> None:
    rig = build(config=MockConfig(otp_per_mobile_hour=1))
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, "9000000002")
        await wrong_three_times(pilot, rig)
        await pilot.press("f5")
        await settle(pilot)
        assert flow.text(pilot, "#problem").startswith("Too many searches.")
        timer = flow.text(pilot, "#timer")
        assert timer.startswith("This code no longer works: a new one is needed"), timer
        assert "new code (F5) in 60:00" in timer, timer
        sent = sms_count(rig)
        await pilot.press("f5")
        await settle(pilot)
        assert sms_count(rig) == sent, "F5 waits for the registry's time"
        assert flow.text(pilot, "#problem") == "The registry allows a new code in 60:00."


async def test_a_recorded_person_leaves_no_consent_behind() -> None:
    """Done is done: after the dose, searching the same mobile asks for a new OTP."""
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert rig.app.desk.kept is None
        sent = sms_count(rig)
        await flow.searched(pilot, "9000000002")
        assert sms_count(rig) == sent + 1
