"""ApiClient against the real mock registry: every method, in process and over loopback."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date

import anyio
import httpx
import pytest

from api_client import errors as e
from api_client import models as m
from api_client.client import ApiClient, Consent, TraceEvent, otp_hash
from api_client.mock import FixedClock, Registry, create_app
from api_client.mock.population import SITUATIONS
from tests.support.loopback import serve

pytestmark = pytest.mark.anyio


@dataclass
class Rig:
    client: ApiClient
    registry: Registry
    clock: FixedClock
    trace: list[TraceEvent]

    async def login(self, username: str = "demo.north1") -> m.User:
        txn = await self.client.login(username, "Train@2026")
        user = await self.client.confirm_login(txn, self.registry.current_code(username))
        self.clock.advance(seconds=30)  # the next login needs the next code
        return user

    async def consent(self, mobile: str) -> Consent:
        found = await self.client.search(mobile=mobile)
        otp = next(s.otp for s in await self.client.sms_inbox() if s.txnId == found.txnId)
        return await self.client.confirm_beneficiary(found.txnId, otp)

    async def session(self, vaccine: str) -> m.Session:
        return next(s for s in await self.client.sessions() if s.vaccine == vaccine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="module")
def loopback_server() -> Iterator[tuple[str, FixedClock, Registry]]:
    clock = FixedClock()
    app = create_app(clock)
    with serve(app) as url:
        yield url + "/api/v2", clock, app.state.registry


async def make_rig(kind: str, loopback: tuple[str, FixedClock, Registry] | None
                   ) -> AsyncIterator[Rig]:
    trace: list[TraceEvent] = []
    if kind == "in-process":
        clock = FixedClock()
        app = create_app(clock)
        registry = app.state.registry
        transport = httpx.ASGITransport(app=app)  # app exceptions raise in tests
        client = ApiClient("http://mock.invalid/api/v2", transport=transport,
                           trace=trace.append, clock=lambda: clock.now().timestamp())
    else:
        assert loopback is not None
        url, clock, registry = loopback
        registry.reset()
        client = ApiClient(url, trace=trace.append, clock=lambda: clock.now().timestamp())
    async with client:
        yield Rig(client, registry, clock, trace)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    async for r in make_rig("in-process", None):
        yield r


@pytest.fixture(params=["in-process", "loopback"])
async def both(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    loopback = (request.getfixturevalue("loopback_server")
                if request.param == "loopback" else None)
    async for r in make_rig(request.param, loopback):
        yield r


# --- the group run both in process and over a loopback socket -------------------------------


async def test_meta(both: Rig) -> None:
    assert (await both.client.meta()).environment == "training"


async def test_login_sessions_search_consent_read_record(both: Rig) -> None:
    user = await both.login()
    assert user.centre_id == 100001 and both.client.logged_in
    session = await both.session("COVISHIELD")
    assert [b.vaccine_batch for b in session.batches] == ["SYN-CS-0425", "SYN-CS-0119"]
    consent = await both.consent("9000000002")
    assert consent.references == {"99990000000002"}
    person = await both.client.beneficiary("99990000000002", consent)
    assert (person.due_dose, person.eligibility.eligible) == (2, True)
    done = await both.client.record_dose(
        "99990000000002", consent,
        m.VaccinateRequest(session_id=session.session_id, vaccine="COVISHIELD",
                           vaccine_batch="SYN-CS-0425", dose=2, id_verified=True),
        idempotency_key=str(uuid.uuid4()))
    assert done.beneficiary.vaccination_status == "Vaccinated"
    summary = await both.client.session_summary(session.session_id)
    assert summary.by_dose == {"2": 1}
    assert [r.vaccination_id for r in summary.my_records] == [done.vaccination_id]


async def test_typed_errors(both: Rig) -> None:
    with pytest.raises(e.WrongPassword):
        await both.client.login("demo.north1", "nope")
    with pytest.raises(e.AccountLocked):
        await both.client.login("demo.locked", "Locked@2026")
    txn = await both.client.login("demo.north1", "Train@2026")
    with pytest.raises(e.OtpWrong) as wrong:
        await both.client.confirm_login(txn, "000000" if both.registry.current_code(
            "demo.north1") != "000000" else "111111")
    assert wrong.value.tries_left == 2 and "2 tries left" in wrong.value.message
    with pytest.raises(e.LoginExpired):
        await both.client.sessions()
    await both.login()
    with pytest.raises(e.NotRegistered):
        await both.client.search(mobile="9999999999")


async def test_logout_tells_the_server_and_forgets_the_token(both: Rig) -> None:
    await both.login()
    await both.client.logout()
    assert not both.client.logged_in and both.client.user is None
    assert both.registry.state.tokens == {}
    with pytest.raises(e.LoginExpired):
        await both.client.sessions()


# --- in process only ---------------------------------------------------------------------------


async def test_otp_expired(rig: Rig) -> None:
    await rig.login()
    found = await rig.client.search(mobile="9000000001")
    otp = next(s.otp for s in await rig.client.sms_inbox() if s.txnId == found.txnId)
    rig.clock.advance(minutes=4)
    with pytest.raises(e.OtpExpired):
        await rig.client.confirm_beneficiary(found.txnId, otp)


async def test_otp_is_sent_hashed(rig: Rig) -> None:
    sent: list[bytes] = []
    original = rig.client._http.send

    async def spy(request: httpx.Request, **kw: object) -> httpx.Response:
        sent.append(request.content)
        return await original(request, **kw)  # type: ignore[arg-type]

    rig.client._http.send = spy  # type: ignore[method-assign]
    txn = await rig.client.login("demo.north1", "Train@2026")
    code = rig.registry.current_code("demo.north1")
    await rig.client.confirm_login(txn, code)
    assert code.encode() not in sent[-1]
    assert f'"otp":"{otp_hash(code)}"'.encode() in sent[-1]


async def test_rate_limited_says_how_long(rig: Rig) -> None:
    await rig.login()
    # Different mobiles: one mobile has its own, lower OTP cap.
    mobiles = sorted(rig.registry.state.by_mobile)
    for n in range(rig.registry.config.search_limit):
        await rig.client.search(mobile=mobiles[n])
    with pytest.raises(e.RateLimited) as limited:
        await rig.client.search(mobile=mobiles[-1])
    assert limited.value.retry_after == 301
    assert "Wait 301 seconds" in limited.value.message


async def test_consent_scope_and_expiry_are_checked_before_sending(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000002")
    sent = len(rig.trace)
    with pytest.raises(e.ConsentScope):
        await rig.client.beneficiary("99990000000001", consent)
    rig.clock.advance(minutes=11)
    with pytest.raises(e.ConsentExpired):
        await rig.client.beneficiary("99990000000002", consent)
    assert len(rig.trace) == sent, "nothing was sent"


async def test_consent_expired_on_the_server(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000002")
    early = Consent(consent.token, consent.references, consent.expires_at + 3600, ())
    rig.clock.advance(minutes=10, seconds=30)
    await rig.login()
    with pytest.raises(e.ConsentExpired):
        await rig.client.beneficiary("99990000000002", early)


@pytest.mark.parametrize(("mobile", "ref", "dose", "error", "code"), [
    ("9000000003", "99990000000003", 2, e.NotEligible, "DOSE0003"),
    ("9000000002", "99990000000002", 1, e.DoseAlreadyRecorded, "DOSE0009"),
])
async def test_not_eligible_and_already_recorded(rig: Rig, mobile: str, ref: str, dose: int,
                                                 error: type[e.ApiError], code: str) -> None:
    await rig.login()
    consent = await rig.consent(mobile)
    session = await rig.session("COVISHIELD")
    with pytest.raises(error) as refused:
        await rig.client.record_dose(ref, consent, m.VaccinateRequest(
            session_id=session.session_id, vaccine="COVISHIELD", vaccine_batch="SYN-CS-0425",
            dose=dose, id_verified=True), idempotency_key=str(uuid.uuid4()))
    assert refused.value.code == code
    if isinstance(refused.value, e.NotEligible):
        assert refused.value.earliest_date == date(2027, 1, 21)
        assert "Too early for dose 2" in refused.value.message


async def test_batch_expired(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000001")
    session = await rig.session("COVISHIELD")
    with pytest.raises(e.BatchExpired):
        await rig.client.record_dose("99990000000001", consent, m.VaccinateRequest(
            session_id=session.session_id, vaccine="COVISHIELD", vaccine_batch="SYN-CS-0119",
            dose=1, id_verified=True), idempotency_key=str(uuid.uuid4()))


async def test_entered_in_error_and_aefi(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000001")
    session = await rig.session("COVISHIELD")
    done = await rig.client.record_dose("99990000000001", consent, m.VaccinateRequest(
        session_id=session.session_id, vaccine="COVISHIELD", vaccine_batch="SYN-CS-0425",
        dose=1, id_verified=True), idempotency_key=str(uuid.uuid4()))
    reported = await rig.client.report_aefi(done.vaccination_id, m.AefiRequest(
        reaction="fainting", seriousness="severe", onset=0, onset_unit="minutes",
        outcome="recovered"))
    assert reported.vaccination_id == done.vaccination_id and reported.flagged
    flags = await rig.client.aefi_flags()
    assert [(f.seriousness, f.outcome) for f in flags.reports] == [("severe", "recovered")]
    corrected = await rig.client.entered_in_error(done.vaccination_id, "wrong beneficiary")
    assert corrected.status == "entered-in-error"
    with pytest.raises(e.Refused) as again:
        await rig.client.entered_in_error(done.vaccination_id, "wrong beneficiary")
    assert again.value.code == "VACCIN0003" and again.value.message


async def test_renews_an_active_login_before_it_runs_out(rig: Rig) -> None:
    await rig.login()
    rig.clock.advance(minutes=13, seconds=30)  # 60 s of the token left
    await rig.client.sessions()
    paths = [t.path for t in rig.trace[-2:]]
    assert paths == ["/api/v2/auth/vaccinator/renew", "/api/v2/vaccinator/sessions"]
    assert rig.client.token_seconds_left == 900


async def test_a_dead_token_is_never_sent(rig: Rig) -> None:
    await rig.login()
    rig.clock.advance(minutes=16)
    sent = len(rig.trace)
    with pytest.raises(e.LoginExpired):
        await rig.client.sessions()
    assert len(rig.trace) == sent


async def test_a_token_killed_on_the_server_is_sent_once(rig: Rig) -> None:
    await rig.login()
    rig.registry.state.tokens.clear()  # e.g. an administrator ended the session
    with pytest.raises(e.LoginExpired):
        await rig.client.sessions()
    sent = len(rig.trace)
    with pytest.raises(e.LoginExpired):
        await rig.client.sessions()
    assert len(rig.trace) == sent and not rig.client.logged_in


async def test_session_limit_reached_on_renewal(rig: Rig) -> None:
    await rig.login()
    with pytest.raises(e.SessionLimitReached):
        for _ in range(60):  # 12 hours of renewals every 14 minutes is 51
            rig.clock.advance(minutes=14)
            await rig.client.renew()
    assert rig.client.logged_in, "the current token still works until it expires"


async def test_training_tools(rig: Rig) -> None:
    accounts = {a.username: a for a in await rig.client.demo_accounts()}
    assert accounts["demo.south"].current_code == rig.registry.current_code("demo.south")
    mobiles = await rig.client.demo_mobiles()
    assert [(d.mobile, d.shows) for d in mobiles] == [(s.mobile, s.shows) for s in SITUATIONS]
    await rig.login()
    await rig.client.search(mobile="9000000001")
    assert len(await rig.client.sms_inbox()) == 1
    assert [a.action for a in await rig.client.audit_log()] == ["login", "search"]
    faults = await rig.client.set_faults(m.Faults(down=True))
    assert faults.down
    with pytest.raises(e.ServerUnavailable):
        await rig.client.meta()
    await rig.client.set_faults(m.Faults())
    await rig.client.reset_training()
    assert rig.registry.state.tokens == {}


async def test_trace_never_carries_a_value(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000002")
    await rig.client.beneficiary("99990000000002", consent)
    text = repr(rig.trace)
    for value in ("99990000000002", "9000000002", "Train@2026", consent.token.reveal()):
        assert value not in text
    assert "{beneficiary_reference_id}" in text


async def test_tokens_are_masked_in_reprs(rig: Rig) -> None:
    await rig.login()
    consent = await rig.consent("9000000002")
    assert consent.token.reveal() not in repr(consent)
    assert rig.client._token is not None
    assert rig.client._token.reveal() not in repr(vars(rig.client))


async def test_a_wrong_password_at_step_1_keeps_the_live_login(rig: Rig) -> None:
    """Step 1 carries no token, so its 401 says nothing about the token: one wrong unlock
    password must not end the registry login."""
    user = await rig.login()
    with pytest.raises(e.WrongPassword):
        await rig.client.login("demo.north1", "not the password")
    assert rig.client.logged_in and rig.client.user == user
    assert (await rig.session("COVISHIELD")).vaccine == "COVISHIELD"


async def test_calls_near_expiry_renew_the_token_once(both: Rig) -> None:
    """Over a socket the three calls really overlap: one renews, the others wait for it
    and go out with the new token (a second renewal would spend the old token twice)."""
    await both.login()
    both.clock.advance(minutes=14)  # 60 s of the token left: every call wants to renew
    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(both.client.sessions)
    renewals = [t for t in both.trace if t.path.endswith("/renew")]
    assert [t.status for t in renewals] == [200]
    assert both.client.token_seconds_left == 900
    assert len(both.registry.state.tokens) == 1


async def test_the_signed_in_user_outlives_a_dead_token_not_a_sign_out(rig: Rig) -> None:
    """After the token dies the same vaccinator is asked to sign in again, so the client
    still knows who; sign-out forgets them."""
    user = await rig.login()
    rig.registry.state.tokens.clear()
    with pytest.raises(e.LoginExpired):
        await rig.client.sessions()
    assert not rig.client.logged_in and rig.client.user == user
    await rig.client.logout()
    assert rig.client.user is None
