"""Every way a call can fail, as types. Nothing else escapes `ApiClient`.

Each error carries `message`, the words a vaccinator reads (what happened and what to do),
and `reference`, a short code for support (the errorCode and the request id). Messages never
contain a personal value: the client builds them from codes, not from what was typed.

Two homes for words, one for each reader. `codes.CODES` holds the contract's sentence for
each errorCode: what the registry (and the mock) sends and the OpenAPI document describes.
The classes here hold the vaccinator's sentence; where the contract's sentence already says
what to do, a class takes it from `CODES` instead of writing it again. A class lists the
errorCodes it stands for in `codes`, and `BY_CODE` (at the end) is the table built from them.

For a write, the type says whether it may have landed: after an `OutcomeUnknown` the request
may have reached the registry (and a dose may be recorded); after any other error it was
either not sent at all or refused by the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from api_client.codes import CODES
from api_client.rules import Reason


class ApiError(Exception):
    title = "Something went wrong"
    default_message = "The request failed. Try again; if it keeps failing, call support."
    codes: ClassVar[tuple[str, ...]] = ()  # the contract's errorCodes this class stands for

    def __init__(self, message: str = "", *, code: str = "", request_id: str = "") -> None:
        self.message = message or self.default_message
        self.code = code or (self.codes[0] if len(self.codes) == 1 else "")
        self.request_id = request_id
        super().__init__(self.message)

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        """This error for a JSON error answer; classes whose words depend on the answer's
        details override it."""
        return cls(code=answer.code, request_id=answer.request_id)

    @property
    def reference(self) -> str:
        """What a vaccinator reads out to support: error code and request id."""
        return " / ".join(part for part in (self.code, self.request_id) if part) or "none"

    def __rich__(self) -> str:
        # Rendered instead of a traceback with locals if this ever reaches a crash screen.
        return f"{self.title}: {self.message} (reference {self.reference})"


@dataclass(frozen=True)
class ErrorAnswer:
    """A JSON error answer as the client decoded it (`{"errorCode", "error", ...}`)."""

    status: int
    code: str
    text: str  # the server's own sentence
    request_id: str = ""
    tries_left: int | None = None
    retry_after: float | None = None  # from the body, else the Retry-After header
    earliest_date: date | None = None
    existing_reference: str = ""  # a walk-in's duplicate, masked


class OutcomeUnknown(ApiError):
    """The request may have reached the registry, and its answer was lost, late, garbled or
    a server failure: a write may or may not have taken effect. Retrying a dose with its
    same Idempotency-Key is safe; only the registry can say what happened."""

    title = "Outcome not known"
    default_message = ("The registry's answer was lost. Try again; a dose being recorded is "
                       "retried safely and never recorded twice.")


# --- login ----------------------------------------------------------------------------------


class WrongPassword(ApiError):
    title = "Wrong username or password"
    default_message = "The username or password is not right. Check them and try again."
    codes = ("USRAUT0001",)


class AccountLocked(ApiError):
    title = "Account locked"
    codes = ("USRAUT0002",)
    default_message = CODES["USRAUT0002"].message


class OtpWrong(ApiError):
    title = "Wrong code"
    codes = ("USRAUT0014",)

    def __init__(self, tries_left: int, **kw: str) -> None:
        self.tries_left = tries_left
        if tries_left > 0:
            tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
            text = f"That code is not right. {tries} left."
        else:
            text = "That code is not right, and no tries are left. Ask for a new code."
        super().__init__(text, **kw)

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        return cls(answer.tries_left or 0, code=answer.code, request_id=answer.request_id)


class OtpExpired(ApiError):
    title = "Code expired"
    codes = ("USRAUT0015",)
    default_message = CODES["USRAUT0015"].message


class LoginExpired(ApiError):
    title = "Signed out"
    default_message = "Your login has expired. Sign in again; the form you were filling is kept."


class SessionLimitReached(ApiError):
    title = "12-hour limit"
    default_message = ("You have been signed in for 12 hours. Finish this form, then sign in "
                       "again with your password and code.")
    codes = ("USRAUT0031",)


# --- beneficiary consent ----------------------------------------------------------------------


class NotRegistered(ApiError):
    title = "Not registered"
    default_message = ("Nobody is registered with this mobile number or reference ID. Check the "
                       "number with the beneficiary.")
    codes = ("USRAUT0024",)


class ConsentExpired(ApiError):
    title = "Consent expired"
    default_message = ("The beneficiary's consent has expired. Search again and ask them for "
                       "the new OTP.")
    codes = ("CONSNT0001",)


class ConsentScope(ApiError):
    title = "Not covered by consent"
    default_message = ("This person is not covered by the OTP the beneficiary gave. Search for "
                       "them and ask for their OTP.")
    codes = ("CONSNT0002",)


class RateLimited(ApiError):
    title = "Too many searches"
    # searches; OTPs per mobile, per user
    codes: ClassVar[tuple[str, ...]] = ("RATLMT0001", "RATLMT0002", "RATLMT0003")

    def __init__(self, retry_after: int, **kw: str) -> None:
        self.retry_after = retry_after
        super().__init__(f"Too many searches. Wait {retry_after} seconds, then search again.",
                         **kw)

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        return cls(int(answer.retry_after or 60), code=answer.code,
                   request_id=answer.request_id)


class ResendLimited(RateLimited):
    """The certificate was sent again as often as the registry allows this hour."""

    title = "Sent often enough"
    codes: ClassVar[tuple[str, ...]] = ("RATLMT0004",)

    def __init__(self, retry_after: int, **kw: str) -> None:
        ApiError.__init__(self, "The certificate was sent again 3 times this hour. Ask the "
                          f"beneficiary to check their SMS; it can be sent again in "
                          f"{max(retry_after // 60, 1)} min.", **kw)
        self.retry_after = retry_after


# --- recording --------------------------------------------------------------------------------


class NotEligible(ApiError):
    """A dose rule refused the dose; the registry's sentence says which and until when."""

    title = "Not eligible"
    default_message = "This dose cannot be given."
    # Every rule's reason except the two with words of their own (below).
    codes = tuple(r.value for r in Reason
                  if r not in (Reason.BATCH_EXPIRED, Reason.ALREADY_RECORDED))

    def __init__(self, message: str, *, reason_code: str, earliest_date: date | None = None,
                 **kw: str) -> None:
        self.reason_code = reason_code
        self.earliest_date = earliest_date
        super().__init__(message, code=reason_code, **kw)

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        return cls(answer.text, reason_code=answer.code, earliest_date=answer.earliest_date,
                   request_id=answer.request_id)


class DoseAlreadyRecorded(ApiError):
    title = "Already recorded"
    default_message = ("This dose is already recorded for this person. Check their record "
                       "before giving anything.")
    codes = (Reason.ALREADY_RECORDED.value,)


class BatchExpired(ApiError):
    title = "Batch expired"
    default_message = "This batch has expired. Choose another batch."
    codes = (Reason.BATCH_EXPIRED.value,)


class SessionClosed(ApiError):
    title = "Session closed"
    default_message = ("This session is closed: no more doses can be recorded in it. Choose "
                       "another session (F3 on Search) or ask your supervisor.")
    codes = ("SESSN0004",)


class SessionClosedNoRecord(ApiError):
    """Could not vaccinate, in a session already closed."""

    title = "Session closed"
    default_message = ("This session is closed: nothing more can be recorded in it, not even "
                       "could not vaccinate. Choose another session (F3 on Search) or ask your "
                       "supervisor.")
    codes = ("SESSN0008",)


class Refused(ApiError):
    """A request the server understood and refused for a reason the screen shows as given
    (wrong session, ID not checked, a record that cannot be corrected...): every contract
    code without a class of its own."""

    title = "Not accepted"

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        return cls(answer.text, code=answer.code, request_id=answer.request_id)


class AlreadyRegistered(ApiError):
    """A walk-in refused as a duplicate: the same name and birth year on the mobile."""

    title = "Already registered"
    codes = ("REGIST0002",)

    def __init__(self, existing_reference: str = "", **kw: str) -> None:
        self.existing_reference = existing_reference
        ending = existing_reference[-4:]
        who = f" (reference ending {ending})" if ending.isdigit() else ""
        super().__init__(f"This person is already registered on this mobile{who}. Search the "
                         "mobile and open their record instead of registering again.", **kw)

    @classmethod
    def from_answer(cls, answer: ErrorAnswer) -> ApiError:
        return cls(answer.existing_reference, code=answer.code, request_id=answer.request_id)


# --- transport and protocol ---------------------------------------------------------------------


class ServerError(OutcomeUnknown):
    """The registry failed while handling the request: it may have stored a write first."""

    title = "Server error"
    default_message = "The registry had a problem. Try again in a moment."
    codes = ("GERR001",)

    @staticmethod
    def for_status(status: int) -> type[ServerError]:
        """A 5xx: gateways and an overloaded registry (502/503/504) say "unavailable"."""
        return ServerUnavailable if status in (502, 503, 504) else ServerError


class ServerUnavailable(ServerError):
    title = "Server unavailable"
    default_message = "The registry is unavailable just now. Try again in a minute."
    codes = ("GERR002",)


class ServerUnreachable(ApiError):
    """No connection could be made (refused, no route, no answer to connect, no free
    connection): not one byte of the request left this computer."""

    title = "Cannot reach the registry"
    default_message = ("The registry cannot be reached. Check the network cable or Wi-Fi, then "
                       "try again. Nothing was sent.")


class TimedOut(OutcomeUnknown):
    """The request was sent and the whole answer did not come in time."""

    title = "No answer in time"
    default_message = ("The registry did not answer in time, so it is not known whether it "
                       "received the request. Try again; a dose being recorded is retried "
                       "safely and never recorded twice.")


class ConnectionDropped(TimedOut):
    """The connection broke after the request went out (or at a point that cannot be told):
    the outcome is unknown, exactly as after a timeout, hence the subclass."""

    title = "Connection broke"
    default_message = ("The connection to the registry broke before the answer came, so it is "
                       "not known whether it received the request. Try again; a dose being "
                       "recorded is retried safely and never recorded twice.")


class TlsFailure(ApiError):
    title = "Secure connection failed"
    default_message = ("The registry's identity could not be verified, so nothing was sent. "
                       "Call support: this can mean the network is being intercepted.")


class InsecureConnection(ApiError):
    title = "Insecure address"
    default_message = ("This registry is not a training server, so its plain http:// address "
                       "is refused: use its https:// address. Plain http:// is only for a "
                       "training server or this computer.")


class ProtocolError(OutcomeUnknown):
    """An answer vaxterm cannot read (wrong shape, cut short, too large): whatever the
    registry did with the request, this answer does not say."""

    title = "Unexpected answer"
    default_message = ("The registry sent an answer vaxterm does not understand. Try again; if "
                       "it keeps happening, call support.")


# --- the code → class table ---------------------------------------------------------------------


def _with_subclasses(cls: type[ApiError]) -> list[type[ApiError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _with_subclasses(sub))]


def _by_code() -> dict[str, type[ApiError]]:
    table: dict[str, type[ApiError]] = {}
    for cls in _with_subclasses(ApiError):
        for code in cls.codes:
            if code in table:
                raise TypeError(f"{code} is claimed by {table[code].__name__} and "
                                f"{cls.__name__}")
            table[code] = cls
    return table


BY_CODE = _by_code()
# A dose refusal from a newer registry, not (yet) among our rules, is still a refusal by rule.
_DOSE_PREFIX = "DOSE"


def error_for(answer: ErrorAnswer) -> ApiError:
    """The typed error for a JSON error answer: by its code, else by its status."""
    cls = BY_CODE.get(answer.code)
    if cls is None:
        if answer.status == 429:
            cls = RateLimited
        elif answer.code.startswith(_DOSE_PREFIX):
            cls = NotEligible
        elif answer.status >= 500:
            cls = ServerError.for_status(answer.status)
        else:
            cls = Refused  # the server's own sentence
    return cls.from_answer(answer)


# --- identifiers refused before sending -----------------------------------------------------

MAX_RETRY_AFTER = 3600  # seconds: a longer wait from a server is taken as this


class InvalidIdentifier(ApiError):
    """An id (usually one the registry sent earlier) is not in the contract's form, so it
    is not put into an address: nothing was sent."""

    title = "Unexpected identifier"
    default_message = ("A record identifier is not in the expected form, so nothing was sent. "
                       "Search again; if it keeps happening, call support.")
