"""The contract's error codes, each with its HTTP status and the contract's sentence: the
wire-level words the mock sends in `error` and the OpenAPI document describes. Codes follow
Co-WIN's shape, a prefix and four digits; where Co-WIN has a code (USRAUT0014, USRAUT0024,
GERR001) it is reused. The dose refusals are the rules' `Reason`s.

What a vaccinator reads is in `errors.py`: each error class names the codes it stands for
(`errors.BY_CODE`) and either has words of its own or reuses the sentence here."""

from __future__ import annotations

from dataclasses import dataclass

from api_client.rules import Reason


@dataclass(frozen=True)
class Code:
    code: str
    status: int
    message: str


def _table(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


CODES = _table(
    Code("REQVAL0001", 400, "The request is not valid."),
    Code("REQVAL0002", 413, "The request body is too large."),
    Code("REQVAL0003", 408, "The request took too long to arrive."),
    Code("USRAUT0001", 401, "Wrong username or password."),
    Code("USRAUT0002", 403, "This account is locked. Ask your supervisor to unlock it."),
    Code("USRAUT0014", 400, "Invalid OTP."),
    Code("USRAUT0015", 400, "This code has expired or was tried too often. Ask for a new one."),
    Code("USRAUT0024", 400, "No beneficiary is registered with this mobile number or ID."),
    Code("USRAUT0031", 403, "The session has reached its 12-hour limit. Sign in again."),
    Code("CONSNT0001", 403, "The beneficiary's consent has expired. Ask for a new OTP."),
    Code("CONSNT0002", 403, "This consent does not cover that beneficiary."),
    Code("SESSN0001", 404, "No such session at your centre today."),
    Code("SESSN0002", 422, "That batch is not stocked for this session."),
    Code("SESSN0003", 422, "That vaccine is not given at this session."),
    Code("SESSN0004", 409, "This session is closed: it records no more doses."),
    Code("SESSN0005", 409, "This session is already closed."),
    Code("SESSN0006", 422,
         "The vials opened held fewer doses than were recorded from them. Count again."),
    Code("SESSN0007", 422,
         "More was wasted than the open-vial allowance: give a reason from the list."),
    Code("SESSN0008", 409, "This session is closed: nothing more can be recorded in it."),
    Code("IDCHK0001", 422, "Check the beneficiary's photo ID before recording the dose."),
    Code("IDEMPT0001", 422, "This Idempotency-Key was used for a different request."),
    Code("IDEMPT0002", 400, "An Idempotency-Key header (8-64 characters) is required."),
    Code("VACCIN0001", 404, "No such vaccination record."),
    Code("VACCIN0002", 403,
         "Only the vaccinator who recorded a dose can correct it, the same day."),
    Code("VACCIN0003", 409, "This record is already marked entered-in-error."),
    Code("VACCIN0004", 422,
         "A reaction can be reported only for a dose given in the last 28 days."),
    Code("AEFI0001", 422, "The onset does not fit its unit (minutes 0-59, hours 1-23, days "
         "1-28) or falls after now."),
    Code("AEFI0002", 422, "A severe or serious reaction needs its outcome (unknown if not "
         "known yet)."),
    Code("AEFI0003", 422, "A death or a hospitalisation makes the reaction serious."),
    Code("CERT0001", 422, "No certificate for a dose marked entered-in-error."),
    Code("RATLMT0004", 429, "The certificate was sent again 3 times this hour. Wait before "
         "asking again."),
    Code("RATLMT0001", 429, "Too many searches. Wait before searching again."),
    Code("RATLMT0002", 429, "Too many OTPs were sent to this mobile. Wait before asking again."),
    Code("RATLMT0003", 429, "You have sent too many OTPs this hour. Wait before asking again."),
    Code("TRAIN0001", 404, "Training tools exist only on a training server."),
    Code("TRAIN0002", 403, "Only the trainer can do this: it needs the room key that "
         "vaxterm mock-server printed when it started."),
    Code("GERR001", 500, "Something went wrong on the server. Try again."),
    Code("GERR002", 503, "The server is unavailable. Try again shortly."),
    Code("NOTFND0001", 404, "No such endpoint."),
    Code("METHOD0001", 405, "Method not allowed."),
    Code("REGIST0001", 409, "This mobile already has 4 people registered, the most it may have."),
    Code("REGIST0002", 409, "This person is already registered on this mobile."),
    Code("REGIST0003", 422, "Too young to register: vaccination starts at 12."),
    Code("REGIST0004", 422, "The photo-ID number is not valid for its type."),
    Code("REGIST0005", 422, "The year of birth is not possible."),
    Code("SCREEN0001", 422, "The screening answers say not to vaccinate today."),
    Code("SCREEN0002", 422, "Screening answers: NONE stands alone and no answer repeats."),
    Code("NOTVAC0001", 422,
         "A come-back date is needed for a deferral, allowed when the vaccine was not "
         "available, and refused otherwise; it must fall within a year from tomorrow."),
    *(Code(r.value, 409 if r is Reason.ALREADY_RECORDED else 422, r.name.replace("_", " ")
           .capitalize() + ".") for r in Reason),
)

UNAUTHENTICATED_TEXT = "Unauthenticated access!"
