"""Wire models of the authorized-user API (see `openapi.json`).

Every body that crosses the wire is one of these msgspec Structs, so a malformed answer fails
at decode time with a clear message instead of deep inside a screen. Response models ignore
fields the contract does not have (msgspec's default): a full date of birth, an address or an
unmasked ID sent by a server is dropped on decode and never reaches the app.

Field names follow Co-WIN where Co-WIN has the field (`beneficiary_reference_id`,
`birth_year`, `txnId`, `errorCode`, ...); dates are `DD-MM-YYYY` strings.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from api_client.aefi import OnsetUnit, Outcome, Seriousness
from api_client.dates import DATE_PATTERN, OPTIONAL_DATE_PATTERN

# Identifier shapes, each written once: the models, the mock's path checks and the OpenAPI
# document's parameters all read these.
REFERENCE_ID_LENGTHS = (13, 14)
REFERENCE_ID_PATTERN = rf"^\d{{{min(REFERENCE_ID_LENGTHS)},{max(REFERENCE_ID_LENGTHS)}}}$"
OPAQUE_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"  # vaccination and session ids in a path
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9-]{8,64}$"

Date = Annotated[str, Meta(pattern=DATE_PATTERN, description="DD-MM-YYYY")]
OptionalDate = Annotated[str, Meta(pattern=OPTIONAL_DATE_PATTERN,
                                   description="DD-MM-YYYY, or empty")]
Sha256Hex = Annotated[
    str, Meta(pattern=r"^[0-9a-f]{64}$", description="lowercase hex SHA-256 of the digits")
]
TxnId = Annotated[str, Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
Mobile = Annotated[str, Meta(pattern=r"^[6-9]\d{9}$", description="10 digits, no +91")]
ReferenceId = Annotated[str, Meta(pattern=REFERENCE_ID_PATTERN)]
MaskedDigits = Annotated[str, Meta(pattern=r"^[*X]*\d{0,4}$", description="masked, last 4 shown")]
Seconds = Annotated[int, Meta(ge=0)]
Count = Annotated[int, Meta(ge=0)]
# The products of `rules.VACCINES`, spelled out because msgspec and the OpenAPI document need
# a literal type; tests/unit/test_rules.py fails if the two lists differ.
Vaccine = Literal[
    "COVISHIELD", "COVAXIN", "SPUTNIK V", "CORBEVAX", "ZYCOV-D", "COVOVAX"
]
Gender = Literal["Male", "Female", "Others"]
Environment = Literal["production", "training"]
DoseNumber = Annotated[int, Meta(ge=1, le=4)]
BatchCode = Annotated[str, Meta(pattern=r"^[A-Z0-9][A-Z0-9-]{2,19}$")]
DosesPerVial = Annotated[int, Meta(ge=1, le=50)]
VialCount = Annotated[int, Meta(ge=0, le=1000)]
# Why doses were wasted beyond the open-vial allowance (a fixed list: no free text).
WastageReason = Literal[
    "vial broken or damaged", "cold chain failure", "open-vial time limit passed",
    "contamination suspected", "dose drawn but not given",
]
Reaction = Literal[
    "pain at injection site", "fever", "headache", "fatigue", "nausea", "rash", "fainting",
    "other minor", "high fever", "severe allergic reaction", "seizure", "other",
]
ErrorReason = Literal[
    "wrong beneficiary", "wrong vaccine", "wrong batch", "wrong dose number", "duplicate entry",
    "not administered",
]
# The photo-ID types of `PHOTO_ID_TYPES` as a type (tests/unit/test_walk_in.py keeps the two
# equal).
PhotoIdType = Literal[
    "Aadhaar Card", "Driving Licence", "PAN Card", "Passport", "Pension passbook with photo",
    "NPR Smart Card", "Voter ID", "Ration card with photo", "UDID", "Student photo ID",
]
# Pre-vaccination screening answers (vaxterm/screening.py holds what each one means).
ScreeningCode = Literal[
    "NONE", "ALLERGY", "ACUTE_ILLNESS", "RECENT_COVID", "BLEEDING", "PREGNANT", "BREASTFEEDING",
]
ScreeningAnswers = Annotated[list[ScreeningCode], Meta(max_length=7)]
# Why an encounter ended without a dose (FHIR Immunization.statusReason, a fixed list).
NotVaccinatedReason = Literal[
    "refused", "unwell and deferred", "contraindicated", "vaccine not available",
    "already vaccinated elsewhere",
]
# Letters, spaces and . ' - only: what a name on a photo ID holds, and nothing a log or a
# terminal could read as markup or control.
PersonName = Annotated[str, Meta(min_length=2, max_length=64,
                                 pattern=r"^[A-Za-z][A-Za-z .'-]*[A-Za-z.]$")]
BirthYear = Annotated[str, Meta(pattern=r"^\d{4}$", description="year only, never a date")]
PhotoIdNumber = Annotated[str, Meta(min_length=4, max_length=20, pattern=r"^[A-Z0-9]+$",
                                    description="sent once at registration, never returned")]


# Photo-ID types Co-WIN accepted (reference sheet §3.4).
PHOTO_ID_TYPES = (
    "Aadhaar Card", "Driving Licence", "PAN Card", "Passport", "Pension passbook with photo",
    "NPR Smart Card", "Voter ID", "Ration card with photo", "UDID", "Student photo ID",
)


class Model(Struct):
    """Base for every wire model. Each subclass is keyword-only (msgspec does not inherit
    `kw_only`), so field order never matters."""


class Request(Model, forbid_unknown_fields=True):
    """Request bodies are strict: an unknown field is a client bug, not data to ignore."""


# --- errors -----------------------------------------------------------------------------


class ErrorBody(Model, kw_only=True, omit_defaults=True):
    """`{"errorCode": "...", "error": "..."}` plus details some errors carry."""

    errorCode: Annotated[str, Meta(min_length=1, max_length=32)]
    error: Annotated[str, Meta(max_length=500)]
    tries_left: Seconds | None = None
    retry_after: Seconds | None = None
    earliest_date: OptionalDate | None = None
    # A walk-in refused as a duplicate: the person already registered, masked.
    existing_reference: MaskedDigits | None = None


# --- vaccinator login -------------------------------------------------------------------


class LoginRequest(Request, kw_only=True):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class TxnResponse(Model, kw_only=True):
    txnId: TxnId


class ConfirmOtpRequest(Request, kw_only=True):
    txnId: TxnId
    otp: Sha256Hex


class User(Model, kw_only=True):
    username: str
    name: str
    centre_id: int
    centre_name: str


class LoginResponse(Model, kw_only=True):
    token: Annotated[str, Meta(min_length=16)]
    expires_in: Seconds
    user: User


class RenewResponse(Model, kw_only=True):
    token: Annotated[str, Meta(min_length=16)]
    expires_in: Seconds


class LogoutResponse(Model, kw_only=True):
    status: Literal["logged out"]


# --- sessions ---------------------------------------------------------------------------


class Batch(Model, kw_only=True):
    vaccine_batch: BatchCode
    expiry_date: Date
    # One product shipped in several vial sizes (Covaxin 20-dose, later 10-dose), so the
    # size belongs to the batch; the session's wastage is counted from it.
    doses_per_vial: DosesPerVial


class Session(Model, kw_only=True):
    session_id: Annotated[str, Meta(min_length=8, max_length=64)]
    date: Date
    centre_id: int
    centre_name: str
    vaccine: Vaccine
    min_age_limit: Annotated[int, Meta(ge=0, le=120)]
    max_age_limit: Annotated[int, Meta(ge=0, le=120)] | None = None
    slots: list[str] = []
    capacity: Seconds
    doses_given: Seconds
    batches: list[Batch]
    # Closed with its vial count: the registry records no more doses in it.
    closed: bool = False


class SessionsResponse(Model, kw_only=True):
    sessions: list[Session]


# --- beneficiary consent ----------------------------------------------------------------


class SearchRequest(Request, kw_only=True):
    """Exactly one of the two; there is no search by photo-ID number."""

    mobile: Mobile | None = None
    beneficiary_reference_id: ReferenceId | None = None


class SearchResponse(Model, kw_only=True):
    """Nothing personal: the OTP goes to the registered mobile, shown masked."""

    txnId: TxnId
    masked_mobile: MaskedDigits
    expires_in: Seconds


class BeneficiarySummary(Model, kw_only=True):
    beneficiary_reference_id: ReferenceId
    name: str
    birth_year: Annotated[str, Meta(pattern=r"^\d{4}$")]
    gender: Gender
    photo_id_type: str
    photo_id_number: MaskedDigits
    vaccination_status: Literal["Not Vaccinated", "Partially Vaccinated", "Vaccinated"]


class ConsentResponse(Model, kw_only=True):
    consent_token: Annotated[str, Meta(min_length=16)]
    expires_in: Seconds
    beneficiaries: list[BeneficiarySummary]


class DoseGiven(Model, kw_only=True):
    vaccination_id: str
    dose: DoseNumber
    vaccine: Vaccine
    vaccine_batch: str
    date: Date
    is_precaution: bool = False
    status: Literal["completed", "entered-in-error"] = "completed"


class Eligibility(Model, kw_only=True):
    """The server's verdict on the next dose; the server stays the authority."""

    eligible: bool
    reason_code: str = ""
    message: str = ""
    due_dose: Annotated[int, Meta(ge=0, le=4)] = 0
    earliest_date: OptionalDate = ""
    vaccines: list[Vaccine] = []


class Beneficiary(BeneficiarySummary, kw_only=True):
    mobile_number: MaskedDigits
    comorbidity_ind: Literal["Y", "N"]
    vaccine: Vaccine | Literal[""] = ""
    dose1_date: OptionalDate = ""
    dose2_date: OptionalDate = ""
    precaution_dose_one_date: OptionalDate = ""
    due_dose: Annotated[int, Meta(ge=0, le=4)] = 0
    next_vaccination_date: OptionalDate = ""
    doses: list[DoseGiven] = []
    eligibility: Eligibility


# --- recording ----------------------------------------------------------------------------


class VaccinateRequest(Request, kw_only=True, omit_defaults=True):
    session_id: Annotated[str, Meta(min_length=8, max_length=64)]
    vaccine: Vaccine
    vaccine_batch: BatchCode
    dose: DoseNumber
    id_verified: bool
    # The pre-vaccination screening's answers, as codes (never free text); omitted by a
    # client that does not screen, so older requests keep their exact bytes.
    screening: ScreeningAnswers = []


class VaccinateResponse(Model, kw_only=True):
    """The certificate goes to the beneficiary's registered mobile, never to this screen:
    the answer names that mobile's last 4 digits, not the certificate."""

    vaccination_id: str
    beneficiary: Beneficiary
    certificate_sent_to: MaskedDigits = ""


class CertificateSent(Model, kw_only=True):
    vaccination_id: str
    sent_to: MaskedDigits
    sends_left: Count  # within the hour, for this beneficiary


class EnteredInErrorRequest(Request, kw_only=True):
    reason: ErrorReason


class EnteredInErrorResponse(Model, kw_only=True):
    vaccination_id: str
    status: Literal["entered-in-error"]


class AefiRequest(Request, kw_only=True, omit_defaults=True):
    """A reaction after a dose, by seriousness (see `aefi.py` for the definitions), with its
    onset and outcome. No free text: it could hold PII."""

    reaction: Reaction
    seriousness: Seriousness
    # A number of minutes (0-59), hours (1-23) or days (1-28) after the dose.
    onset: Annotated[int, Meta(ge=0, le=59)]
    onset_unit: OnsetUnit
    # Required for severe and serious events ("unknown" when it is not known yet).
    outcome: Outcome | Literal[""] = ""


class AefiResponse(Model, kw_only=True):
    aefi_id: str
    vaccination_id: str
    seriousness: Seriousness = "minor"
    # Severe and serious reports are flagged for the supervisor in the registry.
    flagged: bool = False


class SummaryRecord(Model, kw_only=True):
    vaccination_id: str
    time: str
    beneficiary_reference_id: MaskedDigits
    dose: DoseNumber
    vaccine: Vaccine
    vaccine_batch: str
    status: Literal["completed", "entered-in-error"]


# --- closing a session --------------------------------------------------------------------


class VialsOpened(Request, kw_only=True):
    vaccine_batch: BatchCode
    vials_opened: VialCount


class SessionCloseRequest(Request, kw_only=True, omit_defaults=True):
    """Vials opened per batch (a batch left out opened none) and, when more was wasted than
    the open-vial allowance, why."""

    vials: Annotated[list[VialsOpened], Meta(max_length=20)]
    wastage_reasons: Annotated[list[WastageReason], Meta(max_length=5)] = []


class BatchUse(Model, kw_only=True):
    vaccine_batch: str
    vials_opened: Count
    doses_per_vial: Count
    doses_in_vials: Count
    doses_recorded: Count
    wasted: Count


class SessionClosure(Model, kw_only=True):
    session_id: str
    closed_at: str
    batches: list[BatchUse]
    doses_recorded: Count
    doses_in_vials: Count
    wasted: Count
    wastage_percent: Annotated[float, Meta(ge=0, le=100)]
    beyond_allowance: bool
    wastage_reasons: list[WastageReason] = []


class SessionSummary(Model, kw_only=True):
    session_id: str
    total: Seconds
    by_dose: dict[str, int]
    by_vaccine: dict[str, int]
    by_batch: dict[str, int]
    my_records: list[SummaryRecord]
    # Encounters that ended without a dose, counted by reason.
    not_vaccinated: dict[str, int] = {}
    # The session's closing count, once it is closed.
    closure: SessionClosure | None = None
    # Reactions reported for the session's doses, by seriousness (minor, severe, serious).
    aefi: dict[str, int] = {}


class ServerMeta(Model, kw_only=True):
    server_time: str
    version: str
    environment: Environment
    # The zone the registry counts "today" in (dates of doses, eligibility): an IANA name or
    # a UTC offset such as "+05:30". An older server leaves it out: IST.
    time_zone: Annotated[str, Meta(max_length=64, description="IANA zone name or UTC offset "
                                   "(+05:30); IST when absent")] = ""


# --- training-only (present only when environment is "training") ------------------------


class SmsMessage(Model, kw_only=True):
    txnId: TxnId
    masked_mobile: MaskedDigits
    otp: Annotated[str, Meta(pattern=r"^\d{6}$")]
    sent_at: str


class CertificateSms(Model, kw_only=True):
    """A certificate link sent to a beneficiary's mobile, after a dose or again."""

    masked_mobile: MaskedDigits
    link: Annotated[str, Meta(max_length=200)]
    sent_at: str
    again: bool = False


class SmsInbox(Model, kw_only=True):
    messages: list[SmsMessage]
    certificates: list[CertificateSms] = []


class DemoAccount(Model, kw_only=True):
    username: str
    password: str
    name: str
    centre_name: str
    current_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    locked: bool


class DemoAccounts(Model, kw_only=True):
    accounts: list[DemoAccount]


class Faults(Request, kw_only=True):
    """Fault injection for training: each field is a scenario a vaccinator will meet."""

    latency_ms: Annotated[int, Meta(ge=0, le=30_000)] = 0
    error_rate: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.0
    down: bool = False
    rate_limited: bool = False
    token_lifetime_s: Annotated[int, Meta(ge=1, le=900)] | None = None


class AuditEntry(Model, kw_only=True):
    time: str
    vaccinator: str
    action: str
    beneficiary_reference_id: MaskedDigits = ""
    consent: str = ""
    session_id: str = ""
    detail: str = ""


class AuditLog(Model, kw_only=True):
    entries: list[AuditEntry]


class FlaggedAefi(Model, kw_only=True):
    """A severe or serious reaction, as the supervisor's list shows it: nobody's name."""

    aefi_id: str
    reported_at: str
    vaccinator: str
    session_id: str
    beneficiary_reference_id: MaskedDigits
    vaccine: Vaccine
    reaction: Reaction
    seriousness: Seriousness
    onset: Count
    onset_unit: OnsetUnit
    outcome: Outcome


class FlaggedAefis(Model, kw_only=True):
    reports: list[FlaggedAefi]


class ResetResponse(Model, kw_only=True):
    status: Literal["reset"]


class DemoMobile(Model, kw_only=True):
    mobile: Mobile
    shows: str  # the situation a trainer demonstrates with it


class DemoMobiles(Model, kw_only=True):
    mobiles: list[DemoMobile]


# --- the encounter: walk-in registration, could not vaccinate -----------------------------


class RegistrationOtpRequest(Request, kw_only=True):
    """An OTP to a mobile for a walk-in: like a search, but a mobile with nobody registered
    is not refused (the person is about to be)."""

    mobile: Mobile


class RegistrationRequest(Request, kw_only=True, omit_defaults=True):
    """A walk-in (Co-WIN's `POST /v2/vaccinator/beneficiaries/new`): the fields Co-WIN
    registered and no more; no date of birth, no address. The mobile is the consent's."""

    name: PersonName
    birth_year: BirthYear
    gender: Gender
    photo_id_type: PhotoIdType
    photo_id_number: PhotoIdNumber
    mobile_number: Mobile | None = None  # when given, it must be the consent's mobile


class RegistrationResponse(Model, kw_only=True):
    beneficiary_reference_id: ReferenceId
    beneficiary: BeneficiarySummary


class NotVaccinatedRequest(Request, kw_only=True, omit_defaults=True):
    """An encounter that ended without a dose (FHIR `Immunization.status = not-done`)."""

    session_id: Annotated[str, Meta(min_length=8, max_length=64)]
    reason: NotVaccinatedReason
    screening: ScreeningAnswers = []
    # From when the person may come back: required for "unwell and deferred", allowed for
    # "vaccine not available", refused for the others.
    come_back_date: OptionalDate = ""


class NotVaccinatedResponse(Model, kw_only=True):
    encounter_id: str
    status: Literal["not-done"]
    reason: NotVaccinatedReason
    come_back_date: OptionalDate = ""


def encode(value: object) -> bytes:
    return msgspec.json.encode(value)
