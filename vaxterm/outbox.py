"""Doses sent whose outcome the registry has not confirmed, held in memory only.

Each keeps its form (and so its idempotency key) and what the vaccinator needs to recognise
it: the given name and the last 4 of the reference. The app retries them in the background
with the same key; a confirmed one leaves. Nothing here is ever written anywhere, and the
outbox is emptied at sign-out once the vaccinator has seen what was still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from api_client import errors as e

if TYPE_CHECKING:  # the wire models load with the client, after the first paint
    from api_client import models as m
    from api_client.client import ApiClient, Consent
    from vaxterm.dose_form import DoseDraft

# Seconds between background tries: soon at first, then no more than once a minute.
BACKOFF = (5.0, 10.0, 20.0, 40.0, 60.0)


@dataclass
class UnconfirmedDose:
    draft: DoseDraft
    consent: Consent | None
    tries: int = 0
    sending: bool = False  # a try is in flight (background or the form's own Retry)
    last_problem: str = ""
    next_try_at: float = 0.0  # on the app's clock, in seconds

    @property
    def key(self) -> str:
        return self.draft.idempotency_key

    @property
    def given_name(self) -> str:
        return self.draft.name.split()[0] if self.draft.name.split() else "?"

    def label(self) -> str:
        """How the vaccinator recognises it: never the whole reference."""
        return (f"{self.given_name} (ref ending {self.draft.reference_id[-4:]}), dose "
                f"{self.draft.dose} of {self.draft.vaccine}")

    def next_try_after(self) -> float:
        return BACKOFF[min(self.tries, len(BACKOFF) - 1)]


@dataclass(frozen=True)
class Settled:
    """What a background try learnt about one dose."""

    dose: UnconfirmedDose
    recorded: bool
    answer: m.VaccinateResponse | None = None
    why: str = ""  # when not recorded: in words, for the vaccinator


@dataclass
class Outbox:
    doses: dict[str, UnconfirmedDose] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.doses)

    def __contains__(self, key: object) -> bool:
        return key in self.doses

    def hold(self, draft: DoseDraft, consent: Consent | None) -> UnconfirmedDose:
        dose = self.doses.get(draft.idempotency_key)
        if dose is None:
            dose = self.doses[draft.idempotency_key] = UnconfirmedDose(draft, consent)
        else:
            dose.consent = consent or dose.consent
        return dose

    def settle(self, key: str) -> None:
        """The registry answered for this form: it is confirmed or known not recorded."""
        self.doses.pop(key, None)

    def names(self) -> list[str]:
        """The people held here: redaction masks them in logs and messages."""
        return [d.draft.name for d in self.doses.values()]

    def status(self) -> str:
        if not self.doses:
            return "all confirmed"
        count = len(self.doses)
        what = "1 dose" if count == 1 else f"{count} doses"
        doing = "sending" if any(d.sending for d in self.doses.values()) else "retrying"
        return f"{what} not confirmed · {doing}"

    def clear(self) -> None:
        self.doses.clear()


async def try_again(api: ApiClient, dose: UnconfirmedDose) -> Settled | None:
    """One background try for one dose, under its own key. None: still unknown.

    While the beneficiary's consent lasts, the form is sent again and the registry's answer
    decides. After it, the form cannot be sent again; the session's records say whether the
    dose landed (a record of this person, this dose number, this session, today)."""
    dose.sending = True
    dose.tries += 1
    try:
        if dose.consent is not None:
            try:
                answer = await api.record_dose(dose.draft.reference_id, dose.consent,
                                               dose.draft.request(), dose.key)
                return Settled(dose, True, answer)
            except e.ConsentExpired:
                dose.consent = None  # from now on, ask the session's records
        summary = await api.session_summary(dose.draft.session.session_id)
    except e.LoginExpired:
        dose.last_problem = "waiting for you to sign in again"
        return None
    except (e.OutcomeUnknown, e.ServerUnreachable) as unknown:
        dose.last_problem = unknown.title
        return None
    except e.ApiError as refused:
        return Settled(dose, False, why=refused.message)
    finally:
        dose.sending = False
    landed = any(r.beneficiary_reference_id.endswith(dose.draft.reference_id[-4:])
                 and r.dose == dose.draft.dose and r.status == "completed"
                 for r in summary.my_records)
    if landed:
        return Settled(dose, True)
    return Settled(dose, False, why="The registry has no record of it: it was not recorded. "
                                    "Search for the person again to record the dose.")
