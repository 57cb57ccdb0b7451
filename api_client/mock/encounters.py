"""The mock registry's handlers for the rest of an encounter: a walk-in's OTP and
registration, screening answers sent with a dose, and an encounter that ended without one.

A mixin of `Registry` (registry.py): the same state, clock and audit, the same `@handles`
marks. The full photo-ID number is checked and dropped: the record keeps its last 4, and a
retry is recognised by a keyed digest of the request, never by the number itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from api_client import models as m
from api_client import photo_ids
from api_client.dates import ddmmyyyy, parse_ddmmyyyy
from api_client.mock.population import Person
from api_client.rules import AgeGroup, age_group

if TYPE_CHECKING:
    import random

    from api_client.mock.accounts import Account, SessionPlan
    from api_client.mock.registry import Consent, MockConfig, State

MAX_PER_MOBILE = 4  # §3.5: 4 people a mobile (2021)
OLDEST = 120  # years: an older birth year is a typing mistake
COME_BACK_WITHIN = timedelta(days=366)
# Answers after which no dose may be recorded today, whatever the product: the app's table
# (vaxterm/screening.py) stops or defers on each of them, and a test keeps the two agreeing.
STOP_CODES = frozenset({"ALLERGY", "ACUTE_ILLNESS", "RECENT_COVID"})
# Reasons that carry a come-back date: required for the first, allowed for the second.
DEFERRED = "unwell and deferred"
MAY_COME_BACK = frozenset({DEFERRED, "vaccine not available"})
_KEY = re.compile(m.IDEMPOTENCY_KEY_PATTERN)


@dataclass
class Encounter:
    """An encounter that ended without a dose (FHIR Immunization, status not-done)."""

    encounter_id: str
    reference_id: str
    session_id: str
    reason: str
    screening: tuple[str, ...]
    come_back: date | None
    vaccinator: str
    at: datetime


@dataclass(frozen=True)
class Reply:
    """A first answer kept for its Idempotency-Key: the request's digest and the answer."""

    digest: str
    answer: m.RegistrationResponse | m.NotVaccinatedResponse


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class EncounterHandlers:
    """Walk-in registration, screening answers, and "could not vaccinate"."""

    if TYPE_CHECKING:  # provided by Registry
        state: State
        config: MockConfig
        rng: random.Random

        def now(self) -> datetime: ...
        def _new_id(self) -> str: ...
        def _audit(self, vaccinator: str, action: str, reference: str = "", consent: str = "",
                   session_id: str = "", detail: str = "") -> None: ...
        def _check_rate(self, account: Account, target: str) -> None: ...
        def _check_otp_caps(self, account: Account, mobile_key: str, now: datetime) -> None: ...
        def _mobile_cap_key(self, account: Account, mobile_key: str) -> str: ...
        def _consented(self, account: Account, consent_token: str | None, reference: str
                       ) -> tuple[Person, Consent]: ...
        def _own_session(self, account: Account, session_id: str) -> SessionPlan: ...
        def _summary(self, person: Person) -> m.BeneficiarySummary: ...

    # --- shared -------------------------------------------------------------------------

    def _digest(self, *parts: str) -> str:
        # Keyed, so that a digest of a request holding an ID number is no way back to it.
        return hmac.new(self.state.reply_key, "|".join(parts).encode(),
                        hashlib.sha256).hexdigest()

    def _first_answer(self, operation: str, account: Account, key: str | None, digest: str
                  ) -> m.RegistrationResponse | m.NotVaccinatedResponse | None:
        from api_client.mock.registry import Refusal

        if not _KEY.match(key or ""):
            raise Refusal("IDEMPT0002")
        kept = self.state.replies.get((operation, account.username, key or ""))
        if kept is None:
            return None
        if not hmac.compare_digest(kept.digest, digest):
            self._audit(account.username, f"{operation} refused",
                        detail="Idempotency-Key reused for another request")
            raise Refusal("IDEMPT0001")
        return kept.answer

    def _live_consent(self, account: Account, consent_token: str | None) -> Consent:
        from api_client.mock.registry import Refusal

        consent = self.state.consents.get(consent_token or "")
        if (consent is None or consent.vaccinator != account.username
                or self.now() >= consent.expires):
            self._audit(account.username, "register refused", detail="no live consent")
            raise Refusal("CONSNT0001")
        return consent

    @staticmethod
    def check_screening(codes: list[str], *, dose: bool) -> None:
        """Answers are codes from the list; NONE stands alone; none repeats. With a dose,
        an answer that stops or defers the dose today is refused."""
        from api_client.mock.registry import Refusal

        if len(set(codes)) != len(codes) or ("NONE" in codes and len(codes) > 1):
            raise Refusal("SCREEN0002")
        if dose and STOP_CODES.intersection(codes):
            raise Refusal("SCREEN0001")

    # --- walk-in registration -----------------------------------------------------------

    def _purge_beneficiary_txns(self, now: datetime) -> None:
        from api_client.mock.registry import OTP_LIFETIME

        for txn_id in [t for t, x in self.state.beneficiary_txns.items()
                       if now - x.created > OTP_LIFETIME]:
            del self.state.beneficiary_txns[txn_id]

    def registration_otp(self, account: Account, body: m.RegistrationOtpRequest
                         ) -> m.SearchResponse:
        from api_client.mock.registry import OTP_LIFETIME, BeneficiaryTxn, Refusal, mask

        now = self.now()
        self._purge_beneficiary_txns(now)
        self._check_rate(account, body.mobile)
        references = tuple(self.state.by_mobile.get(body.mobile, ()))
        if len(references) >= MAX_PER_MOBILE:
            # Before any SMS: the OTP would open nothing that could be added to.
            self._audit(account.username, "walk-in OTP refused",
                        detail=f"{MAX_PER_MOBILE} people on the mobile")
            raise Refusal("REGIST0001")
        self._check_otp_caps(account, self._mobile_cap_key(account, body.mobile), now)
        otp = f"{self.rng.randrange(1_000_000):06d}"
        txn_id = self._new_id()
        self.state.beneficiary_txns[txn_id] = BeneficiaryTxn(
            account.username, body.mobile, references, otp, now)
        self.state.sms.append((account.username, m.SmsMessage(
            txnId=txn_id, masked_mobile=mask(body.mobile), otp=otp,
            sent_at=now.isoformat(timespec="seconds"))))
        self._audit(account.username, "walk-in OTP", detail="OTP sent")
        return m.SearchResponse(txnId=txn_id, masked_mobile=mask(body.mobile),
                                expires_in=int(OTP_LIFETIME.total_seconds()))

    def _next_reference(self) -> str:
        return f"{max(int(r) for r in self.state.people) + 1:014d}"

    def register(self, account: Account, body: m.RegistrationRequest,
                 consent_token: str | None, idempotency_key: str | None
                 ) -> m.RegistrationResponse:
        from api_client.mock.registry import Refusal, mask

        consent = self._live_consent(account, consent_token)
        digest = self._digest(consent.mobile, m.encode(body).decode())
        replayed = self._first_answer("register", account, idempotency_key, digest)
        if isinstance(replayed, m.RegistrationResponse):
            consent.references = consent.references | {replayed.beneficiary_reference_id}
            self._audit(account.username, "register replayed",
                        replayed.beneficiary_reference_id, consent=consent.txn_id)
            return replayed
        if not consent.mobile or body.mobile_number not in (None, consent.mobile):
            raise Refusal("CONSNT0002")
        today = self.now().date()
        year = int(body.birth_year)
        if not today.year - OLDEST <= year <= today.year:
            raise Refusal("REGIST0005")
        if age_group(year, today) is AgeGroup.TOO_YOUNG:
            raise Refusal("REGIST0003")
        number = photo_ids.normalise(body.photo_id_number)
        wrong = photo_ids.problem(body.photo_id_type, number)
        if wrong:
            raise Refusal("REGIST0004", wrong)
        on_mobile = [self.state.people[r] for r in self.state.by_mobile.get(consent.mobile, ())]
        twin = next((p for p in on_mobile
                     if p.birth_year == year and _same_person(p.name, body.name)), None)
        if twin is not None:
            self._audit(account.username, "register refused", twin.reference_id,
                        consent=consent.txn_id, detail="duplicate")
            raise Refusal("REGIST0002", existing_reference=mask(twin.reference_id))
        if len(on_mobile) >= MAX_PER_MOBILE:
            raise Refusal("REGIST0001")
        person = Person(reference_id=self._next_reference(), name=" ".join(body.name.split()),
                        birth_year=year, gender=body.gender, mobile=consent.mobile,
                        photo_id_type=body.photo_id_type,
                        photo_id_last4=photo_ids.last4(number), comorbidity=False)
        self.state.people[person.reference_id] = person
        self.state.by_mobile.setdefault(consent.mobile, []).append(person.reference_id)
        # The beneficiary's code covers the visit: the new person is in the consent.
        consent.references = consent.references | {person.reference_id}
        self._audit(account.username, "register", person.reference_id, consent=consent.txn_id,
                    detail="walk-in")
        answer = m.RegistrationResponse(beneficiary_reference_id=person.reference_id,
                                        beneficiary=self._summary(person))
        self.state.replies[("register", account.username, idempotency_key or "")] = Reply(
            digest, answer)
        return answer

    # --- could not vaccinate ------------------------------------------------------------

    def not_vaccinated(self, account: Account, beneficiary_reference_id: str,
                       body: m.NotVaccinatedRequest, consent_token: str | None,
                       idempotency_key: str | None) -> m.NotVaccinatedResponse:
        from api_client.mock.registry import Refusal

        reference = beneficiary_reference_id
        digest = self._digest(reference, m.encode(body).decode())
        person, consent = self._consented(account, consent_token, reference)
        replayed = self._first_answer("notVaccinated", account, idempotency_key, digest)
        if isinstance(replayed, m.NotVaccinatedResponse):
            self._audit(account.username, "not vaccinated replayed", reference,
                        consent=consent.txn_id)
            return replayed
        plan = self._own_session(account, body.session_id)
        if plan.closure is not None:  # closed with its count: nothing more is recorded in it
            self._audit(account.username, "not vaccinated refused", reference,
                        session_id=plan.session_id, detail="session closed")
            raise Refusal("SESSN0008")
        self.check_screening(list(body.screening), dose=False)
        today = self.now().date()
        come_back = parse_ddmmyyyy(body.come_back_date) if body.come_back_date else None
        if ((body.come_back_date and come_back is None)  # well formed, but no such day
                or (body.reason == DEFERRED and come_back is None)
                or (come_back is not None and body.reason not in MAY_COME_BACK)
                or (come_back is not None
                    and not today < come_back <= today + COME_BACK_WITHIN)):
            raise Refusal("NOTVAC0001")
        encounter = Encounter(str(uuid.uuid4()), person.reference_id, plan.session_id,
                              body.reason, tuple(body.screening), come_back,
                              account.username, self.now())
        self.state.encounters.append(encounter)
        self._audit(account.username, "not vaccinated", reference, consent=consent.txn_id,
                    session_id=plan.session_id,
                    detail=" ".join([body.reason, *body.screening]))
        answer = m.NotVaccinatedResponse(encounter_id=encounter.encounter_id,
                                         status="not-done", reason=body.reason,
                                         come_back_date=ddmmyyyy(come_back))
        self.state.replies[("notVaccinated", account.username, idempotency_key or "")] = Reply(
            digest, answer)
        return answer

    def not_vaccinated_counts(self, session_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for encounter in self.state.encounters:
            if encounter.session_id == session_id:
                counts[encounter.reason] = counts.get(encounter.reason, 0) + 1
        return counts
