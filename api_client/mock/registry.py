"""The mock registry's state and behaviour, without HTTP.

A method marked `@handles("operation")` serves that endpoint of `contract.ENDPOINTS`: it takes
already-decoded, already-checked arguments, named as `app.py` passes them (`account`, `body`,
a path parameter's name, `consent_token`, ...), and either returns the endpoint's wire model
or raises `Refusal` with a contract error code. The HTTP layer only translates. Handlers run
on one event loop and none of these methods awaits, so each one is atomic.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import secrets
import uuid
from collections import Counter, deque
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import pyotp

from api_client import aefi
from api_client import models as m
from api_client.codes import CODES
from api_client.dates import ddmmyyyy
from api_client.mock.accounts import (
    CENTRES,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    MAX_WRONG_CODES,
    Account,
    SessionPlan,
    build_accounts,
    build_sessions,
)
from api_client.mock.certificates import CertificateHandlers, new_resend_window
from api_client.mock.clock import Clock
from api_client.mock.encounters import Encounter, EncounterHandlers, Reply
from api_client.mock.limits import Window
from api_client.mock.population import SITUATIONS, DoseEntry, Person, build_population
from api_client.mock.sessions import SessionHandlers
from api_client.rules import VACCINES, GivenDose, Reason, check_dose, next_due

VERSION = "2.0.0-mock"
OTP_LIFETIME = timedelta(minutes=3)
OTP_TRIES = 3
TOKEN_LIFETIME = timedelta(minutes=15)
SESSION_LIMIT = timedelta(hours=12)
CONSENT_LIFETIME = timedelta(minutes=10)
_IDEMPOTENCY_KEY = re.compile(m.IDEMPOTENCY_KEY_PATTERN)
_NOBODY_PASSWORD = secrets.token_urlsafe(16)  # compared against for unknown usernames

HANDLES = "contract_operation"  # the attribute `handles` sets on a method
F = TypeVar("F", bound=Callable[..., Any])


def handles(operation: str) -> Callable[[F], F]:
    """Serve the contract's `operation` with the method below (see the module docstring)."""

    def mark(method: F) -> F:
        setattr(method, HANDLES, operation)
        return method

    return mark


class Refusal(Exception):
    """A contract error: `code` is an `errorCode` of `codes.CODES`."""

    def __init__(self, code: str, message: str = "", *, headers: dict[str, str] | None = None,
                 **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or CODES[code].message
        self.headers = headers or {}
        self.details = details


class Unauthenticated(Exception):
    """No valid login token: answered with Co-WIN's bare-text 401."""


# A fixed seed only when asked: tests and snapshots set it, so their codes and names repeat.
SEED_ENV = "VAXTERM_MOCK_SEED"


def chosen_seed(seed: int | None, environ: Mapping[str, str] | None = None) -> int:
    """`seed` if given, else `$VAXTERM_MOCK_SEED`, else a fresh one: without a seed each start
    draws new OTPs, certificate numbers and references, so a class cannot learn them and two
    laptops do not share them."""
    if seed is not None:
        return seed
    raw = (os.environ if environ is None else environ).get(SEED_ENV, "").strip()
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{SEED_ENV} must be a whole number; got {raw[:20]!r}") from None
    return secrets.randbits(32)


@dataclass(frozen=True)
class MockConfig:
    seed: int | None = None  # None: $VAXTERM_MOCK_SEED, else random per start
    # The trainer's key for the room's reset and scenarios; "" (the in-process mock of one
    # laptop, where the person at the keyboard is the trainer) asks for none.
    room_key: str = ""
    population: int = 2000
    trainees: int = 40
    environment: str = "training"
    search_limit: int = 30  # searches per vaccinator per window
    search_window: timedelta = timedelta(minutes=5)
    bulk_alert_distinct: int = 20  # distinct targets in a window that raise an audit alert
    # ... and in any hour, so that 19 people every 5 minutes does not slip under the alert.
    bulk_alert_distinct_hour: int = 40
    otp_per_mobile_hour: int = 5  # OTP SMS to one mobile, whoever asks
    otp_per_vaccinator_hour: int = 60  # OTP SMS one vaccinator may cause
    probes_per_window: int = 10  # unknown vaccination ids a vaccinator may try per window
    body_timeout_s: float = 10.0  # for a request body to arrive in full (slow clients)


@dataclass
class LoginTxn:
    username: str
    created: datetime
    tries: int = 0


@dataclass
class Token:
    username: str
    expires: datetime
    login_at: datetime


@dataclass
class BeneficiaryTxn:
    vaccinator: str
    mobile: str
    references: tuple[str, ...]
    otp: str
    created: datetime
    tries: int = 0


@dataclass
class Consent:
    vaccinator: str
    references: frozenset[str]
    expires: datetime
    txn_id: str
    mobile: str = ""  # where the OTP went: a walk-in is registered under it


@dataclass
class Stored:
    fingerprint: str
    response: m.VaccinateResponse


@dataclass(frozen=True)
class StoredAefi:
    """A reaction report; `flagged` (severe or serious) puts it on the supervisor's list."""

    vaccination_id: str
    body: m.AefiRequest
    flagged: bool
    reported_at: datetime
    vaccinator: str
    centre_id: int
    session_id: str
    reference_id: str
    vaccine: str


@dataclass
class State:
    people: dict[str, Person]
    by_mobile: dict[str, list[str]]
    accounts: dict[str, Account]
    sessions: dict[str, SessionPlan]
    login_txns: dict[str, LoginTxn] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    beneficiary_txns: dict[str, BeneficiaryTxn] = field(default_factory=dict)
    consents: dict[str, Consent] = field(default_factory=dict)
    idempotent: dict[tuple[str, str], Stored] = field(default_factory=dict)
    searches: dict[str, deque[tuple[datetime, str]]] = field(default_factory=dict)
    search_targets: dict[str, Counter[str]] = field(default_factory=dict)  # in the window
    sms: list[tuple[str, m.SmsMessage]] = field(default_factory=list)  # (vaccinator, message)
    audit: list[m.AuditEntry] = field(default_factory=list)
    aefi: dict[str, StoredAefi] = field(default_factory=dict)
    # Certificate links sent to beneficiaries (vaccinator, message), and the resends per
    # beneficiary in the last hour.
    certificates: list[tuple[str, m.CertificateSms]] = field(default_factory=list)
    certificate_resends: Window = field(default_factory=new_resend_window)
    faults: m.Faults = field(default_factory=m.Faults)
    # Confirmed OTP transactions, kept for the OTP's life so that the same code sent again
    # (its answer was lost on the way) gets the same answer: txnId -> (otp hash, when,
    # who, the token or consent token given, the answer).
    confirmed: dict[str, Confirmed] = field(default_factory=dict)
    # The abuse rules' counters (DESIGN.md §3), built from the config by `Registry`.
    otp_by_mobile: Window = field(default_factory=lambda: Window(timedelta(hours=1), 5))
    otp_by_vaccinator: Window = field(default_factory=lambda: Window(timedelta(hours=1), 60))
    probes: Window = field(default_factory=lambda: Window(timedelta(minutes=5), 10))
    searched_hour: dict[str, deque[tuple[datetime, str]]] = field(default_factory=dict)
    # Encounters that ended without a dose, and first answers of walk-in registrations and
    # of those encounters, by (operation, vaccinator, Idempotency-Key).
    encounters: list[Encounter] = field(default_factory=list)
    replies: dict[tuple[str, str, str], Reply] = field(default_factory=dict)
    reply_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


@dataclass(frozen=True)
class Confirmed:
    otp: str
    at: datetime
    username: str
    token: str
    answer: m.LoginResponse | m.ConsentResponse


def describe_faults(faults: m.Faults) -> str:
    """The injected faults in words, for the room's log."""
    parts = [f"{faults.latency_ms} ms latency" if faults.latency_ms else "",
             f"{faults.error_rate:.0%} of answers fail" if faults.error_rate else "",
             "server down" if faults.down else "",
             "searches rate limited" if faults.rate_limited else "",
             f"logins last {faults.token_lifetime_s} s" if faults.token_lifetime_s else ""]
    return ", ".join(p for p in parts if p) or "normal"


def sha256_hex(digits: str) -> str:
    return hashlib.sha256(digits.encode()).hexdigest()


def mask(digits: str, keep: int = 4) -> str:
    return "*" * max(len(digits) - keep, 0) + digits[-keep:]


def _history(person: Person) -> list[GivenDose]:
    return [GivenDose(d.dose, d.vaccine, d.given_on, d.is_precaution)
            for d in person.doses if d.status == "completed"]


class Registry(EncounterHandlers, SessionHandlers, CertificateHandlers):
    # The encounter's handlers live in encounters.py; marked here with the rest.
    registration_otp = handles("registrationOtp")(EncounterHandlers.registration_otp)
    register = handles("register")(EncounterHandlers.register)
    not_vaccinated = handles("notVaccinated")(EncounterHandlers.not_vaccinated)
    close_session = handles("closeSession")(SessionHandlers.close_session)
    resend_certificate = handles("resendCertificate")(CertificateHandlers.resend_certificate)

    def __init__(self, clock: Clock, config: MockConfig | None = None) -> None:
        self.clock = clock
        self.config = config or MockConfig()
        self.seed = chosen_seed(self.config.seed)
        # Identifiers and OTPs shown on screen come from a generator of this start's seed:
        # repeatable when a seed is asked for (tests, snapshots), new on every start otherwise.
        # A reset does not restart it, so the codes after a reset are new too. Login and
        # consent tokens never come from it: they stay unguessable.
        self.rng = random.Random(self.seed)
        self._request_ids = random.Random(self.seed + 1)
        self.state = self._fresh_state()
        # Called with every audit entry (already masked): the training room's live log.
        self.observers: list[Callable[[m.AuditEntry], None]] = []

    # --- set-up -------------------------------------------------------------------------

    def _fresh_state(self) -> State:
        # The initial population: the same people for the whole run, after a reset too.
        today = self.clock.now().date()
        people = build_population(self.seed, today, self.config.population)
        by_mobile: dict[str, list[str]] = {}
        for ref, person in people.items():
            by_mobile.setdefault(person.mobile, []).append(ref)
        hour = timedelta(hours=1)
        return State(people, by_mobile, build_accounts(self.config.trainees),
                     build_sessions(self.seed, today),
                     otp_by_mobile=Window(hour, self.config.otp_per_mobile_hour),
                     otp_by_vaccinator=Window(hour, self.config.otp_per_vaccinator_hour),
                     probes=Window(self.config.search_window, self.config.probes_per_window))

    def reset(self) -> None:
        self.state = self._fresh_state()

    def request_id(self) -> str:
        """A request id for support references; seeded apart from the data's generator."""
        return f"{self._request_ids.getrandbits(64):016x}"

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    @property
    def training(self) -> bool:
        return self.config.environment == "training"

    def now(self) -> datetime:
        return self.clock.now()

    def _audit(self, vaccinator: str, action: str, reference: str = "", consent: str = "",
               session_id: str = "", detail: str = "") -> None:
        entry = m.AuditEntry(
            time=self.now().isoformat(timespec="seconds"), vaccinator=vaccinator, action=action,
            beneficiary_reference_id=mask(reference) if reference else "",
            consent=consent[:8], session_id=session_id, detail=detail)
        self.state.audit.append(entry)
        for observe in self.observers:
            observe(entry)

    def refused(self, vaccinator: str, operation: str, detail: str) -> None:
        """Audit a refusal the handler did not audit itself (see app.py)."""
        self._audit(vaccinator, f"{operation} refused", detail=detail)

    # --- vaccinator login ---------------------------------------------------------------

    def _locked(self, account: Account, now: datetime) -> bool:
        """Locked by a supervisor, or within a lockout; an ended lockout is cleared."""
        if account.locked_until is not None and now >= account.locked_until:
            account.locked_until = None
        return account.locked or account.locked_until is not None

    def _lock(self, account: Account, now: datetime, why: str) -> None:
        """Lock for `LOCKOUT`, start the counts afresh, and end its pending logins."""
        account.locked_until = now + LOCKOUT
        account.failed_logins = account.failed_codes = 0
        for txn_id in [t for t, x in self.state.login_txns.items()
                       if x.username == account.username]:
            del self.state.login_txns[txn_id]
        self._audit(account.username, "account locked",
                    detail=f"{why}; until {account.locked_until.isoformat(timespec='seconds')}")

    def _purge_login_txns(self, now: datetime) -> None:
        for txn_id in [t for t, x in self.state.login_txns.items()
                       if now - x.created > OTP_LIFETIME]:
            del self.state.login_txns[txn_id]

    @handles("login")
    def login(self, body: m.LoginRequest) -> m.TxnResponse:
        """One answer (401 USRAUT0001) for an unknown user, a wrong password, and a wrong
        password on a locked account: nothing tells which usernames exist. Only the right
        password on a locked account hears "locked" (403 USRAUT0002), which tells nothing
        to someone who does not know it."""
        now = self.now()
        self._purge_login_txns(now)
        account = self.state.accounts.get(body.username)
        # Compared as bytes: any text, ASCII or not, is a wrong password, never a crash.
        expected = account.password if account is not None else _NOBODY_PASSWORD
        right = secrets.compare_digest(expected.encode(), body.password.encode())
        if account is None or not right:
            if account is not None and not self._locked(account, now):
                account.failed_logins += 1
                self._audit(account.username, "login refused",
                            detail=f"wrong password ({account.failed_logins})")
                if account.failed_logins >= MAX_FAILED_LOGINS:
                    self._lock(account, now, f"{MAX_FAILED_LOGINS} wrong passwords")
            else:
                self._audit(account.username if account else "", "login refused",
                            detail="locked account" if account else "unknown username")
            raise Refusal("USRAUT0001")
        if self._locked(account, now):
            self._audit(account.username, "login refused", detail="account locked")
            raise Refusal("USRAUT0002")
        txn_id = self._new_id()
        self.state.login_txns[txn_id] = LoginTxn(account.username, now)
        return m.TxnResponse(txnId=txn_id)

    def _replayed(self, body: m.ConfirmOtpRequest, username: str | None,
                  alive: Container[str]) -> m.LoginResponse | m.ConsentResponse | None:
        """The answer already given to this very code for this transaction, while the code's
        life and what it gave (token or consent) last: a lost answer is recovered by sending
        the same code again, not by a new SMS."""
        done = self.state.confirmed.get(body.txnId)
        if (done is None or self.now() - done.at > OTP_LIFETIME or done.token not in alive
                or (username is not None and done.username != username)
                or not secrets.compare_digest(done.otp, body.otp)):
            return None
        return done.answer

    def _remember(self, body: m.ConfirmOtpRequest, username: str, token: str,
                  answer: m.LoginResponse | m.ConsentResponse) -> None:
        now = self.now()
        for txn_id in [t for t, c in self.state.confirmed.items() if now - c.at > OTP_LIFETIME]:
            del self.state.confirmed[txn_id]
        self.state.confirmed[body.txnId] = Confirmed(body.otp, now, username, token, answer)

    @handles("confirmLogin")
    def confirm_login(self, body: m.ConfirmOtpRequest) -> m.LoginResponse:
        replayed = self._replayed(body, None, self.state.tokens)
        if isinstance(replayed, m.LoginResponse):
            return replayed
        txn = self.state.login_txns.get(body.txnId)
        now = self.now()
        if txn is None or now - txn.created > OTP_LIFETIME or txn.tries >= OTP_TRIES:
            self.state.login_txns.pop(body.txnId, None)
            self._audit(txn.username if txn else "", "login code refused",
                        detail="expired or unknown transaction")
            raise Refusal("USRAUT0015")
        account = self.state.accounts[txn.username]
        if self._locked(account, now):
            del self.state.login_txns[body.txnId]
            self._audit(account.username, "login code refused", detail="account locked")
            raise Refusal("USRAUT0002")
        counter = self._matching_totp_counter(account, body.otp, now)
        if counter is None:
            # Wrong codes count per account, across transactions; only a full login
            # clears the count (a right password does not).
            txn.tries += 1
            account.failed_codes += 1
            self._audit(account.username, "login code refused",
                        detail=f"wrong code ({account.failed_codes})")
            if account.failed_codes >= MAX_WRONG_CODES:
                self._lock(account, now, f"{MAX_WRONG_CODES} wrong login codes")
                raise Refusal("USRAUT0002")
            left = OTP_TRIES - txn.tries
            if left == 0:
                del self.state.login_txns[body.txnId]
            raise Refusal("USRAUT0014", tries_left=left)
        del self.state.login_txns[body.txnId]
        account.last_totp_counter = counter
        account.failed_codes = account.failed_logins = 0
        token = self._issue_token(account.username, login_at=now)
        centre = next(c for c in CENTRES if c.centre_id == account.centre_id)
        self._audit(account.username, "login")
        answer = m.LoginResponse(
            token=token, expires_in=self._expires_in(token),
            user=m.User(username=account.username, name=account.name,
                        centre_id=centre.centre_id, centre_name=centre.name))
        self._remember(body, account.username, token, answer)
        return answer

    @staticmethod
    def _matching_totp_counter(account: Account, otp_hash: str, now: datetime) -> int | None:
        """The TOTP step whose code hashes to `otp_hash` (one step of drift allowed), if it
        has not been used before."""
        totp = pyotp.TOTP(account.totp_secret)
        current = int(now.timestamp()) // totp.interval
        for counter in (current, current - 1, current + 1):
            code = totp.generate_otp(counter)
            if counter > account.last_totp_counter and secrets.compare_digest(
                    sha256_hex(code), otp_hash):
                return counter
        return None

    def current_code(self, username: str) -> str:
        account = self.state.accounts[username]
        return str(pyotp.TOTP(account.totp_secret).at(self.now()))

    def _issue_token(self, username: str, login_at: datetime) -> str:
        token = secrets.token_urlsafe(32)
        lifetime = TOKEN_LIFETIME
        if self.state.faults.token_lifetime_s is not None:
            lifetime = timedelta(seconds=self.state.faults.token_lifetime_s)
        expires = min(self.now() + lifetime, login_at + SESSION_LIMIT)
        self.state.tokens[token] = Token(username, expires, login_at)
        return token

    def _expires_in(self, token: str) -> int:
        left = self.state.tokens[token].expires - self.now()
        return max(int(left.total_seconds()), 0)

    def authenticate(self, authorization: str | None) -> Account:
        """The account behind a `Bearer` token, or `Unauthenticated`."""
        scheme, _, token = (authorization or "").partition(" ")
        entry = self.state.tokens.get(token) if scheme.lower() == "bearer" else None
        if entry is None:
            raise Unauthenticated
        if self.now() >= entry.expires:
            del self.state.tokens[token]
            raise Unauthenticated
        return self.state.accounts[entry.username]

    @handles("renew")
    def renew(self, authorization: str | None) -> m.RenewResponse:
        account = self.authenticate(authorization)
        old = (authorization or "").partition(" ")[2]
        entry = self.state.tokens[old]
        # A renewal that would reach past the 12-hour limit is refused; the current token
        # still works until it expires, and the client knows to ask for a full login.
        if self.now() + TOKEN_LIFETIME > entry.login_at + SESSION_LIMIT:
            raise Refusal("USRAUT0031")
        del self.state.tokens[old]
        token = self._issue_token(account.username, login_at=entry.login_at)
        return m.RenewResponse(token=token, expires_in=self._expires_in(token))

    @handles("logout")
    def logout(self, authorization: str | None) -> m.LogoutResponse:
        account = self.authenticate(authorization)
        del self.state.tokens[(authorization or "").partition(" ")[2]]
        # Consents die with the login that obtained them.
        for key in [k for k, c in self.state.consents.items() if c.vaccinator == account.username]:
            del self.state.consents[key]
        self._audit(account.username, "logout")
        return m.LogoutResponse(status="logged out")

    # --- sessions -----------------------------------------------------------------------

    def _session_model(self, plan: SessionPlan) -> m.Session:
        centre = next(c for c in CENTRES if c.centre_id == plan.centre_id)
        return m.Session(
            session_id=plan.session_id, date=ddmmyyyy(self.now().date()),
            centre_id=plan.centre_id, centre_name=centre.name, vaccine=plan.vaccine,  # type: ignore[arg-type]
            min_age_limit=plan.min_age, max_age_limit=plan.max_age, slots=list(plan.slots),
            capacity=plan.capacity, doses_given=plan.doses_given,
            batches=[m.Batch(vaccine_batch=b.code, expiry_date=ddmmyyyy(b.expiry),
                             doses_per_vial=b.doses_per_vial)
                     for b in plan.batches],
            closed=plan.closure is not None)

    @handles("sessions")
    def sessions(self, account: Account, day: date | None) -> m.SessionsResponse:
        today = self.now().date()
        if day is not None and day != today:
            return m.SessionsResponse(sessions=[])
        return m.SessionsResponse(sessions=[
            self._session_model(p) for p in self.state.sessions.values()
            if p.centre_id == account.centre_id])

    def _own_session(self, account: Account, session_id: str) -> SessionPlan:
        plan = self.state.sessions.get(session_id)
        if plan is None or plan.centre_id != account.centre_id:
            raise Refusal("SESSN0001")
        return plan

    # --- consent ------------------------------------------------------------------------

    def _check_rate(self, account: Account, target: str) -> None:
        now = self.now()
        window = self.config.search_window
        log = self.state.searches.setdefault(account.username, deque())
        targets = self.state.search_targets.setdefault(account.username, Counter())
        while log and now - log[0][0] >= window:
            _, old = log.popleft()
            targets[old] -= 1
            if not targets[old]:
                del targets[old]
        if self.state.faults.rate_limited or len(log) >= self.config.search_limit:
            wait = window - (now - log[0][0]) if log else timedelta(seconds=60)
            seconds = max(int(wait.total_seconds()) + 1, 1)
            self._audit(account.username, "search refused", detail="rate limit")
            raise Refusal("RATLMT0001", headers={"Retry-After": str(seconds)},
                          retry_after=seconds)
        log.append((now, target))
        targets[target] += 1
        distinct = len(targets)
        if distinct == self.config.bulk_alert_distinct:
            self._audit(account.username, "alert",
                        detail=f"{distinct} different beneficiaries searched within "
                               f"{int(window.total_seconds() // 60)} minutes")
        # The same rule over a sliding hour: a steady pace just under the short window's
        # threshold is still a bulk lookup.
        hour = self.state.searched_hour.setdefault(account.username, deque())
        while hour and now - hour[0][0] >= timedelta(hours=1):
            hour.popleft()
        seen = {t for _, t in hour}
        hour.append((now, target))
        if target not in seen and len(seen) + 1 == self.config.bulk_alert_distinct_hour:
            self._audit(account.username, "alert",
                        detail=f"{len(seen) + 1} different beneficiaries searched within "
                               f"an hour")

    def _check_otp_caps(self, account: Account, mobile_key: str, now: datetime) -> None:
        """At most so many OTP SMS per mobile (whoever asks) and per vaccinator per hour.
        An unregistered target is counted like a mobile, so the cap tells nothing about
        who is registered."""
        for window, key, code, what in (
                (self.state.otp_by_vaccinator, account.username, "RATLMT0003", "vaccinator"),
                (self.state.otp_by_mobile, mobile_key, "RATLMT0002", "mobile")):
            if window.full(key, now):
                seconds = window.retry_after(key, now)
                self._audit(account.username, "search refused", detail=f"OTP cap per {what}")
                raise Refusal(code, headers={"Retry-After": str(seconds)},
                              retry_after=seconds)
        self.state.otp_by_vaccinator.add(account.username, now)
        self.state.otp_by_mobile.add(mobile_key, now)

    def _mobile_cap_key(self, account: Account, mobile_key: str) -> str:
        """Whose OTPs to one mobile count together. In production, everyone's: that is the
        cap. On a training server a room of trainees shares the demo mobiles, so each
        trainee's count is their own (the cap is still met, and taught, alone)."""
        return f"{account.username}|{mobile_key}" if self.training else mobile_key

    @handles("search")
    def search(self, account: Account, body: m.SearchRequest) -> m.SearchResponse:
        if (body.mobile is None) == (body.beneficiary_reference_id is None):
            raise Refusal("REQVAL0001", "Give exactly one of mobile or beneficiary_reference_id.")
        target = body.mobile or body.beneficiary_reference_id or ""
        now = self.now()
        for txn_id in [t for t, x in self.state.beneficiary_txns.items()
                       if now - x.created > OTP_LIFETIME]:
            del self.state.beneficiary_txns[txn_id]
        self._check_rate(account, target)
        if body.mobile is not None:
            mobile, references = body.mobile, tuple(self.state.by_mobile.get(body.mobile, ()))
        else:
            person = self.state.people.get(target)
            mobile, references = (person.mobile, (target,)) if person else ("", ())
        self._check_otp_caps(account, self._mobile_cap_key(account, mobile or target), now)
        if not references:
            self._audit(account.username, "search", detail="not registered")
            raise Refusal("USRAUT0024")
        otp = f"{self.rng.randrange(1_000_000):06d}"
        txn_id = self._new_id()
        self.state.beneficiary_txns[txn_id] = BeneficiaryTxn(
            account.username, mobile, references, otp, now)
        self.state.sms.append((account.username, m.SmsMessage(
            txnId=txn_id, masked_mobile=mask(mobile), otp=otp,
            sent_at=now.isoformat(timespec="seconds"))))
        for ref in references:
            self._audit(account.username, "search", ref, detail="OTP sent")
        return m.SearchResponse(txnId=txn_id, masked_mobile=mask(mobile),
                                expires_in=int(OTP_LIFETIME.total_seconds()))

    @handles("confirmBeneficiary")
    def confirm_beneficiary(self, account: Account, body: m.ConfirmOtpRequest
                            ) -> m.ConsentResponse:
        replayed = self._replayed(body, account.username, self.state.consents)
        if isinstance(replayed, m.ConsentResponse):
            return replayed
        txn = self.state.beneficiary_txns.get(body.txnId)
        now = self.now()
        if (txn is None or txn.vaccinator != account.username
                or now - txn.created > OTP_LIFETIME or txn.tries >= OTP_TRIES):
            if txn is not None and txn.vaccinator == account.username:
                del self.state.beneficiary_txns[body.txnId]
            self._audit(account.username, "consent refused",
                        detail="expired or unknown transaction")
            raise Refusal("USRAUT0015")
        if not secrets.compare_digest(sha256_hex(txn.otp), body.otp):
            txn.tries += 1
            left = OTP_TRIES - txn.tries
            if left == 0:
                del self.state.beneficiary_txns[body.txnId]
            self._audit(account.username, "consent refused", detail=f"wrong OTP, {left} left")
            raise Refusal("USRAUT0014", tries_left=left)
        del self.state.beneficiary_txns[body.txnId]
        token = secrets.token_urlsafe(32)
        self.state.consents[token] = Consent(account.username, frozenset(txn.references),
                                             now + CONSENT_LIFETIME, body.txnId, txn.mobile)
        for ref in txn.references:
            self._audit(account.username, "consent", ref, consent=body.txnId)
        answer = m.ConsentResponse(
            consent_token=token, expires_in=int(CONSENT_LIFETIME.total_seconds()),
            beneficiaries=[self._summary(self.state.people[r]) for r in txn.references])
        self._remember(body, account.username, token, answer)
        return answer

    def _consented(self, account: Account, consent_token: str | None, reference: str
                   ) -> tuple[Person, Consent]:
        consent = self.state.consents.get(consent_token or "")
        if (consent is None or consent.vaccinator != account.username
                or self.now() >= consent.expires):
            self._audit(account.username, "access refused", reference,
                        detail="no live consent")
            raise Refusal("CONSNT0001")
        if reference not in consent.references:
            self._audit(account.username, "access refused", reference,
                        consent=consent.txn_id, detail="outside consent")
            raise Refusal("CONSNT0002")
        return self.state.people[reference], consent

    # --- beneficiary records ------------------------------------------------------------

    @staticmethod
    def _status(person: Person) -> str:
        done = [d for d in person.doses if d.status == "completed"]
        if not done:
            return "Not Vaccinated"
        spec = VACCINES.get(done[0].vaccine)
        primary_doses = spec.primary_doses if spec else 2
        return "Vaccinated" if len(done) >= primary_doses else "Partially Vaccinated"

    def _summary(self, person: Person) -> m.BeneficiarySummary:
        return m.BeneficiarySummary(
            beneficiary_reference_id=person.reference_id, name=person.name,
            birth_year=str(person.birth_year), gender=person.gender,  # type: ignore[arg-type]
            photo_id_type=person.photo_id_type, photo_id_number="XXXXXXXX" + person.photo_id_last4,
            vaccination_status=self._status(person),  # type: ignore[arg-type]
        )

    def beneficiary_model(self, person: Person) -> m.Beneficiary:
        today = self.now().date()
        done = [d for d in person.doses if d.status == "completed"]
        due = next_due(_history(person), person.birth_year, today)
        by_number = {d.dose: d for d in done}
        precaution = next((d for d in done if d.is_precaution), None)
        eligible = due.dose > 0 and (due.earliest is None or due.earliest <= today)
        summary = self._summary(person)
        # Nothing due is a rule's reason; a dose due later is "too early".
        reason = due.reason or (None if eligible else Reason.TOO_EARLY)
        return m.Beneficiary(
            **{f: getattr(summary, f) for f in summary.__struct_fields__},
            mobile_number=person.mobile[-4:], comorbidity_ind="Y" if person.comorbidity else "N",
            vaccine=done[0].vaccine if done else "",  # type: ignore[arg-type]
            dose1_date=ddmmyyyy(by_number[1].given_on) if 1 in by_number else "",
            dose2_date=ddmmyyyy(by_number[2].given_on) if 2 in by_number else "",
            precaution_dose_one_date=ddmmyyyy(precaution.given_on) if precaution else "",
            due_dose=due.dose, next_vaccination_date=ddmmyyyy(due.earliest),
            doses=[m.DoseGiven(vaccination_id=d.vaccination_id, dose=d.dose,
                               vaccine=d.vaccine, vaccine_batch=d.vaccine_batch,  # type: ignore[arg-type]
                               date=ddmmyyyy(d.given_on), is_precaution=d.is_precaution,
                               status=d.status)  # type: ignore[arg-type]
                   for d in person.doses],
            eligibility=m.Eligibility(
                eligible=eligible,
                reason_code=reason.value if reason else "",
                message=due.message or ("" if eligible else
                                        f"Dose {due.dose} is due from {ddmmyyyy(due.earliest)}."),
                due_dose=due.dose, earliest_date=ddmmyyyy(due.earliest),
                vaccines=list(due.vaccines)),  # type: ignore[arg-type]
        )

    @handles("beneficiary")
    def get_beneficiary(self, account: Account, beneficiary_reference_id: str,
                        consent_token: str | None) -> m.Beneficiary:
        reference = beneficiary_reference_id
        person, consent = self._consented(account, consent_token, reference)
        self._audit(account.username, "view", reference, consent=consent.txn_id)
        return self.beneficiary_model(person)

    # --- recording ----------------------------------------------------------------------

    @handles("vaccinate")
    def vaccinate(self, account: Account, beneficiary_reference_id: str,
                  body: m.VaccinateRequest, consent_token: str | None,
                  idempotency_key: str | None) -> m.VaccinateResponse:
        """Record a dose once: a retry with the same key and the same request gets the
        stored answer and creates nothing."""
        reference = beneficiary_reference_id
        key = idempotency_key or ""
        if not _IDEMPOTENCY_KEY.match(key):
            raise Refusal("IDEMPT0002")
        fingerprint = sha256_hex(f"{reference}|{m.encode(body).decode()}")
        stored = self.state.idempotent.get((account.username, key))
        if stored is not None and stored.fingerprint != fingerprint:
            self._audit(account.username, "vaccinate refused", reference,
                        detail="Idempotency-Key reused for another request")
            raise Refusal("IDEMPT0001")
        # A replay is served only like a first request: the same vaccinator (keys are per
        # vaccinator) holding a live consent for this person. Without it, the app checks
        # the session summary instead.
        person, consent = self._consented(account, consent_token, reference)
        if stored is not None:
            self._audit(account.username, "vaccinate replayed", reference,
                        consent=consent.txn_id, detail="same Idempotency-Key")
            return stored.response
        plan = self._own_session(account, body.session_id)
        self.refuse_if_closed(account, plan, reference)
        self.check_screening(list(body.screening), dose=True)
        if body.vaccine != plan.vaccine:
            raise Refusal("SESSN0003")
        batch = next((b for b in plan.batches if b.code == body.vaccine_batch), None)
        if batch is None:
            raise Refusal("SESSN0002")
        if not body.id_verified:
            raise Refusal("IDCHK0001")
        today = self.now().date()
        verdict = check_dose(_history(person), person.birth_year, body.vaccine, body.dose,
                             today, batch.expiry)
        if not verdict.allowed:
            assert verdict.reason is not None
            self._audit(account.username, "vaccinate refused", reference,
                        consent=consent.txn_id, session_id=plan.session_id,
                        detail=verdict.reason.value)
            raise Refusal(verdict.reason.value, verdict.message,
                          earliest_date=ddmmyyyy(verdict.earliest) or None)
        assert verdict.due is not None
        self._new_id()  # drawn and dropped, so the seeded codes after it stay as they were
        vaccination_id = str(uuid.uuid4())  # unguessable: an id is no handle on a record
        entry = DoseEntry(
            vaccination_id=vaccination_id, dose=body.dose, vaccine=body.vaccine,
            vaccine_batch=batch.code, given_on=today, is_precaution=verdict.due.is_precaution,
            vaccinator=account.username, session_id=plan.session_id, recorded_at=self.now(),
            certificate_id=f"CERT{self.rng.randrange(10**10):010d}",
            screening=tuple(body.screening))
        person.doses.append(entry)
        plan.doses_given += 1
        self._audit(account.username, "vaccinate", reference, consent=consent.txn_id,
                    session_id=plan.session_id,
                    detail=" ".join([f"dose {body.dose}", *body.screening]))
        sent_to = self.send_certificate(account, person, entry, again=False)
        response = m.VaccinateResponse(vaccination_id=vaccination_id,
                                       certificate_sent_to=sent_to,
                                       beneficiary=self.beneficiary_model(person))
        self.state.idempotent[(account.username, key)] = Stored(fingerprint, response)
        return response

    def _find_dose(self, account: Account, vaccination_id: str, action: str,
                   visible: Callable[[DoseEntry], bool]) -> tuple[Person, DoseEntry]:
        """The dose, if this vaccinator may see it. "Not yours" and "does not exist" get one
        404; such probes are audited and limited per vaccinator like searches."""
        now = self.now()
        if self.state.probes.full(account.username, now):
            seconds = self.state.probes.retry_after(account.username, now)
            self._audit(account.username, f"{action} refused", detail="too many unknown ids")
            raise Refusal("RATLMT0001", headers={"Retry-After": str(seconds)},
                          retry_after=seconds)
        for person in self.state.people.values():
            for dose in person.doses:
                if dose.vaccination_id == vaccination_id and visible(dose):
                    return person, dose
        self.state.probes.add(account.username, now)
        self._audit(account.username, f"{action} refused", detail="no such vaccination")
        raise Refusal("VACCIN0001")

    @handles("enteredInError")
    def entered_in_error(self, account: Account, vaccination_id: str,
                         body: m.EnteredInErrorRequest) -> m.EnteredInErrorResponse:
        person, dose = self._find_dose(account, vaccination_id, "entered-in-error",
                                       lambda d: d.vaccinator == account.username)
        if dose.given_on != self.now().date():
            self._audit(account.username, "entered-in-error refused", person.reference_id,
                        detail="not today")
            raise Refusal("VACCIN0002")
        if dose.status == "entered-in-error":
            raise Refusal("VACCIN0003")
        dose.status = "entered-in-error"
        plan = self.state.sessions.get(dose.session_id)
        if plan is not None:
            plan.doses_given -= 1
        self._audit(account.username, "entered-in-error", person.reference_id,
                    session_id=dose.session_id, detail=body.reason)
        return m.EnteredInErrorResponse(vaccination_id=vaccination_id, status="entered-in-error")

    @handles("aefi")
    def report_aefi(self, account: Account, vaccination_id: str, body: m.AefiRequest
                    ) -> m.AefiResponse:
        def at_my_centre(dose: DoseEntry) -> bool:
            plan = self.state.sessions.get(dose.session_id)
            return plan is not None and plan.centre_id == account.centre_id

        person, dose = self._find_dose(account, vaccination_id, "aefi", at_my_centre)
        now = self.now()
        given_at = dose.recorded_at or datetime.combine(dose.given_on, datetime.min.time(),
                                                        now.tzinfo)

        def refuse(code: str, why: str) -> Refusal:
            self._audit(account.username, "aefi refused", person.reference_id, detail=why)
            return Refusal(code)

        if now - given_at > aefi.REPORT_WINDOW or dose.status != "completed":
            raise refuse("VACCIN0004", "not a standing dose of the last 28 days")
        if aefi.onset_problem(body.onset, body.onset_unit):
            raise refuse("AEFI0001", "onset out of its unit's range")
        # A minute's grace: the form was filled while the clock ran.
        if given_at + aefi.onset_delay(body.onset, body.onset_unit) > now + timedelta(minutes=1):
            raise refuse("AEFI0001", "onset after now")
        if aefi.needs_outcome(body.seriousness) and not body.outcome:
            raise refuse("AEFI0002", f"{body.seriousness} without an outcome")
        if body.seriousness != "serious" and body.outcome in ("died", "referred or hospitalised"):
            raise refuse("AEFI0003", f"{body.outcome} reported as {body.seriousness}")
        flagged = body.seriousness in aefi.FLAGGED
        aefi_id = self._new_id()
        self.state.aefi[aefi_id] = StoredAefi(
            vaccination_id, body, flagged, now, account.username, account.centre_id,
            dose.session_id, person.reference_id, dose.vaccine)
        self._audit(account.username, "aefi", person.reference_id,
                    session_id=dose.session_id,
                    detail=f"{body.reaction}; {body.seriousness}; {body.onset} "
                           f"{body.onset_unit}" + (f"; {body.outcome}" if body.outcome else "")
                           + ("; flagged for the supervisor" if flagged else ""))
        return m.AefiResponse(aefi_id=aefi_id, vaccination_id=vaccination_id,
                              seriousness=body.seriousness, flagged=flagged)

    def aefi_by_seriousness(self, session_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report in self.state.aefi.values():
            if report.session_id == session_id:
                kind = report.body.seriousness
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    @handles("aefiFlags")
    def aefi_flags(self, account: Account) -> m.FlaggedAefis:
        """The supervisor's list: severe and serious reports at this centre, masked."""
        return m.FlaggedAefis(reports=[
            m.FlaggedAefi(aefi_id=aefi_id, reported_at=r.reported_at.isoformat(timespec="seconds"),
                          vaccinator=r.vaccinator, session_id=r.session_id,
                          beneficiary_reference_id=mask(r.reference_id),
                          vaccine=r.vaccine,  # type: ignore[arg-type]
                          reaction=r.body.reaction, seriousness=r.body.seriousness,
                          onset=r.body.onset, onset_unit=r.body.onset_unit,
                          outcome=r.body.outcome or "unknown")
            for aefi_id, r in self.state.aefi.items()
            if r.flagged and r.centre_id == account.centre_id])

    @handles("summary")
    def summary(self, account: Account, session_id: str) -> m.SessionSummary:
        plan = self._own_session(account, session_id)
        records = [(p, d) for p in self.state.people.values() for d in p.doses
                   if d.session_id == plan.session_id]
        by_dose: dict[str, int] = {}
        by_vaccine: dict[str, int] = {}
        by_batch: dict[str, int] = {}
        for _, dose in records:
            if dose.status != "completed":
                continue
            by_dose[str(dose.dose)] = by_dose.get(str(dose.dose), 0) + 1
            by_vaccine[dose.vaccine] = by_vaccine.get(dose.vaccine, 0) + 1
            by_batch[dose.vaccine_batch] = by_batch.get(dose.vaccine_batch, 0) + 1
        mine = sorted((r for r in records if r[1].vaccinator == account.username),
                      key=lambda r: r[1].recorded_at or self.now())
        return m.SessionSummary(
            session_id=plan.session_id, total=sum(by_dose.values()), by_dose=by_dose,
            by_vaccine=by_vaccine, by_batch=by_batch,
            my_records=[m.SummaryRecord(
                vaccination_id=d.vaccination_id,
                time=(d.recorded_at or self.now()).isoformat(timespec="seconds"),
                beneficiary_reference_id=mask(p.reference_id), dose=d.dose,
                vaccine=d.vaccine, vaccine_batch=d.vaccine_batch,  # type: ignore[arg-type]
                status=d.status) for p, d in mine],  # type: ignore[arg-type]
            not_vaccinated=self.not_vaccinated_counts(plan.session_id),
            closure=plan.closure, aefi=self.aefi_by_seriousness(plan.session_id))

    @handles("meta")
    def meta(self) -> m.ServerMeta:
        from api_client.dates import zone_name  # the zone the mock's clock keeps: IST

        now = self.now()
        return m.ServerMeta(server_time=now.isoformat(timespec="seconds"),
                            version=VERSION, environment=self.config.environment,  # type: ignore[arg-type]
                            time_zone=zone_name(now))

    # --- training tools -----------------------------------------------------------------

    @handles("demoAccounts")
    def demo_accounts(self) -> m.DemoAccounts:
        return m.DemoAccounts(accounts=[
            m.DemoAccount(username=a.username, password=a.password, name=a.name,
                          centre_name=next(c.name for c in CENTRES if c.centre_id == a.centre_id),
                          current_code=self.current_code(a.username),
                          locked=self._locked(a, self.now()))
            for a in self.state.accounts.values()])

    @handles("demoMobiles")
    def demo_mobiles(self) -> m.DemoMobiles:
        return m.DemoMobiles(mobiles=[m.DemoMobile(mobile=s.mobile, shows=s.shows)
                                      for s in SITUATIONS])

    @handles("smsInbox")
    def sms_inbox(self, account: Account) -> m.SmsInbox:
        return m.SmsInbox(messages=[msg for who, msg in self.state.sms
                                    if who == account.username],
                          certificates=[msg for who, msg in self.state.certificates
                                        if who == account.username])

    @handles("auditLog")
    def audit_log(self, account: Account) -> m.AuditLog:
        return m.AuditLog(entries=[e for e in self.state.audit
                                   if e.vaccinator == account.username])

    @handles("getFaults")
    def faults(self) -> m.Faults:
        return self.state.faults

    def _signed_in_as(self, caller: str | None) -> str:
        """The username behind a live login token, or ""; never refuses (a name for the log)."""
        scheme, _, token = (caller or "").partition(" ")
        entry = self.state.tokens.get(token) if scheme.lower() == "bearer" else None
        return entry.username if entry is not None and self.now() < entry.expires else ""

    def _as_trainer(self, room_key: str | None, caller: str | None, what: str) -> str:
        """Who acts for the whole room, if allowed: the room key is the trainer's authority.
        A room server (one with a key) refuses without it, and logs who tried; the mock of
        one laptop has no key, the person at its keyboard being the trainer."""
        who = self._signed_in_as(caller)
        expected = self.config.room_key
        if expected and not secrets.compare_digest(expected.encode(),
                                                   (room_key or "").encode()):
            self._audit(who or "not signed in", "trainer refused",
                        detail=f"{what}: {'wrong' if room_key else 'no'} room key")
            raise Refusal("TRAIN0002")
        return who or "trainer"

    @handles("setFaults")
    def set_faults(self, body: m.Faults, room_key: str | None, caller: str | None
                   ) -> m.Faults:
        who = self._as_trainer(room_key, caller, "scenario")
        self.state.faults = body
        self._audit(who, "scenario", detail=describe_faults(body))
        return body

    @handles("reset")
    def reset_room(self, room_key: str | None, caller: str | None) -> m.ResetResponse:
        who = self._as_trainer(room_key, caller, "reset")
        self.reset()
        # Logged after the reset, so the room's fresh audit log starts with it.
        self._audit(who, "room reset", detail="initial population restored, every login ended")
        return m.ResetResponse(status="reset")

    def fingerprint(self) -> str:
        """A digest of everything stored, so tests can prove bad input changed nothing."""
        s = self.state
        parts = [
            repr(sorted((ref, p.name, p.birth_year, tuple((d.vaccination_id, d.status)
                                                          for d in p.doses))
                        for ref, p in s.people.items())),
            repr(sorted((a.username, a.locked, a.failed_logins, a.failed_codes, a.locked_until)
                        for a in s.accounts.values())),
            repr(sorted((sid, p.doses_given, p.closure is not None)
                        for sid, p in s.sessions.items())),
            repr(sorted(s.idempotent)), repr(len(s.aefi)),
            repr([(e.reference_id, e.reason) for e in s.encounters]),
        ]
        return sha256_hex("\n".join(parts))
