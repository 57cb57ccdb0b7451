"""Pilot tests of the vaccinator's flow against the in-process mock: the happy path for each
demo situation in the README, and each refusal a vaccinator will meet."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, OptionList, Select

from api_client import models as m
from api_client.mock import MockConfig
from tests.support import flow
from tests.support.app import Rig, build, settle, until

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def doses_of(rig: Rig, ref: str) -> list[tuple[int, str, str]]:
    person = rig.registry.state.people[ref]
    return [(d.dose, d.vaccine, d.status) for d in person.doses]


# (mobile, person index on the mobile, account, session vaccine, expected dose recorded)
HAPPY = [
    ("9000000001", 0, "demo.north1", "COVISHIELD", 1),
    ("9000000002", 0, "demo.north1", "COVISHIELD", 2),
    ("9000000004", 0, "demo.north1", "COVAXIN", 3),
    ("9000000006", 0, "demo.north1", "COVAXIN", 1),
    ("9000000007", 0, "demo.south", "CORBEVAX", 1),
    ("9000000008", 1, "demo.north1", "COVAXIN", 2),
]


@pytest.mark.parametrize(("mobile", "index", "account", "vaccine", "dose"), HAPPY,
                         ids=[h[0] for h in HAPPY])
async def test_happy_path_records_the_due_dose(mobile: str, index: int, account: str,
                                               vaccine: str, dose: int) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig, account, vaccine)
        await flow.consented(pilot, rig, mobile, index)
        ok = flow.text(pilot, "#eligibility")
        assert ok.startswith("✔"), ok
        ref = rig.person.beneficiary_reference_id
        await flow.id_checked(pilot, rig)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert doses_of(rig, ref)[-1] == (dose, vaccine, "completed")
        assert rig.app.desk.doses_recorded == 1
        assert "1 recorded" in flow.text(pilot, "#context")
        assert rig.app.desk.person is None and rig.app.desk.consent is None
        notes = [n.message for n in rig.app._notifications]
        # The certificate goes to the beneficiary's mobile; its number is never on screen.
        ending = rig.registry.state.people[ref].mobile[-4:]
        assert any(f"Dose {dose} recorded. Certificate sent to the mobile ending {ending}."
                   in n for n in notes)
        assert not any("CERT" in n for n in notes)


REFUSED = [
    ("9000000003", "demo.north1", "COVISHIELD", "Too early for dose 2: due from 21-01-2027."),
    ("9000000005", "demo.north1", "COVISHIELD", "Fully vaccinated"),
    ("9000000009", "demo.north1", "COVISHIELD", "Not eligible: vaccination starts at 12"),
    ("9000000010", "demo.north1", "COVAXIN", "already vaccinated today"),
    ("9000000011", "demo.north1", "COVISHIELD", "Too early for dose 3"),
]


@pytest.mark.parametrize(("mobile", "account", "vaccine", "reason"), REFUSED,
                         ids=[r[0] for r in REFUSED])
async def test_refusals_are_shown_and_nothing_is_recorded(mobile: str, account: str,
                                                          vaccine: str, reason: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig, account, vaccine)
        await flow.consented(pilot, rig, mobile)
        assert flow.text(pilot, "#eligibility").startswith("✘")
        before = rig.registry.fingerprint()
        await pilot.press("enter")  # the rules already say no: no ID check, no form
        await settle(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryScreen"
        assert flow.text(pilot, "#problem").startswith("Nothing can be recorded")
        await flow.form_despite_rules(pilot, rig)  # the registry stays the judge
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        shown = " ".join(str(w.render()) for w in pilot.app.screen.query("Static"))
        assert reason.lower() in shown.lower(), shown
        assert "Reference for support: DOSE" in shown
        assert rig.registry.fingerprint() == before
        await pilot.press("escape")
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen", "the form is kept"


async def test_wrong_otp_three_times() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, "9000000001")
        wrong = "000000" if flow.latest_otp(rig) != "000000" else "111111"
        messages = []
        for _ in range(3):
            await flow.type_into(pilot, "#otp", wrong)
            messages.append(flow.text(pilot, "#problem"))
        assert messages[0] == "That code is not right. 2 tries left."
        assert messages[1] == "That code is not right. 1 try left."
        assert messages[2].startswith("That code is not right, and no tries are left.")
        await flow.type_into(pilot, "#otp", flow.latest_otp(rig))
        assert "expired or was tried too often" in flow.text(pilot, "#problem")
        assert flow.screen_name(pilot) == "BeneficiaryOtpScreen"


async def test_expired_otp_then_a_new_one() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, "9000000002")
        first = flow.latest_otp(rig)
        rig.clock.advance(minutes=3, seconds=1)
        await until(pilot, lambda: "This code has expired" in flow.text(pilot, "#timer"))
        await flow.type_into(pilot, "#otp", first)
        assert "has expired" in flow.text(pilot, "#problem")
        await pilot.press("f5")
        await settle(pilot)
        assert flow.text(pilot, "#problem") == "A new code was sent."
        await flow.type_into(pilot, "#otp", flow.latest_otp(rig))
        assert flow.screen_name(pilot) == "BeneficiaryScreen"


async def test_rate_limit_counts_down_and_blocks_search() -> None:
    rig = build(config=MockConfig(search_limit=2))
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        for _ in range(2):
            await flow.searched(pilot, "9000000001")
            await pilot.press("escape")
            await settle(pilot)
        await flow.type_into(pilot, "#query", "9000000001")
        assert flow.text(pilot, "#reads") == "Too many searches. Search again in 5:01."
        assert pilot.app.screen.query_one("#query").disabled
        rig.clock.advance(seconds=302)
        await until(pilot, lambda: flow.text(pilot, "#reads") == "You can search again.")
        await flow.searched(pilot, "9000000001")


async def test_expired_batch_is_not_offered_and_is_refused_if_it_expires() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000001")
        assert flow.batches_offered(rig) == ["SYN-CS-0425"]  # SYN-CS-0119 has expired
        # The batch is withdrawn on the server while the form is open.
        plan = next(p for p in rig.registry.state.sessions.values() if p.vaccine == "COVISHIELD")
        plan.batches = tuple(type(b)(b.code, rig.clock.now().date().replace(year=2020))
                             for b in plan.batches)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        shown = " ".join(str(w.render()) for w in pilot.app.screen.query("Label, Static"))
        assert "Not recorded: batch expired" in shown and "Choose another batch" in shown
        assert doses_of(rig, "99990000000001") == []


async def test_login_expired_mid_form_asks_to_sign_in_and_keeps_the_form() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        key = rig.draft.idempotency_key
        rig.registry.state.tokens.clear()  # the login ends on the server
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ReauthModal"
        rig.clock.advance(seconds=30)  # the next code
        await flow.type_into(pilot, "#password", "Train@2026", submit=False)
        await flow.type_into(pilot, "#code", rig.registry.current_code("demo.north1"))
        assert flow.screen_name(pilot) == "SearchScreen"
        assert doses_of(rig, "99990000000002")[-1] == (2, "COVISHIELD", "completed")
        assert list(rig.app.desk.recorded)[-1] in {
            s.response.vaccination_id for k, s in rig.registry.state.idempotent.items()
            if k[1] == key}


async def test_consent_expired_mid_form_asks_for_the_otp_again() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        rig.registry.state.consents.clear()
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ReconsentModal"
        await flow.type_into(pilot, "#otp", flow.latest_otp(rig))
        assert flow.screen_name(pilot) == "SearchScreen"
        assert doses_of(rig, "99990000000002")[-1] == (2, "COVISHIELD", "completed")


async def test_network_failure_keeps_the_form_and_retry_records_once() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        rig.registry.state.faults = m.Faults(down=True)
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "ErrorModal"
        assert len(rig.app.desk.outbox) == 1
        rig.registry.state.faults = m.Faults()
        await pilot.press("enter")  # Retry (safe) has focus
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert len(rig.app.desk.outbox) == 0
        assert [d for d in doses_of(rig, "99990000000002") if d[0] == 2] == [
            (2, "COVISHIELD", "completed")]


async def test_id_must_match_the_registered_card() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        await pilot.press("enter")
        await settle(pilot)
        real = rig.registry.state.people["99990000000002"].photo_id_last4
        wrong = f"{(int(real) + 1) % 10000:04d}"
        await flow.type_into(pilot, "#last4", wrong)
        assert flow.screen_name(pilot) == "IdCheckScreen"
        assert "do not match the registered ID" in flow.text(pilot, "#problem")


@pytest.mark.parametrize(("username", "password", "message"), [
    ("demo.north1", "wrong", "The username or password is not right."),
    ("demo.locked", "Locked@2026", "This account is locked."),
])
async def test_login_refusals(username: str, password: str, message: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await flow.type_into(pilot, "#username", username, submit=False)
        await flow.type_into(pilot, "#password", password, submit=False)
        await flow.type_into(pilot, "#code", rig.registry.current_code(username))
        assert flow.screen_name(pilot) == "LoginScreen"
        assert flow.text(pilot, "#problem").startswith(message)


async def test_wrong_login_code_says_tries_left() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await flow.type_into(pilot, "#password", "Train@2026", submit=False)
        code = rig.registry.current_code("demo.north1")
        await flow.type_into(pilot, "#code", "000000" if code != "000000" else "111111")
        assert flow.text(pilot, "#problem").startswith("That code is not right. 2 tries left.")
        await flow.type_into(pilot, "#code", code)
        assert flow.screen_name(pilot) == "SessionPickerScreen"


async def test_remembered_password_is_filled_from_the_keyring() -> None:
    from dataclasses import replace

    from vaxterm.settings import LoginSettings, Settings

    settings = Settings(login=LoginSettings(username="demo.north1", remember_password=True))
    first = build(settings=settings)
    async with first.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.screen.query_one("#remember", Checkbox).value = True
        await flow.signed_in(pilot, first)
        await settle(pilot)
    assert first.keyring.store == {("vaxterm:training", "demo.north1"): "Train@2026"}
    second = build(settings=replace(settings), keyring=first.keyring)
    async with second.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one("#password", Input).value == "Train@2026"
        assert pilot.app.focused is pilot.app.screen.query_one("#code")


async def test_search_reads_the_input_and_refuses_an_aadhaar_number() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.type_into(pilot, "#query", "99990000000002", submit=False)
        assert flow.text(pilot, "#reads") == "Reads as a reference ID."
        await flow.type_into(pilot, "#query", "234567890124")
        assert "looks like an Aadhaar number" in flow.text(pilot, "#reads")
        assert flow.screen_name(pilot) == "SearchScreen"
        await flow.type_into(pilot, "#query", "5000000001")
        assert "start with 6, 7, 8 or 9" in flow.text(pilot, "#reads")


async def test_a_family_shows_everyone_on_the_mobile() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000008")
        assert pilot.app.screen.query_one("#people", OptionList).option_count == 4
        assert "Your access to this record is recorded." in flow.text(pilot, "#audited")


async def test_tally_entered_in_error_and_aefi() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_tally_after_a_dose(pilot, rig, "9000000002")
        assert flow.screen_name(pilot) == "TallyScreen"
        assert "Doses (1)" in flow.text(pilot, "#by-dose")
        await pilot.press("f7")
        await settle(pilot)
        assert flow.screen_name(pilot) == "AefiModal"
        pilot.app.screen.query_one("#reaction", Select).value = "fever"
        pilot.app.screen.query_one("#seriousness", Select).value = "minor"
        await flow.type_into(pilot, "#onset", "0", submit=False)
        await pilot.click("#confirm")
        await settle(pilot)
        assert len(rig.registry.state.aefi) == 1
        await pilot.press("f6")
        await settle(pilot)
        assert flow.screen_name(pilot) == "EnteredInErrorModal"
        pilot.app.screen.query_one("#reason", Select).value = "wrong batch"
        pilot.app.clear_notifications()  # two stacked toasts would take the click
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert flow.screen_name(pilot) == "TallyScreen"
        assert doses_of(rig, "99990000000002")[-1] == (2, "COVISHIELD", "entered-in-error")
        assert "Doses (0)" in flow.text(pilot, "#by-dose")


async def test_sign_out_forgets_everything() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen"
        assert rig.app.user is None and not rig.app.api.logged_in
        assert rig.registry.state.tokens == {}


async def test_help_toggles_with_f1() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await pilot.press("f1")
        await settle(pilot)
        assert flow.screen_name(pilot) == "HelpScreen"
        await pilot.press("f1")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"


async def test_palette_offers_the_screens_actions() -> None:
    from textual.app import SystemCommand

    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)
                  if isinstance(c, SystemCommand)]
        assert {"Tally", "Session", "Sign out", "High contrast", "Keys"} <= set(titles)


async def test_quitting_with_an_unconfirmed_dose_asks_first() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        rig.registry.state.faults = m.Faults(down=True)
        await flow.recorded(pilot)
        await pilot.press("escape")  # close the error without retrying
        await settle(pilot)
        assert len(rig.app.desk.outbox) == 1
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert flow.screen_name(pilot) == "LeaveGuard"
        said = " ".join(str(w.render()) for w in pilot.app.screen.query("Static"))
        name = rig.person.name.split()[0]
        assert f"{name} (ref ending {rig.person.beneficiary_reference_id[-4:]}), dose 2" in said
        await pilot.press("enter")  # the default is Stay
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen" and rig.app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("escape")  # Escape stays too
        await settle(pilot)
        assert flow.screen_name(pilot) == "RecordDoseScreen" and rig.app.is_running
