"""`ApiClient`: one `httpx.AsyncClient` per login for the whole authorized-user API.

Every failure becomes an `errors.ApiError` subtype. Tokens live in memory only, wrapped in
`Secret`. Reads and keyed writes (a dose with its Idempotency-Key) are retried with backoff;
a write without a key never is. An optional trace callback sees method, path template,
status, duration, errorCode and request id of every exchange, never a body, a header value
or a token.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import httpx
import msgspec

from api_client import errors as e
from api_client import models as m
from api_client.addresses import check_base_url, needs_training_proof
from api_client.codes import UNAUTHENTICATED_TEXT
from api_client.contract import BASE_PATH, BY_OPERATION, Endpoint
from api_client.retry import RetryPolicy
from api_client.sensitive import Secret, minimise
from api_client.tls import PinMismatch, pin_checker, ssl_context

T = TypeVar("T")
MAX_ANSWER_BYTES = 2 * 1024 * 1024
RENEW_WHEN_LEFT = 120.0  # seconds of token life under which an active user is renewed


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 5.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write,
                             pool=self.pool)


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


def _parse_date(text: str | None) -> date | None:
    try:
        return datetime.strptime(text or "", "%d-%m-%Y").date()
    except ValueError:
        return None


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
        self.retry = retry or RetryPolicy()
        self._trace = trace
        self._clock = clock
        self._rng = rng or random.Random()
        self._pin_trace = pin_checker(pin_sha256) if pin_sha256 else None
        verify: Any = True
        if urlsplit(self.base_url).scheme == "https" and transport is None:
            verify = ssl_context(ca_bundle)
        self._http = httpx.AsyncClient(
            transport=transport, verify=verify, timeout=(timeouts or Timeouts()).as_httpx(),
            follow_redirects=False, headers={"Accept": "application/json"})
        self._token: Secret | None = None
        self._token_expires_at = 0.0
        self.user: m.User | None = None

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.forget_login()
        await self._http.aclose()

    # --- the exchange ---------------------------------------------------------------------

    async def _call(self, operation: str, response_type: type[T], *, body: Any = None,
                    params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                    path_values: dict[str, str] | None = None, auth: bool | None = None,
                    idempotency_key: str | None = None) -> T:
        endpoint = BY_OPERATION[operation]
        if self._unproven and operation != "meta":
            await self.meta()
        needs_auth = endpoint.auth if auth is None else auth
        send_headers = dict(headers or {})
        if needs_auth:
            send_headers["Authorization"] = f"Bearer {(await self._live_token()).reveal()}"
        if idempotency_key is not None:
            send_headers["Idempotency-Key"] = idempotency_key
        path = BASE_PATH + endpoint.path
        for name, value in (path_values or {}).items():
            path = path.replace("{" + name + "}", value)
        content = m.encode(body) if body is not None else None
        if content is not None:
            send_headers["Content-Type"] = "application/json"
        # Reads are safe to repeat; a write is repeated only under its Idempotency-Key.
        retryable = endpoint.method == "GET" or idempotency_key is not None
        policy = self.retry if retryable else RetryPolicy(attempts=1)
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                status, raw, request_id, retry_after = await self._exchange(
                    endpoint, self.base_url + path.removeprefix(BASE_PATH), params,
                    send_headers, content, attempt)
            except (e.ServerUnreachable, e.TimedOut) as failure:
                if not self._may_retry(policy, attempt, started, None):
                    raise failure from None
                await anyio.sleep(policy.delay(attempt, None, self._rng))
                continue
            if status in (429, 502, 503, 504) and self._may_retry(
                    policy, attempt, started, retry_after):
                await anyio.sleep(policy.delay(attempt, retry_after, self._rng))
                continue
            return self._interpret(endpoint, status, raw, request_id, retry_after,
                                   response_type)

    def _may_retry(self, policy: RetryPolicy, attempt: int, started: float,
                   retry_after: float | None) -> bool:
        if attempt >= policy.attempts:
            return False
        return self._clock() - started + (retry_after or 0.0) < policy.total

    async def _exchange(self, endpoint: Endpoint, url: str, params: dict[str, str] | None,
                        headers: dict[str, str], content: bytes | None, attempt: int
                        ) -> tuple[int, bytes, str, float | None]:
        """One HTTP exchange; returns (status, body, request id, Retry-After seconds)."""
        begun = time.perf_counter()
        status: int | None = None
        request_id = code = ""
        extensions = {"trace": self._pin_trace} if self._pin_trace else None
        try:
            request = self._http.build_request(endpoint.method, url, params=params,
                                               headers=headers, content=content,
                                               extensions=extensions)
            try:
                response = await self._http.send(request, stream=True)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                raise e.ConnectionDropped(code="DROPPED") from None
            try:
                status = response.status_code
                request_id = response.headers.get("x-request-id", "")[:32]
                raw = await self._read_capped(response, request_id)
            except (httpx.RemoteProtocolError, httpx.ReadError):
                raise e.ProtocolError(code="TRUNCATED", request_id=request_id) from None
            finally:
                await response.aclose()
            if status >= 400 and response.headers.get("content-type", "").startswith(
                    "application/json"):
                code = _error_code(raw)
            return status, raw, request_id, _retry_after(response.headers.get("retry-after"))
        except PinMismatch:
            raise e.TlsFailure(code="PIN") from None
        except httpx.ConnectError as exc:
            if _is_tls_error(exc):
                raise e.TlsFailure(code="TLS") from None
            raise e.ServerUnreachable(code="CONNECT") from None
        except httpx.TimeoutException as exc:
            kind = type(exc).__name__.removesuffix("Timeout").upper()
            raise e.TimedOut(code=f"TIMEOUT-{kind}", request_id=request_id) from None
        except httpx.HTTPError:
            raise e.ServerUnreachable(code="HTTP") from None
        finally:
            if self._trace is not None:
                self._trace(TraceEvent(endpoint.method, BASE_PATH + endpoint.path, status,
                                       (time.perf_counter() - begun) * 1000, code, request_id,
                                       attempt))

    @staticmethod
    async def _read_capped(response: httpx.Response, request_id: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise e.ProtocolError(code="TOO-LARGE", request_id=request_id)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise e.ProtocolError(code="TOO-LARGE", request_id=request_id)
            chunks.append(chunk)
        return b"".join(chunks)

    def _interpret(self, endpoint: Endpoint, status: int, raw: bytes, request_id: str,
                   retry_after: float | None, response_type: type[T]) -> T:
        if status == endpoint.status:
            try:
                return msgspec.convert(minimise(msgspec.json.decode(raw)), response_type)
            except (msgspec.DecodeError, msgspec.ValidationError):
                raise e.ProtocolError(code=f"SHAPE-{status}", request_id=request_id) from None
        if status == 401:
            # Co-WIN answers a dead token with bare text; never send that token again.
            self.forget_login()
            if endpoint.operation == "login":
                raise e.WrongPassword(code=_error_code(raw) or "401", request_id=request_id)
            text = raw.decode("utf-8", "replace").strip()
            if text != UNAUTHENTICATED_TEXT and not _error_code(raw):
                raise e.ProtocolError(code="401-BODY", request_id=request_id)
            raise e.LoginExpired(code="401", request_id=request_id)
        try:
            body = msgspec.json.decode(raw, type=m.ErrorBody)
        except (msgspec.DecodeError, msgspec.ValidationError):
            body = None
        if body is None:
            if status >= 500:
                cls = e.ServerUnavailable if status in (502, 503, 504) else e.ServerError
                raise cls(code=str(status), request_id=request_id)
            raise e.ProtocolError(code=f"HTTP-{status}", request_id=request_id)
        raise error_for(status, body, request_id, retry_after)

    # --- tokens -----------------------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self._token is not None and self._clock() < self._token_expires_at

    @property
    def token_seconds_left(self) -> float:
        return max(self._token_expires_at - self._clock(), 0.0) if self._token else 0.0

    def forget_login(self) -> None:
        self._token = None
        self._token_expires_at = 0.0
        self.user = None

    def _keep_token(self, token: str, expires_in: int) -> None:
        self._token = Secret(token)
        self._token_expires_at = self._clock() + expires_in

    async def _live_token(self) -> Secret:
        """The login token, renewed first if little of it is left; never a dead one."""
        if self._token is None or self._clock() >= self._token_expires_at:
            self.forget_login()
            raise e.LoginExpired(code="EXPIRED")
        if self.token_seconds_left < RENEW_WHEN_LEFT:
            # At the 12-hour limit the current token still works until it expires.
            with contextlib.suppress(e.SessionLimitReached):
                await self.renew()
        assert self._token is not None
        return self._token

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
        self._keep_token(answer.token, answer.expires_in)
        self.user = answer.user
        return answer.user

    async def renew(self) -> None:
        if self._token is None:
            raise e.LoginExpired(code="EXPIRED")
        token = self._token
        answer = await self._call("renew", m.RenewResponse, auth=False,
                                  headers={"Authorization": f"Bearer {token.reveal()}"})
        self._keep_token(answer.token, answer.expires_in)

    async def logout(self) -> None:
        """Tell the server, and drop the token whatever it answers."""
        token, self._token = self._token, None
        self.forget_login()
        if token is None:
            return
        # If the server cannot be told, the token dies there by itself within 15 minutes.
        with contextlib.suppress(e.ApiError):
            await self._call("logout", m.LogoutResponse, auth=False,
                             headers={"Authorization": f"Bearer {token.reveal()}"})

    # --- sessions and search ------------------------------------------------------------------

    async def sessions(self, day: date | None = None) -> list[m.Session]:
        params = {"date": f"{day:%d-%m-%Y}"} if day else None
        return (await self._call("sessions", m.SessionsResponse, params=params)).sessions

    async def search(self, *, mobile: str | None = None, reference_id: str | None = None
                     ) -> m.SearchResponse:
        return await self._call("search", m.SearchResponse, body=m.SearchRequest(
            mobile=mobile, beneficiary_reference_id=reference_id))

    async def confirm_beneficiary(self, txn_id: str, otp: str) -> Consent:
        answer = await self._call("confirmBeneficiary", m.ConsentResponse,
                                  body=m.ConfirmOtpRequest(txnId=txn_id, otp=otp_hash(otp)))
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

    async def report_aefi(self, vaccination_id: str, reaction: m.Reaction, onset_minutes: int
                          ) -> m.AefiResponse:
        return await self._call("aefi", m.AefiResponse,
                                body=m.AefiRequest(reaction=reaction, onset_minutes=onset_minutes),
                                path_values={"vaccination_id": vaccination_id})

    async def session_summary(self, session_id: str) -> m.SessionSummary:
        return await self._call("summary", m.SessionSummary,
                                path_values={"session_id": session_id})

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

    async def sms_inbox(self) -> list[m.SmsMessage]:
        return (await self._call("smsInbox", m.SmsInbox)).messages

    async def audit_log(self) -> list[m.AuditEntry]:
        return (await self._call("auditLog", m.AuditLog)).entries

    async def set_faults(self, faults: m.Faults) -> m.Faults:
        return await self._call("setFaults", m.Faults, body=faults)

    async def reset_training(self) -> None:
        await self._call("reset", m.ResetResponse)


def otp_hash(code: str) -> str:
    """OTPs travel as the lowercase hex SHA-256 of the digits, as in Co-WIN."""
    import hashlib

    return hashlib.sha256(code.encode()).hexdigest()


def _error_code(raw: bytes) -> str:
    try:
        return msgspec.json.decode(raw, type=m.ErrorBody).errorCode
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _is_tls_error(exc: BaseException) -> bool:
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


_SIMPLE: dict[str, type[e.ApiError]] = {
    "USRAUT0001": e.WrongPassword,
    "USRAUT0002": e.AccountLocked,
    "USRAUT0015": e.OtpExpired,
    "USRAUT0024": e.NotRegistered,
    "USRAUT0031": e.SessionLimitReached,
    "CONSNT0001": e.ConsentExpired,
    "CONSNT0002": e.ConsentScope,
    "DOSE0007": e.BatchExpired,
    "DOSE0009": e.DoseAlreadyRecorded,
    "GERR002": e.ServerUnavailable,
}


def error_for(status: int, body: m.ErrorBody, request_id: str, retry_after: float | None
              ) -> e.ApiError:
    """The typed error for a JSON error answer."""
    code = body.errorCode
    if code in _SIMPLE:
        return _SIMPLE[code](code=code, request_id=request_id)
    if code == "USRAUT0014":
        return e.OtpWrong(body.tries_left or 0, code=code, request_id=request_id)
    if code == "RATLMT0001" or status == 429:
        wait = body.retry_after or int(retry_after or 60)
        return e.RateLimited(wait, code=code, request_id=request_id)
    if code.startswith("DOSE"):
        return e.NotEligible(body.error or "This dose cannot be given.", reason_code=code,
                             earliest_date=_parse_date(body.earliest_date),
                             request_id=request_id)
    if status >= 500:
        cls = e.ServerUnavailable if status in (502, 503, 504) else e.ServerError
        return cls(code=code, request_id=request_id)
    # The server's own sentence for the rest (wrong session, ID not checked, ...).
    return e.Refused(body.error, code=code, request_id=request_id)
