"""Recording a dose, without a screen: one state per form, one idempotency key per form.

    idle ─► sending ─► recorded
                    ├► refused          (the registry said no: nothing was recorded)
                    ├► not sent         (no connection: nothing left this computer)
                    └► outcome unknown  (sent, but no answer we can trust: retry safely)

The form's key goes with every try, so the registry records the dose once whatever the
network does. What needs a person (a new OTP when the consent expired, whether to retry after
an unknown outcome) is asked through the callbacks the screen passes in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from api_client import errors as e
from api_client import models as m
from vaxterm.desk import Desk
from vaxterm.dose_form import DoseDraft

if TYPE_CHECKING:
    from api_client.client import ApiClient, Consent

# Errors after which the dose may or may not be stored: the request left, the answer did not
# come back whole.
OUTCOME_UNKNOWN: tuple[type[e.ApiError], ...] = (e.OutcomeUnknown,)
# No connection could be made: nothing left this computer (retrying is safe all the same).
NOT_SENT: tuple[type[e.ApiError], ...] = (e.ServerUnreachable,)


class RecordingState(Enum):
    IDLE = "idle"
    SENDING = "sending"
    RECORDED = "recorded"
    REFUSED = "refused"
    NOT_SENT = "not sent"
    UNKNOWN = "outcome unknown"


@dataclass(frozen=True)
class Outcome:
    state: RecordingState
    answer: m.VaccinateResponse | None = None
    error: e.ApiError | None = None


# What the screen supplies: run a call (re-login on top of the form if the login expired),
# ask the beneficiary for a new OTP, and ask the vaccinator whether to retry.
Runner = Callable[[Callable[[], Awaitable[m.VaccinateResponse]]], Awaitable[m.VaccinateResponse]]
AskConsent = Callable[[str], Awaitable["Consent | None"]]
AskRetry = Callable[[e.ApiError], Awaitable[bool]]


async def _direct(call: Callable[[], Awaitable[m.VaccinateResponse]]) -> m.VaccinateResponse:
    return await call()


class DoseRecording:
    """Sends one form's dose until it is recorded, refused, or the vaccinator stops asking."""

    def __init__(self, api: ApiClient, desk: Desk, draft: DoseDraft) -> None:
        self._api = api
        self._desk = desk
        self.draft = draft
        self.state = RecordingState.IDLE

    async def _send_once(self, run: Runner) -> m.VaccinateResponse:
        async def send() -> m.VaccinateResponse:
            consent = self._desk.consent
            if consent is None:
                raise e.ConsentExpired(code="CONSENT-GONE")
            return await self._api.record_dose(self.draft.reference_id, consent,
                                               self.draft.request(), self.draft.idempotency_key)

        return await run(send)

    async def submit(self, *, ask_consent: AskConsent, ask_retry: AskRetry,
                     run: Runner = _direct) -> Outcome:
        """Send the form, retrying with the same key for as long as the vaccinator asks."""
        outbox = self._desk.outbox
        key = self.draft.idempotency_key
        while True:
            self.state = RecordingState.SENDING
            held = outbox.doses.get(key)
            if held is not None:
                held.sending = True  # the background retry leaves it alone meanwhile
            self._desk.in_flight.add(key)
            try:
                answer = await self._send_once(run)
            except e.ConsentExpired as expired:
                renewed = await ask_consent(self.draft.reference_id)
                if renewed is None:
                    return self._unsettled(expired) if key in outbox else self._finish(
                        RecordingState.REFUSED, error=expired)
                self._desk.consent = renewed
                continue
            except OUTCOME_UNKNOWN as unknown:
                # Quitting or signing out now names it; the app keeps trying meanwhile.
                outbox.hold(self.draft, self._desk.consent)
                if not await ask_retry(unknown):
                    return self._unsettled(unknown)
                continue
            except NOT_SENT as unsent:
                if not await ask_retry(unsent):
                    # An earlier try may have left; if not, nothing did.
                    return self._unsettled(unsent) if key in outbox else self._finish(
                        RecordingState.NOT_SENT, error=unsent)
                continue
            except e.ApiError as refused:
                return self._finish(RecordingState.REFUSED, error=refused)
            finally:
                self._desk.in_flight.discard(key)
                if held is not None:
                    held.sending = False
            self._desk.note_recorded(answer.vaccination_id, self.draft.session.session_id)
            return self._finish(RecordingState.RECORDED, answer=answer)

    def _unsettled(self, error: e.ApiError) -> Outcome:
        self.state = RecordingState.UNKNOWN
        return Outcome(RecordingState.UNKNOWN, error=error)

    def _finish(self, state: RecordingState, *, answer: m.VaccinateResponse | None = None,
                error: e.ApiError | None = None) -> Outcome:
        # The registry answered: whatever it said, this form's outcome is known now.
        self._desk.outbox.settle(self.draft.idempotency_key)
        self.state = state
        return Outcome(state, answer, error)
