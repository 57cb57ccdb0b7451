"""The API contract as data: every endpoint, its models, headers and error codes.

The mock registers its routes from this table and `openapi.py` writes the OpenAPI document
from it, so the two cannot drift; a test compares the served document with the committed
`openapi.json`.
"""

from __future__ import annotations

from dataclasses import dataclass

from api_client import models as m
from api_client.rules import Reason

BASE_PATH = "/api/v2"


@dataclass(frozen=True)
class Endpoint:
    operation: str
    method: str
    path: str  # under BASE_PATH, with {name} parameters
    summary: str
    response: type
    status: int = 200
    request: type | None = None
    errors: tuple[str, ...] = ()
    auth: bool = True  # needs `Authorization: Bearer <login token>`
    consent: bool = False  # needs `X-Consent-Token`
    idempotent: bool = False  # needs `Idempotency-Key`
    training: bool = False  # exists only when the environment is "training"
    trainer: bool = False  # needs `X-Room-Key`, the trainer's key, on a room server
    query: tuple[str, ...] = ()


# A dose the rules refuse is answered with the rule's reason as its errorCode.
_DOSE_REFUSALS = tuple(reason.value for reason in Reason)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("login", "POST", "/auth/vaccinator/login",
             "Vaccinator login, step 1: password. An unknown username, a wrong password and "
             "a wrong password on a locked account all get 401 USRAUT0001; only the right "
             "password on a locked account gets 403 USRAUT0002. 5 wrong passwords lock the "
             "account for 15 minutes",
             m.TxnResponse, request=m.LoginRequest, auth=False,
             errors=("REQVAL0001", "USRAUT0001", "USRAUT0002")),
    Endpoint("confirmLogin", "POST", "/auth/vaccinator/confirmOTP",
             "Vaccinator login, step 2: the authenticator's one-time code. The same code sent "
             "again for the same txnId within 3 minutes gets the same answer (a lost answer "
             "is recovered), while that token lives. 5 wrong codes for one account, across "
             "login transactions, lock it for 15 minutes (403 USRAUT0002); a right password "
             "does not clear that count, only a full login does",
             m.LoginResponse, request=m.ConfirmOtpRequest, auth=False,
             errors=("REQVAL0001", "USRAUT0002", "USRAUT0014", "USRAUT0015")),
    Endpoint("renew", "POST", "/auth/vaccinator/renew",
             "Renew the login token while active, never beyond 12 hours from login",
             m.RenewResponse, errors=("USRAUT0031",)),
    Endpoint("logout", "POST", "/auth/vaccinator/logout", "Log out; the token dies on the server",
             m.LogoutResponse),
    Endpoint("sessions", "GET", "/vaccinator/sessions", "Today's sessions at the centre",
             m.SessionsResponse, query=("date",), errors=("REQVAL0001",)),
    Endpoint("search", "POST", "/vaccinator/beneficiaries/search",
             "Ask a beneficiary's consent: an OTP goes to the registered mobile. At most 30 "
             "searches per vaccinator per 5 minutes (RATLMT0001), 5 OTP SMS per mobile per "
             "hour whoever asks (RATLMT0002), 60 OTP SMS per vaccinator per hour "
             "(RATLMT0003); each 429 carries Retry-After",
             m.SearchResponse, request=m.SearchRequest,
             errors=("REQVAL0001", "USRAUT0024", "RATLMT0001", "RATLMT0002", "RATLMT0003")),
    Endpoint("confirmBeneficiary", "POST", "/vaccinator/beneficiaries/confirmOTP",
             "Confirm the beneficiary's OTP; returns a consent token and the people it covers. "
             "The same OTP sent again by the same vaccinator for the same txnId within 3 "
             "minutes gets the same answer, while that consent lives",
             m.ConsentResponse, request=m.ConfirmOtpRequest,
             errors=("REQVAL0001", "USRAUT0014", "USRAUT0015")),
    Endpoint("beneficiary", "GET", "/vaccinator/beneficiaries/{beneficiary_reference_id}",
             "One beneficiary: doses, due dose, next date, eligibility", m.Beneficiary,
             consent=True, errors=("REQVAL0001", "CONSNT0001", "CONSNT0002")),
    Endpoint("vaccinate", "POST",
             "/vaccinator/beneficiaries/{beneficiary_reference_id}/vaccinate",
             "Record a dose; the same Idempotency-Key, from the same vaccinator with a live "
             "consent for this person, gets the first answer again and records nothing. "
             "Without that consent a retry is refused like a first request: check the "
             "session summary instead",
             m.VaccinateResponse, status=201, request=m.VaccinateRequest, consent=True,
             idempotent=True,
             errors=("REQVAL0001", "CONSNT0001", "CONSNT0002", "SESSN0001", "SESSN0002",
                     "SESSN0003", "SESSN0004", "IDCHK0001", "IDEMPT0001", "IDEMPT0002",
                     "SCREEN0001", "SCREEN0002", *_DOSE_REFUSALS)),
    Endpoint("enteredInError", "POST", "/vaccinator/vaccinations/{vaccination_id}/entered-in-error",
             "Mark a dose recorded in error (same day, same vaccinator); never deleted. "
             "Another vaccinator's dose and an unknown id get the same 404; 10 such misses "
             "per 5 minutes are answered 429",
             m.EnteredInErrorResponse, request=m.EnteredInErrorRequest,
             errors=("REQVAL0001", "VACCIN0001", "VACCIN0002", "VACCIN0003", "RATLMT0001")),
    Endpoint("aefi", "POST", "/vaccinator/vaccinations/{vaccination_id}/aefi",
             "Report a reaction after a dose given at this centre in the last 28 days: minor, "
             "severe or serious, its onset (minutes 0-59, hours 1-23 or days 1-28 after the "
             "dose, not after now: AEFI0001) and, for severe and serious ones, its outcome "
             "(AEFI0002); a death or a hospitalisation is serious (AEFI0003). Severe and "
             "serious reports are flagged for the supervisor. A dose not given at this centre "
             "and an unknown id get the same 404; 10 such misses per 5 minutes are answered "
             "429", m.AefiResponse,
             status=201, request=m.AefiRequest,
             errors=("REQVAL0001", "VACCIN0001", "VACCIN0004", "AEFI0001", "AEFI0002",
                     "AEFI0003", "RATLMT0001")),
    Endpoint("resendCertificate", "POST",
             "/vaccinator/vaccinations/{vaccination_id}/certificate/resend",
             "Send the dose's certificate link again to the beneficiary's registered mobile "
             "(it was sent once when the dose was recorded); needs the beneficiary's live "
             "consent. At most 3 times an hour per beneficiary (RATLMT0004, with "
             "Retry-After). The answer names the mobile's last 4 digits, never the "
             "certificate. Another vaccinator's dose and an unknown id get the same 404",
             m.CertificateSent, consent=True,
             errors=("CONSNT0001", "CONSNT0002", "VACCIN0001", "CERT0001", "RATLMT0001",
                     "RATLMT0004")),
    Endpoint("summary", "GET", "/vaccinator/sessions/{session_id}/summary",
             "Session tally: counts by dose, vaccine and batch; this vaccinator's records",
             m.SessionSummary, errors=("SESSN0001",)),
    Endpoint("closeSession", "POST", "/vaccinator/sessions/{session_id}/close",
             "Close the session at the end of the day with the vials opened per batch (a "
             "batch left out opened none). The registry counts the doses the vials held "
             "(vials x the batch's doses per vial) against the doses recorded, and the "
             "wastage. Refused: a second close (SESSN0005), a batch not stocked or named "
             "twice (SESSN0002), vials that held fewer doses than were recorded from them "
             "(SESSN0006), wastage beyond the open-vial allowance (the last vial's doses "
             "less one, per batch) without a reason (SESSN0007). After it the session "
             "records no more doses (vaccinate answers SESSN0004)",
             m.SessionClosure, request=m.SessionCloseRequest,
             errors=("REQVAL0001", "SESSN0001", "SESSN0002", "SESSN0005", "SESSN0006",
                     "SESSN0007")),
    Endpoint("registrationOtp", "POST", "/vaccinator/beneficiaries/new/otp",
             "Walk-in registration, step 1: an OTP to the mobile, as a search sends one, "
             "except that a mobile with nobody registered is not refused; a mobile that "
             "already has 4 people is (REGIST0001), before any SMS. Confirm the code with "
             "confirmBeneficiary: the consent covers the people on the mobile and those "
             "registered under it. The search and OTP limits apply",
             m.SearchResponse, request=m.RegistrationOtpRequest,
             errors=("REQVAL0001", "REGIST0001", "RATLMT0001", "RATLMT0002", "RATLMT0003")),
    Endpoint("register", "POST", "/vaccinator/beneficiaries/new",
             "Walk-in registration, step 2 (Co-WIN's vaccinator beneficiaries/new): creates "
             "the record under the consent's mobile, which then covers the new person for the "
             "visit. The photo-ID number is checked for its type and kept only as its last 4. "
             "At most 4 people a mobile (REGIST0001); the same name and birth year on the "
             "mobile is a duplicate (REGIST0002, with the existing person's masked reference); "
             "under 12 is refused (REGIST0003), and a year of birth ahead or more than 120 "
             "years back (REGIST0005). The same Idempotency-Key from the same "
             "vaccinator under a live consent gets the first answer again",
             m.RegistrationResponse, status=201, request=m.RegistrationRequest, consent=True,
             idempotent=True,
             errors=("REQVAL0001", "CONSNT0001", "CONSNT0002", "REGIST0001", "REGIST0002",
                     "REGIST0003", "REGIST0004", "REGIST0005", "IDEMPT0001", "IDEMPT0002")),
    Endpoint("notVaccinated", "POST",
             "/vaccinator/beneficiaries/{beneficiary_reference_id}/not-vaccinated",
             "Record an encounter that ended without a dose (FHIR Immunization status "
             "not-done, with statusReason from a fixed list); a deferral carries the date "
             "from which the person may come back. Counted in the session summary by reason. "
             "The same Idempotency-Key gets the first answer again. A closed session "
             "records none (SESSN0008)",
             m.NotVaccinatedResponse, status=201, request=m.NotVaccinatedRequest, consent=True,
             idempotent=True,
             errors=("REQVAL0001", "CONSNT0001", "CONSNT0002", "SESSN0001", "SESSN0008",
                     "SCREEN0002",
                     "NOTVAC0001", "IDEMPT0001", "IDEMPT0002")),
    Endpoint("meta", "GET", "/meta", "Server time, version and environment", m.ServerMeta,
             auth=False),
    Endpoint("demoAccounts", "GET", "/training/accounts",
             "Training: demo accounts and their current codes", m.DemoAccounts, auth=False,
             training=True, errors=("TRAIN0001",)),
    Endpoint("demoMobiles", "GET", "/training/mobiles",
             "Training: the demo mobiles and the situation each one shows", m.DemoMobiles,
             auth=False, training=True, errors=("TRAIN0001",)),
    Endpoint("smsInbox", "GET", "/training/sms-inbox",
             "Training: OTPs sent to beneficiaries on this vaccinator's searches, and the "
             "certificate links sent after this vaccinator's doses", m.SmsInbox,
             training=True, errors=("TRAIN0001",)),
    Endpoint("auditLog", "GET", "/training/audit",
             "Training: the audit log of this vaccinator's accesses", m.AuditLog,
             training=True, errors=("TRAIN0001",)),
    Endpoint("aefiFlags", "GET", "/training/flagged-reactions",
             "Training: the supervisor's list of severe and serious reactions reported at "
             "this vaccinator's centre, masked", m.FlaggedAefis,
             training=True, errors=("TRAIN0001",)),
    Endpoint("getFaults", "GET", "/training/faults", "Training: the injected faults", m.Faults,
             auth=False, training=True, errors=("TRAIN0001",)),
    Endpoint("setFaults", "PUT", "/training/faults",
             "Training: inject latency, errors, downtime, rate limits or short tokens. The "
             "trainer's only: on a room server it needs the room key (X-Room-Key)", m.Faults,
             request=m.Faults, auth=False, training=True, trainer=True,
             errors=("REQVAL0001", "TRAIN0001", "TRAIN0002")),
    Endpoint("reset", "POST", "/training/reset",
             "Training: restore the initial population and clear all logins. The trainer's "
             "only: on a room server it needs the room key (X-Room-Key)", m.ResetResponse,
             auth=False, training=True, trainer=True, errors=("TRAIN0001", "TRAIN0002")),
)

BY_OPERATION = {e.operation: e for e in ENDPOINTS}
