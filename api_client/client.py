"""`ApiClient`: one `httpx.AsyncClient` per login for the whole authorized-user API.

Every failure becomes an `errors.ApiError` subtype. A call is prepared (path, headers, body,
the login token's `httpx.Auth`), sent with retries (reads, and writes under their
Idempotency-Key; each attempt bounded by `Timeouts.total`), and its answer interpreted into a
model or a typed error. An optional trace callback sees method, path template, status,
duration, errorCode and request id of every exchange, never a body, a header value or a token.
"""

from __future__ import annotations

import http.cookiejar
import math
import random
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import anyio
import httpx
import msgspec

from api_client import errors as e
from api_client import models as m
from api_client.addresses import check_base_url, check_proxy, needs_training_proof
from api_client.auth import BearerAuth, check_header_value
from api_client.codes import UNAUTHENTICATED_TEXT
from api_client.contract import BASE_PATH, BY_OPERATION, Endpoint
from api_client.dates import ddmmyyyy, parse_ddmmyyyy
from api_client.failures import failure_for
from api_client.retry import NO_RETRY, RetryPolicy
from api_client.sensitive import Secret, clean_text, minimise
from api_client.timeouts import Timeouts as Timeouts  # re-exported: callers build it here
from api_client.tls import pin_checker, ssl_context

T = TypeVar("T")
MAX_ANSWER_BYTES = 2 * 1024 * 1024
TRANSIENT_STATUSES = (429, 502, 503, 504)  # worth another attempt when the policy allows
# Every id put into a path, with the contract's shape for it; `\Z`, not `$`, so that a
# trailing newline does not pass.
PATH_VALUE_PATTERNS = {
    "beneficiary_reference_id": re.compile(m.REFERENCE_ID_PATTERN.rstrip("$") + r"\Z"),
    "vaccination_id": re.compile(m.OPAQUE_ID_PATTERN.rstrip("$") + r"\Z"),
    "session_id": re.compile(m.OPAQUE_ID_PATTERN.rstrip("$") + r"\Z"),
}
# Answers decoded by the client itself, so the size cap applies to decoded bytes.
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError, MemoryError,
                 ValueError)


class NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing: the API has no cookies, and one a server sets must
    never reach the next request (or the next vaccinator)."""

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        pass

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass


@dataclass(frozen=True)
class TraceEvent:
    method: str
    path: str  # the contract's template: no reference ID or other value in it
    status: int | None  # None when no answer came
    duration_ms: float
    error_code: str = ""
    request_id: str = ""
    attempt: int = 1


@dataclass(frozen=True)
class Consent:
    """A beneficiary's consent: the token, who it covers and until when (monotonic)."""

    token: Secret
    references: frozenset[str]
    expires_at: float
    beneficiaries: tuple[m.BeneficiarySummary, ...] = field(repr=False)


@dataclass(frozen=True)
class Prepared:
    """One call, ready to send as often as its retry policy allows."""

    endpoint: Endpoint
    url: str
    params: dict[str, str] | None
    headers: dict[str, str]
    content: bytes | None
    auth: httpx.Auth | None
    policy: RetryPolicy


@dataclass(frozen=True)
class Reply:
    """What came back from one exchange, before it is interpreted."""

    status: int
    body: bytes
    request_id: str
    retry_after: float | None


class ApiClient:
    """The authorized-user API. Use as an async context manager, or call `aclose()`."""

    def __init__(
        self,
        base_url: str = "",
        *,
        app: Any = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        ca_bundle: str = "",
        pin_sha256: str = "",
        proxy: str = "",
        trace: Callable[[TraceEvent], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if app is not None:
            # In process (--mock, tests): no socket at all. Server bugs become 500s.
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            base_url = base_url or "http://mock.invalid/api/v2"
        else:
            base_url = check_base_url(base_url)
        self.base_url = base_url.rstrip("/")
        # Plain http to another machine: nothing but GET /meta until it says "training".
        self._unproven = app is None and needs_training_proof(self.base_url)
        self.environment: str | None = None
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._trace = trace
        self._clock = clock
        self._rng = rng or random.Random()
        self._pin_trace = pin_checker(pin_sha256) if pin_sha256 else None
        verify: Any = True
        if urlsplit(self.base_url).scheme == "https" and transport is None:
            verify = ssl_context(ca_bundle)
        t = self.timeouts
        # trust_env=False: no proxy, CA or netrc from the environment; only what is configured.
        self._http = httpx.AsyncClient(
            transport=transport, verify=verify, trust_env=False,
            proxy=check_proxy(proxy, self.base_url) if transport is None else None,
            cookies=NoCookies(),
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            follow_redirects=False,
            headers={"Accept": "application/json", "Accept-Encoding": "gzip, deflate"})
        self._auth = BearerAuth(self._renew_token, clock)
        # Who signed in on this client: set by the login's second step, kept while a new
        # login is asked for after the token died, forgotten at sign-out. The one copy.
        self.user: m.User | None = None

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.forget_login()
        await self._http.aclose()

    # --- one call: prepare, send with retries, interpret -----------------------------------

    async def _call(self, operation: str, response_type: type[T], *, body: Any = None,
                    params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                    path_values: dict[str, str] | None = None, auth: httpx.Auth | None = None,
                    idempotency_key: str | None = None) -> T:
        prepared = await self._prepare(operation, body=body, params=params, headers=headers,
                                       path_values=path_values, auth=auth,
                                       idempotency_key=idempotency_key)
        reply = await self._send_with_retry(prepared)
        return self._interpret(prepared.endpoint, reply, response_type)

    async def _prepare(self, operation: str, *, body: Any, params: dict[str, str] | None,
                       headers: dict[str, str] | None, path_values: dict[str, str] | None,
                       auth: httpx.Auth | None, idempotency_key: str | None) -> Prepared:
        endpoint = BY_OPERATION[operation]
        if self._unproven and operation != "meta":
            await self.meta()
        if auth is None and endpoint.auth:
            self._auth.require()  # a dead token is never sent: no exchange at all
            auth = self._auth
        send_headers = dict(headers or {})
        if endpoint.trainer and auth is None and self.logged_in:
            auth = self._auth  # names the trainer in the room's log
        if idempotency_key is not None:
            send_headers["Idempotency-Key"] = idempotency_key
        path = endpoint.path
        for name, value in (path_values or {}).items():
            pattern = PATH_VALUE_PATTERNS.get(name)
            if pattern is None or not isinstance(value, str) or not pattern.match(value):
                raise e.InvalidIdentifier(code="BAD-ID")
            path = path.replace("{" + name + "}", quote(value, safe=""))
        content = m.encode(body) if body is not None else None
        if content is not None:
            send_headers["Content-Type"] = "application/json"
        # Reads are safe to repeat; a write is repeated only under its Idempotency-Key.
        retryable = endpoint.method == "GET" or idempotency_key is not None
        return Prepared(endpoint, self.base_url + path, params, send_headers, content, auth,
                        self.retry if retryable else NO_RETRY)

    async def _send_with_retry(self, prepared: Prepared) -> Reply:
        policy = prepared.policy
        started = self._clock()
        attempt = 0
        # The last attempt that reached the registry, or may have: a later one that could not
        # connect says nothing about it, so its outcome stands ("nothing was sent" would be
        # untrue after a first try that timed out or got a transient answer).
        earlier: e.TimedOut | Reply | None = None
        while True:
            attempt += 1
            try:
                reply = await self._exchange(prepared, attempt)
            except (e.ServerUnreachable, e.TimedOut) as failure:
                if isinstance(failure, e.TimedOut):
                    earlier = failure
                retry = self._may_retry(policy, attempt, started, None)
                lost = None if retry else (earlier or failure)
            else:
                lost = None
                if reply.status in TRANSIENT_STATUSES and self._may_retry(
                        policy, attempt, started, reply.retry_after):
                    earlier = reply
                    await anyio.sleep(policy.delay(attempt, reply.retry_after, self._rng))
                    continue
                return reply
            if isinstance(lost, Reply):
                return lost  # the registry's own transient answer, interpreted as such
            if lost is not None:
                raise _bare(lost)  # outside the handler: no __context__
            await anyio.sleep(policy.delay(attempt, None, self._rng))

    def _may_retry(self, policy: RetryPolicy, attempt: int, started: float,
                   retry_after: float | None) -> bool:
        if attempt >= policy.attempts:
            return False
        return self._clock() - started + (retry_after or 0.0) < policy.total

    async def _exchange(self, prepared: Prepared, attempt: int) -> Reply:
        """One HTTP exchange, connect to the last byte of the answer, within
        `Timeouts.total`: httpx's read timeout restarts with each byte, this does not.
        Every failure leaves as a typed error with no chain (`_bare`): httpx's exceptions
        hold the request, and the request holds the token."""
        endpoint = prepared.endpoint
        begun = time.perf_counter()
        status: int | None = None
        request_id = code = ""
        extensions = {"trace": self._pin_trace} if self._pin_trace else None
        failure: e.ApiError | None = None
        reply: Reply | None = None
        request: httpx.Request | None = None
        try:
            with anyio.fail_after(self.timeouts.total):
                request = self._http.build_request(
                    endpoint.method, prepared.url, params=prepared.params,
                    headers=prepared.headers, content=prepared.content, extensions=extensions)
                try:
                    response = await self._http.send(request, auth=prepared.auth, stream=True)
                except e.ApiError as refused:  # from the token's Auth: renewal, expiry
                    failure = refused
                except Exception as exc:
                    failure = _unexpected(failure_for(exc))
                else:
                    try:
                        status = response.status_code
                        request_id = clean_text(response.headers.get("x-request-id", ""), 32)
                        raw = await _read_capped(response, request_id)
                        if status >= 400 and response.headers.get("content-type", "").startswith(
                                "application/json"):
                            code = _error_code(raw)
                        reply = Reply(status, raw, request_id,
                                      _retry_after(response.headers.get("retry-after")))
                    except e.ApiError as refused:
                        failure = refused
                    except MemoryError:
                        failure = e.ProtocolError(code="TOO-LARGE", request_id=request_id)
                    except Exception as exc:
                        failure = _unexpected(failure_for(exc, answered=True,
                                                          request_id=request_id))
                    finally:
                        await response.aclose()
        except TimeoutError:
            failure = e.TimedOut(code="TIMEOUT-TOTAL", request_id=request_id)
        finally:
            if request is not None:  # the same object httpx's exceptions keep
                for secret in ("authorization", "x-consent-token", "x-room-key"):
                    request.headers.pop(secret, None)
            if self._trace is not None:
                self._trace(TraceEvent(endpoint.method, BASE_PATH + endpoint.path, status,
                                       (time.perf_counter() - begun) * 1000, code, request_id,
                                       attempt))
        if failure is not None:
            raise _bare(failure)
        assert reply is not None
        return reply

    def _interpret(self, endpoint: Endpoint, reply: Reply, response_type: type[T]) -> T:
        try:
            return self._read_answer(endpoint, reply, response_type)
        except e.ApiError as failure:
            error = failure
        raise _bare(error)

    def _read_answer(self, endpoint: Endpoint, reply: Reply, response_type: type[T]) -> T:
        status, raw, request_id = reply.status, reply.body, reply.request_id
        if status == endpoint.status:
            try:
                return msgspec.convert(minimise(msgspec.json.decode(raw)), response_type)
            except DECODE_ERRORS:
                raise e.ProtocolError(code=f"SHAPE-{status}", request_id=request_id) from None
        if status == 401:
            # The token's own 401 was handled by its Auth (dropped, never sent again); here
            # only the words. Login step 1 answers a wrong password with 401.
            if endpoint.operation == "login":
                raise e.WrongPassword(code=_error_code(raw) or "401", request_id=request_id)
            # Co-WIN answers a dead token with bare text; anything else is not the registry.
            text = raw.decode("utf-8", "replace").strip()
            if text != UNAUTHENTICATED_TEXT and not _error_code(raw):
                raise e.ProtocolError(code="401-BODY", request_id=request_id)
            raise e.LoginExpired(code="401", request_id=request_id)
        body = _error_body(raw)
        if body is None:
            if status >= 500:
                raise e.ServerError.for_status(status)(code=str(status), request_id=request_id)
            raise e.ProtocolError(code=f"HTTP-{status}", request_id=request_id)
        retry_after = _sane_wait(body.retry_after)
        raise e.error_for(e.ErrorAnswer(
            status, clean_text(body.errorCode, 32), clean_text(body.error), request_id,
            body.tries_left, reply.retry_after if retry_after is None else retry_after,
            parse_ddmmyyyy(body.earliest_date), body.existing_reference or ""))

    # --- the login token ----------------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self._auth.live

    @property
    def token_seconds_left(self) -> float:
        return self._auth.seconds_left

    @property
    def _token(self) -> Secret | None:
        """The login token itself (tests check that it is gone after sign-out)."""
        return self._auth.token

    def forget_login(self) -> None:
        self._auth.forget()
        self.user = None

    async def _renew_token(self, token: Secret) -> tuple[str, float]:
        answer = await self._call("renew", m.RenewResponse, auth=self._auth.exact(token))
        return answer.token, answer.expires_in

    # --- vaccinator login -------------------------------------------------------------------

    async def login(self, username: str, password: str) -> str:
        """Step 1; returns the txnId for the authenticator code."""
        answer = await self._call("login", m.TxnResponse,
                                  body=m.LoginRequest(username=username, password=password))
        return answer.txnId

    async def confirm_login(self, txn_id: str, code: str) -> m.User:
        """Step 2 with the 6-digit code; keeps the token in memory."""
        answer = await self._call("confirmLogin", m.LoginResponse,
                                  body=m.ConfirmOtpRequest(txnId=txn_id, otp=otp_hash(code)))
        self._auth.keep(answer.token, answer.expires_in)
        self.user = answer.user
        return answer.user

    async def renew(self) -> None:
        """Renew the login token now (the token also renews itself while in use)."""
        await self._auth.renew()

    async def logout(self) -> e.ApiError | None:
        """Tell the server, and drop the token whatever it answers. Returns why the server
        could not be told, if it could not (the token then dies there by itself at its
        expiry, within 15 minutes); None when it was told or there was no login."""
        token = self._auth.token
        self.forget_login()
        if token is None:
            return None
        try:
            await self._call("logout", m.LogoutResponse, auth=self._auth.exact(token))
        except e.ApiError as untold:
            return untold
        return None

    # --- sessions and search ------------------------------------------------------------------

    async def sessions(self, day: date | None = None) -> list[m.Session]:
        params = {"date": ddmmyyyy(day)} if day else None
        return (await self._call("sessions", m.SessionsResponse, params=params)).sessions

    async def search(self, *, mobile: str | None = None, reference_id: str | None = None
                     ) -> m.SearchResponse:
        return await self._call("search", m.SearchResponse, body=m.SearchRequest(
            mobile=mobile, beneficiary_reference_id=reference_id))

    async def confirm_beneficiary(self, txn_id: str, otp: str) -> Consent:
        answer = await self._call("confirmBeneficiary", m.ConsentResponse,
                                  body=m.ConfirmOtpRequest(txnId=txn_id, otp=otp_hash(otp)))
        check_header_value(answer.consent_token)
        return Consent(Secret(answer.consent_token),
                       frozenset(b.beneficiary_reference_id for b in answer.beneficiaries),
                       self._clock() + answer.expires_in, tuple(answer.beneficiaries))

    def _consent_headers(self, consent: Consent, reference: str) -> dict[str, str]:
        if reference not in consent.references:
            raise e.ConsentScope(code="CONSNT0002")
        if self._clock() >= consent.expires_at:
            raise e.ConsentExpired(code="CONSNT0001")
        return {"X-Consent-Token": consent.token.reveal()}

    async def beneficiary(self, reference: str, consent: Consent) -> m.Beneficiary:
        return await self._call("beneficiary", m.Beneficiary,
                                headers=self._consent_headers(consent, reference),
                                path_values={"beneficiary_reference_id": reference})

    # --- recording ------------------------------------------------------------------------------

    async def record_dose(self, reference: str, consent: Consent, dose: m.VaccinateRequest,
                          idempotency_key: str) -> m.VaccinateResponse:
        """Record once: every retry, here or by the caller, must pass the form's same key."""
        return await self._call("vaccinate", m.VaccinateResponse, body=dose,
                                headers=self._consent_headers(consent, reference),
                                path_values={"beneficiary_reference_id": reference},
                                idempotency_key=idempotency_key)

    async def entered_in_error(self, vaccination_id: str, reason: m.ErrorReason
                               ) -> m.EnteredInErrorResponse:
        return await self._call("enteredInError", m.EnteredInErrorResponse,
                                body=m.EnteredInErrorRequest(reason=reason),
                                path_values={"vaccination_id": vaccination_id})

    async def report_aefi(self, vaccination_id: str, report: m.AefiRequest) -> m.AefiResponse:
        return await self._call("aefi", m.AefiResponse, body=report,
                                path_values={"vaccination_id": vaccination_id})

    async def aefi_flags(self) -> m.FlaggedAefis:
        """Training: the supervisor's list of severe and serious reactions at the centre."""
        return await self._call("aefiFlags", m.FlaggedAefis)

    async def resend_certificate(self, vaccination_id: str, reference: str, consent: Consent
                                 ) -> m.CertificateSent:
        """The dose's certificate to the beneficiary's mobile again, under their consent."""
        return await self._call("resendCertificate", m.CertificateSent,
                                headers=self._consent_headers(consent, reference),
                                path_values={"vaccination_id": vaccination_id})

    async def session_summary(self, session_id: str) -> m.SessionSummary:
        return await self._call("summary", m.SessionSummary,
                                path_values={"session_id": session_id})

    async def close_session(self, session_id: str, closing: m.SessionCloseRequest
                            ) -> m.SessionClosure:
        """Close the session with its vial count; it records no more doses after."""
        return await self._call("closeSession", m.SessionClosure, body=closing,
                                path_values={"session_id": session_id})

    # --- the rest of the encounter: walk-ins, could not vaccinate ----------------------------

    async def registration_otp(self, mobile: str) -> m.SearchResponse:
        """An OTP to `mobile` before a walk-in is registered under it; confirm it with
        `confirm_beneficiary`."""
        return await self._call("registrationOtp", m.SearchResponse,
                                body=m.RegistrationOtpRequest(mobile=mobile))

    async def register(self, consent: Consent, person: m.RegistrationRequest,
                       idempotency_key: str) -> tuple[m.RegistrationResponse, Consent]:
        """Register a walk-in under the consent's mobile. Returns the answer and the consent
        that now covers the new person too (first in its list). Every retry of one form
        passes the same key."""
        if self._clock() >= consent.expires_at:
            raise e.ConsentExpired(code="CONSNT0001")
        answer = await self._call("register", m.RegistrationResponse, body=person,
                                  headers={"X-Consent-Token": consent.token.reveal()},
                                  idempotency_key=idempotency_key)
        added = answer.beneficiary
        others = tuple(b for b in consent.beneficiaries
                       if b.beneficiary_reference_id != added.beneficiary_reference_id)
        return answer, Consent(consent.token, consent.references | {
            added.beneficiary_reference_id}, consent.expires_at, (added, *others))

    async def not_vaccinated(self, reference: str, consent: Consent,
                             encounter: m.NotVaccinatedRequest, idempotency_key: str
                             ) -> m.NotVaccinatedResponse:
        """Record that this encounter ended without a dose, and why."""
        return await self._call("notVaccinated", m.NotVaccinatedResponse, body=encounter,
                                headers=self._consent_headers(consent, reference),
                                path_values={"beneficiary_reference_id": reference},
                                idempotency_key=idempotency_key)

    async def meta(self) -> m.ServerMeta:
        """Server facts. Over plain http to another machine, the answer decides whether
        anything else may be sent: only to a training server."""
        meta = await self._call("meta", m.ServerMeta)
        self.environment = meta.environment
        if self._unproven:
            if meta.environment != "training":
                raise e.InsecureConnection(code="HTTP-PRODUCTION")
            self._unproven = False
        return meta

    # --- training tools (only on a training server) ---------------------------------------------

    async def demo_accounts(self) -> list[m.DemoAccount]:
        return (await self._call("demoAccounts", m.DemoAccounts)).accounts

    async def demo_mobiles(self) -> list[m.DemoMobile]:
        return (await self._call("demoMobiles", m.DemoMobiles)).mobiles

    async def sms_inbox(self) -> list[m.SmsMessage]:
        return (await self._call("smsInbox", m.SmsInbox)).messages

    async def certificate_inbox(self) -> list[m.CertificateSms]:
        """Training: the certificate links sent to beneficiaries after this vaccinator's
        doses (the same inbox as the OTPs)."""
        return (await self._call("smsInbox", m.SmsInbox)).certificates

    async def audit_log(self) -> list[m.AuditEntry]:
        return (await self._call("auditLog", m.AuditLog)).entries

    # The whole room's: a room server asks for the trainer's key (TRAIN0002 without it).

    async def set_faults(self, faults: m.Faults, room_key: str = "") -> m.Faults:
        return await self._call("setFaults", m.Faults, body=faults,
                                headers=_room_key_header(room_key))

    async def reset_training(self, room_key: str = "") -> None:
        await self._call("reset", m.ResetResponse, headers=_room_key_header(room_key))

    # --- consent ----------------------------------------------------------------------------

    def consent_seconds_left(self, consent: Consent) -> float:
        """How long `consent` still lives on this client's clock; 0 once it has expired."""
        return max(consent.expires_at - self._clock(), 0.0)


def _room_key_header(room_key: str) -> dict[str, str]:
    if not room_key:
        return {}
    if not _ROOM_KEY.match(room_key):  # typed by a person: refused before it is sent
        raise e.InvalidIdentifier(code="BAD-ROOM-KEY")
    return {"X-Room-Key": room_key}


_ROOM_KEY = re.compile(r"[!-~]{1,256}\Z")


def otp_hash(code: str) -> str:
    """OTPs travel as the lowercase hex SHA-256 of the digits, as in Co-WIN."""
    import hashlib

    return hashlib.sha256(code.encode()).hexdigest()


def _bare(error: e.ApiError) -> e.ApiError:
    """`error` without the exception it replaced: no httpx request (or token) hangs on it."""
    error.__cause__ = None
    error.__context__ = None
    error.__suppress_context__ = True
    return error


def _unexpected(error: e.ApiError | None) -> e.ApiError:
    # Anything not in the transport table still cannot say how far the request got.
    return error or e.ConnectionDropped(code="UNEXPECTED")


def _error_body(raw: bytes) -> m.ErrorBody | None:
    try:
        return msgspec.json.decode(raw, type=m.ErrorBody)
    except DECODE_ERRORS:
        return None


def _error_code(raw: bytes) -> str:
    body = _error_body(raw)
    return clean_text(body.errorCode, 32) if body else ""


def _sane_wait(seconds: float | None) -> float | None:
    """A server's wait as a finite number of seconds between 0 and `MAX_RETRY_AFTER`."""
    if seconds is None or not math.isfinite(seconds):
        return None
    return min(max(float(seconds), 0.0), float(e.MAX_RETRY_AFTER))


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return _sane_wait(float(value))
    except (ValueError, OverflowError):
        return None


def _decoder(response: httpx.Response, request_id: str) -> Any:
    """A zlib decoder for the answer's one content-encoding, or None for none. Stacked
    encodings (`gzip, gzip`: 272 bytes that decode to 2 GiB) and unknown ones are refused."""
    names = [n.strip().lower() for n in response.headers.get_list("content-encoding",
                                                                   split_commas=True)]
    names = [n for n in names if n and n != "identity"]
    if not names:
        return None
    if len(names) > 1 or names[0] not in DECODERS:
        raise e.ProtocolError(code="ENCODING", request_id=request_id)
    return zlib.decompressobj(DECODERS[names[0]])


async def _read_capped(response: httpx.Response, request_id: str) -> bytes:
    """The whole decoded body, or ProtocolError once it passes `MAX_ANSWER_BYTES`
    (declared, on the wire or decoded). Decoding is bounded per chunk (`max_length`), so
    no more than the cap is ever held."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise e.ProtocolError(code="TOO-LARGE", request_id=request_id)
    decoder = _decoder(response, request_id)
    chunks: list[bytes] = []
    size = wire = 0
    async for chunk in response.aiter_raw():
        wire += len(chunk)
        if decoder is not None:
            try:
                # At most one byte more than the room left: enough to know it is too large.
                chunk = decoder.decompress(chunk, MAX_ANSWER_BYTES - size + 1)
            except zlib.error:
                raise e.ProtocolError(code="DECODING", request_id=request_id) from None
        size += len(chunk)
        if size > MAX_ANSWER_BYTES or wire > MAX_ANSWER_BYTES:
            raise e.ProtocolError(code="TOO-LARGE", request_id=request_id)
        chunks.append(chunk)
    if decoder is not None:
        rest = decoder.flush()
        if size + len(rest) > MAX_ANSWER_BYTES:
            raise e.ProtocolError(code="TOO-LARGE", request_id=request_id)
        chunks.append(rest)
    return b"".join(chunks)
