"""The workflows without a terminal: recording a dose, the two-step login and asking
consent, against the real mock registry in process (and a network that loses answers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx
import pytest

from api_client import errors as e
from api_client.client import ApiClient, Consent
from api_client.mock import FixedClock, Registry, create_app
from tests.support.faults import FaultyNetwork
from vaxterm.consent import Lookup, read_lookup, send_otp
from vaxterm.desk import Desk
from vaxterm.dose_form import open_draft
from vaxterm.recording import DoseRecording, RecordingState
from vaxterm.signin import SignIn, check_password
from vaxterm.validators import SearchKind

pytestmark = pytest.mark.anyio
PASSWORD = "Train@2026"


@dataclass
class World:
    api: ApiClient
    registry: Registry
    clock: FixedClock
    network: FaultyNetwork
    desk: Desk

    async def sign_in(self, username: str = "demo.north1") -> None:
        await SignIn(self.api).sign_in(
            username, PASSWORD, self.registry.current_code(username))
        self.clock.advance(seconds=30)  # the next login needs the next code

    async def consent(self, mobile: str) -> Consent:
        found = await send_otp(self.api, Lookup(SearchKind.MOBILE, mobile))
        otp = next(s.otp for s in await self.api.sms_inbox() if s.txnId == found.txnId)
        return await self.api.confirm_beneficiary(found.txnId, otp)

    async def at_dose_form(self, mobile: str = "9000000002") -> DoseRecording:
        await self.sign_in()
        self.desk.session = next(s for s in await self.api.sessions()
                                 if s.vaccine == "COVISHIELD")
        self.desk.consent = await self.consent(mobile)
        reference = self.desk.consent.beneficiaries[0].beneficiary_reference_id
        self.desk.person = await self.api.beneficiary(reference, self.desk.consent)
        today = self.clock.now().date()
        self.desk.draft = open_draft(self.desk.person, self.desk.session, today)
        return DoseRecording(self.api, self.desk, self.desk.draft)

    def doses_today(self, reference: str) -> int:
        today = self.clock.now().date()
        return sum(1 for d in self.registry.state.people[reference].doses
                   if d.given_on == today and d.status == "completed")


@pytest.fixture
async def world() -> AsyncIterator[World]:
    clock = FixedClock()
    app = create_app(clock)
    network = FaultyNetwork(httpx.ASGITransport(app=app), times=0)
    api = ApiClient("http://mock.invalid/api/v2", transport=network,
                    clock=lambda: clock.now().timestamp())
    async with api:
        yield World(api, app.state.registry, clock, network, Desk())


async def never_asked_consent(reference: str) -> Consent | None:
    raise AssertionError("consent was valid: nobody should be asked for a new OTP")


async def never_asked_retry(error: e.ApiError) -> bool:
    raise AssertionError(f"the outcome was known: nobody should be asked to retry ({error!r})")


# --- recording a dose --------------------------------------------------------------------


async def test_a_dose_is_recorded_once(world: World) -> None:
    recording = await world.at_dose_form()
    outcome = await recording.submit(ask_consent=never_asked_consent,
                                     ask_retry=never_asked_retry)
    assert outcome.state is RecordingState.RECORDED is recording.state
    assert outcome.answer is not None
    assert list(world.desk.recorded) == [outcome.answer.vaccination_id]
    assert len(world.desk.outbox) == 0
    assert world.doses_today(recording.draft.reference_id) == 1


async def test_a_lost_answer_is_outcome_unknown_and_the_retry_records_exactly_once(
        world: World) -> None:
    recording = await world.at_dose_form()
    # Every try the client makes by itself loses its answer; the registry stores the first.
    tries = world.api.retry.attempts
    world.network.lose_answer, world.network.times = ("/vaccinate",), tries
    asked: list[str] = []
    unconfirmed_while_asked: list[int] = []

    async def retry(error: e.ApiError) -> bool:
        asked.append(type(error).__name__)
        unconfirmed_while_asked.append(len(world.desk.outbox))
        return True

    outcome = await recording.submit(ask_consent=never_asked_consent, ask_retry=retry)
    assert asked == ["ConnectionDropped"] and unconfirmed_while_asked == [1]
    assert outcome.state is RecordingState.RECORDED
    assert world.network.reached_server.count(
        f"/api/v2/vaccinator/beneficiaries/{recording.draft.reference_id}/vaccinate") == tries + 1
    assert world.doses_today(recording.draft.reference_id) == 1  # the key held
    assert len(world.desk.outbox) == 0  # a confirmed retry clears it


async def test_giving_up_after_an_unknown_outcome_keeps_the_dose_unconfirmed(
        world: World) -> None:
    recording = await world.at_dose_form()
    world.network.lose_answer, world.network.times = ("/vaccinate",), world.api.retry.attempts

    async def no(error: e.ApiError) -> bool:
        return False

    outcome = await recording.submit(ask_consent=never_asked_consent, ask_retry=no)
    assert outcome.state is RecordingState.UNKNOWN
    assert isinstance(outcome.error, e.ConnectionDropped)
    assert recording.draft.idempotency_key in world.desk.outbox and len(world.desk.outbox) == 1
    assert world.doses_today(recording.draft.reference_id) == 1  # it did land
    # The same form, sent again later, confirms it and clears the count.
    again = await DoseRecording(world.api, world.desk, recording.draft).submit(
        ask_consent=never_asked_consent, ask_retry=never_asked_retry)
    assert again.state is RecordingState.RECORDED and len(world.desk.outbox) == 0
    assert world.doses_today(recording.draft.reference_id) == 1


async def test_expired_consent_asks_for_a_new_otp_and_sends_the_same_form(
        world: World) -> None:
    recording = await world.at_dose_form()
    world.clock.advance(minutes=11)  # consent lasts 10 minutes
    asked: list[str] = []

    async def new_consent(reference: str) -> Consent | None:
        asked.append(reference)
        return await world.consent("9000000002")

    outcome = await recording.submit(ask_consent=new_consent, ask_retry=never_asked_retry)
    assert asked == [recording.draft.reference_id]
    assert outcome.state is RecordingState.RECORDED
    assert world.doses_today(recording.draft.reference_id) == 1


async def test_no_new_otp_means_not_recorded(world: World) -> None:
    recording = await world.at_dose_form()
    world.clock.advance(minutes=11)

    async def declined(reference: str) -> Consent | None:
        return None

    outcome = await recording.submit(ask_consent=declined, ask_retry=never_asked_retry)
    assert outcome.state is RecordingState.REFUSED
    assert isinstance(outcome.error, e.ConsentExpired)
    assert world.doses_today(recording.draft.reference_id) == 0
    assert len(world.desk.outbox) == 0


async def test_a_refusal_is_known_and_nothing_is_recorded(world: World) -> None:
    recording = await world.at_dose_form("9000000003")  # dose 2 is 54 days too early
    outcome = await recording.submit(ask_consent=never_asked_consent,
                                     ask_retry=never_asked_retry)
    assert outcome.state is RecordingState.REFUSED
    assert isinstance(outcome.error, e.NotEligible)
    assert not world.desk.recorded and len(world.desk.outbox) == 0


# --- the two-step login ------------------------------------------------------------------


async def test_a_wrong_code_keeps_the_login_transaction(world: World) -> None:
    signing_in = SignIn(world.api)
    with pytest.raises(e.OtpWrong):
        await signing_in.sign_in("demo.north1", PASSWORD, "000000")
    user = await signing_in.sign_in("demo.north1", PASSWORD,
                                    world.registry.current_code("demo.north1"))
    assert user.username == "demo.north1" and world.api.logged_in
    # One step 1 for both codes: the vaccinator retyped only the code.
    assert world.network.reached_server.count("/api/v2/auth/vaccinator/login") == 1
    assert world.network.reached_server.count("/api/v2/auth/vaccinator/confirmOTP") == 2


async def test_a_wrong_password_is_said_and_nothing_is_opened(world: World) -> None:
    with pytest.raises(e.WrongPassword):
        await SignIn(world.api).sign_in("demo.north1", "not-the-password", "123456")
    assert not world.api.logged_in


async def test_the_lock_checks_the_password_without_a_new_login(world: World) -> None:
    await world.sign_in()
    await check_password(world.api, "demo.north1", PASSWORD)
    with pytest.raises(e.WrongPassword):
        await check_password(world.api, "demo.north1", "not-the-password")


# --- asking consent ----------------------------------------------------------------------


def test_what_was_typed_reads_as_a_mobile_or_a_reference_or_a_reason() -> None:
    assert read_lookup("+91 90000 00002") == Lookup(SearchKind.MOBILE, "9000000002")
    assert read_lookup("1234-5678-9012-34") == Lookup(SearchKind.REFERENCE_ID,
                                                      "12345678901234")
    assert read_lookup("1234 5678 9012") == ("12 digits looks like an Aadhaar number. Search "
                                             "by the mobile number or the reference ID "
                                             "instead.")


async def test_an_otp_goes_to_the_mobile_by_either_kind(world: World) -> None:
    await world.sign_in()
    by_mobile = await send_otp(world.api, Lookup(SearchKind.MOBILE, "9000000002"))
    consent = await world.consent("9000000002")
    reference = consent.beneficiaries[0].beneficiary_reference_id
    by_reference = await send_otp(world.api, Lookup(SearchKind.REFERENCE_ID, reference))
    assert by_mobile.masked_mobile[-4:] == by_reference.masked_mobile[-4:] == "0002"
    sent_to = [message.masked_mobile[-4:] for _, message in world.registry.state.sms]
    assert sent_to.count("0002") == 3


# --- the outbox's background try ---------------------------------------------------------


async def test_after_consent_the_session_records_say_whether_a_lost_dose_landed(
        world: World) -> None:
    from vaxterm.outbox import Outbox, try_again

    recording = await world.at_dose_form()
    world.network.lose_answer, world.network.times = ("/vaccinate",), world.api.retry.attempts

    async def no(error: e.ApiError) -> bool:
        return False

    await recording.submit(ask_consent=never_asked_consent, ask_retry=no)
    held = world.desk.outbox.doses[recording.draft.idempotency_key]
    world.clock.advance(minutes=11)  # the consent is gone: the form cannot be sent again
    settled = await try_again(world.api, held)
    assert settled is not None and settled.recorded and held.consent is None
    # A dose that never left: the same question answers "not recorded".
    other = Outbox().hold(replace(recording.draft, dose=3), None)  # no such dose today
    settled = await try_again(world.api, other)
    assert settled is not None and not settled.recorded
    assert "not recorded" in settled.why


async def test_a_close_whose_answer_was_lost_is_shown_as_closed_when_sent_again(
        world: World) -> None:
    """The registry closed the session but its answer was lost: the vaccinator's second try
    meets "already closed", and the registry's own count is what the app shows."""
    from api_client.models import SessionCloseRequest, VialsOpened
    from vaxterm.session_close import close

    await world.sign_in()
    session = next(s for s in await world.api.sessions() if s.vaccine == "COVISHIELD")
    closing = SessionCloseRequest(
        vials=[VialsOpened(vaccine_batch=session.batches[0].vaccine_batch, vials_opened=1)],
        wastage_reasons=["vial broken or damaged"])
    world.network.lose_answer, world.network.times = ("/close",), 1
    with pytest.raises(e.OutcomeUnknown):
        await close(world.api, world.desk, session.session_id, closing)
    closure = await close(world.api, world.desk, session.session_id, closing)
    assert closure.session_id == session.session_id
    assert [b.vials_opened for b in closure.batches if b.vials_opened] == [1]
    with pytest.raises(e.ApiError) as again:  # the registry's view: closed once
        await world.api.close_session(session.session_id, closing)
    assert again.value.code == "SESSN0005"
