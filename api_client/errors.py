"""Every way a call can fail, as types. Nothing else escapes `ApiClient`.

Each error carries `message`, the words a vaccinator reads (what happened and what to do),
and `reference`, a short code for support (the errorCode and the request id). Messages never
contain a personal value: the client builds them from codes, not from what was typed.
"""

from __future__ import annotations

from datetime import date


class ApiError(Exception):
    title = "Something went wrong"
    default_message = "The request failed. Try again; if it keeps failing, call support."

    def __init__(self, message: str = "", *, code: str = "", request_id: str = "") -> None:
        self.message = message or self.default_message
        self.code = code
        self.request_id = request_id
        super().__init__(self.message)

    @property
    def reference(self) -> str:
        """What a vaccinator reads out to support: error code and request id."""
        return " / ".join(part for part in (self.code, self.request_id) if part) or "none"

    def __rich__(self) -> str:
        # Rendered instead of a traceback with locals if this ever reaches a crash screen.
        return f"{self.title}: {self.message} (reference {self.reference})"


# --- login ----------------------------------------------------------------------------------


class WrongPassword(ApiError):
    title = "Wrong username or password"
    default_message = "The username or password is not right. Check them and try again."


class AccountLocked(ApiError):
    title = "Account locked"
    default_message = "This account is locked. Ask your supervisor to unlock it."


class OtpWrong(ApiError):
    title = "Wrong code"

    def __init__(self, tries_left: int, **kw: str) -> None:
        self.tries_left = tries_left
        if tries_left > 0:
            tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
            text = f"That code is not right. {tries} left."
        else:
            text = "That code is not right, and no tries are left. Ask for a new code."
        super().__init__(text, **kw)


class OtpExpired(ApiError):
    title = "Code expired"
    default_message = "This code has expired or was tried too often. Ask for a new one."


class LoginExpired(ApiError):
    title = "Signed out"
    default_message = "Your login has expired. Sign in again; the form you were filling is kept."


class SessionLimitReached(ApiError):
    title = "12-hour limit"
    default_message = ("You have been signed in for 12 hours. Finish this form, then sign in "
                       "again with your password and code.")


# --- beneficiary consent ----------------------------------------------------------------------


class NotRegistered(ApiError):
    title = "Not registered"
    default_message = ("Nobody is registered with this mobile number or reference ID. Check the "
                       "number with the beneficiary.")


class ConsentExpired(ApiError):
    title = "Consent expired"
    default_message = ("The beneficiary's consent has expired. Search again and ask them for "
                       "the new OTP.")


class ConsentScope(ApiError):
    title = "Not covered by consent"
    default_message = ("This person is not covered by the OTP the beneficiary gave. Search for "
                       "them and ask for their OTP.")


class RateLimited(ApiError):
    title = "Too many searches"

    def __init__(self, retry_after: int, **kw: str) -> None:
        self.retry_after = retry_after
        super().__init__(f"Too many searches. Wait {retry_after} seconds, then search again.",
                         **kw)


# --- recording --------------------------------------------------------------------------------


class NotEligible(ApiError):
    title = "Not eligible"

    def __init__(self, message: str, *, reason_code: str, earliest_date: date | None = None,
                 **kw: str) -> None:
        self.reason_code = reason_code
        self.earliest_date = earliest_date
        super().__init__(message, code=reason_code, **kw)


class DoseAlreadyRecorded(ApiError):
    title = "Already recorded"
    default_message = ("This dose is already recorded for this person. Check their record "
                       "before giving anything.")


class BatchExpired(ApiError):
    title = "Batch expired"
    default_message = "This batch has expired. Choose another batch."


class Refused(ApiError):
    """A request the server understood and refused for a reason the screen shows as given
    (wrong session, ID not checked, a record that cannot be corrected...)."""

    title = "Not accepted"


# --- transport and protocol ---------------------------------------------------------------------


class ServerError(ApiError):
    title = "Server error"
    default_message = "The registry had a problem. Try again in a moment."


class ServerUnavailable(ServerError):
    title = "Server unavailable"
    default_message = "The registry is unavailable just now. Try again in a minute."


class ServerUnreachable(ApiError):
    title = "Cannot reach the registry"
    default_message = ("The registry cannot be reached. Check the network cable or Wi-Fi, then "
                       "try again. Nothing was sent.")


class TimedOut(ApiError):
    title = "No answer in time"
    default_message = ("The registry did not answer in time. Try again; a dose being recorded "
                       "is retried safely and never recorded twice.")


class ConnectionDropped(TimedOut):
    """The request went out and the connection broke before any answer: the outcome is
    unknown, exactly as after a timeout."""

    title = "Connection broke"
    default_message = ("The connection to the registry broke before the answer came. Try "
                       "again; a dose being recorded is retried safely and never recorded "
                       "twice.")


class TlsFailure(ApiError):
    title = "Secure connection failed"
    default_message = ("The registry's identity could not be verified, so nothing was sent. "
                       "Call support: this can mean the network is being intercepted.")


class InsecureConnection(ApiError):
    title = "Insecure address"
    default_message = ("This registry is not a training server, so its plain http:// address "
                       "is refused: use its https:// address. Plain http:// is only for a "
                       "training server or this computer.")


class ProtocolError(ApiError):
    title = "Unexpected answer"
    default_message = ("The registry sent an answer vaxterm does not understand. Try again; if "
                       "it keeps happening, call support.")
