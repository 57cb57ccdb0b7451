"""The mock registry's certificates: sent to the beneficiary's registered mobile after a dose
(the training SMS inbox shows it), and sent again on request while the beneficiary's consent
lasts, at most `RESENDS_PER_HOUR` times an hour per beneficiary. The certificate number never
goes to the vaccinator's screen: the answer names only the mobile's last 4 digits.

A mixin of `Registry` (registry.py), like encounters.py: the same state, clock and audit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from api_client import models as m
from api_client.mock.limits import Window

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from api_client.mock.accounts import Account
    from api_client.mock.population import DoseEntry, Person
    from api_client.mock.registry import Consent, State

RESENDS_PER_HOUR = 3
# A synthetic address (.invalid never resolves): the link stands for the real portal's.
LINK = "https://certificate.training.invalid/c/"


def new_resend_window() -> Window:
    return Window(timedelta(hours=1), RESENDS_PER_HOUR)


class CertificateHandlers:
    """The certificate SMS after a dose, and "send again"."""

    if TYPE_CHECKING:  # provided by Registry
        state: State

        def now(self) -> datetime: ...
        def _audit(self, vaccinator: str, action: str, reference: str = "", consent: str = "",
                   session_id: str = "", detail: str = "") -> None: ...
        def _consented(self, account: Account, consent_token: str | None, reference: str
                       ) -> tuple[Person, Consent]: ...
        def _find_dose(self, account: Account, vaccination_id: str, action: str,
                       visible: Callable[[DoseEntry], bool]) -> tuple[Person, DoseEntry]: ...

    def send_certificate(self, account: Account, person: Person, dose: DoseEntry, *,
                         again: bool) -> str:
        """The certificate link to the person's registered mobile; its masked form."""
        from api_client.mock.registry import mask

        masked = mask(person.mobile)
        self.state.certificates.append((account.username, m.CertificateSms(
            masked_mobile=masked, link=LINK + dose.certificate_id,
            sent_at=self.now().isoformat(timespec="seconds"), again=again)))
        return masked

    def resend_certificate(self, account: Account, vaccination_id: str,
                           consent_token: str | None) -> m.CertificateSent:
        from api_client.mock.registry import Refusal

        person, dose = self._find_dose(account, vaccination_id, "resend certificate",
                                       lambda d: d.vaccinator == account.username)
        _, consent = self._consented(account, consent_token, person.reference_id)
        if dose.status != "completed":
            self._audit(account.username, "resend certificate refused", person.reference_id,
                        detail="entered in error")
            raise Refusal("CERT0001")
        now = self.now()
        window = self.state.certificate_resends
        if window.full(person.reference_id, now):
            seconds = window.retry_after(person.reference_id, now)
            self._audit(account.username, "resend certificate refused", person.reference_id,
                        consent=consent.txn_id, detail="rate limit")
            raise Refusal("RATLMT0004", headers={"Retry-After": str(seconds)},
                          retry_after=seconds)
        sent = window.add(person.reference_id, now)
        masked = self.send_certificate(account, person, dose, again=True)
        self._audit(account.username, "resend certificate", person.reference_id,
                    consent=consent.txn_id, session_id=dose.session_id)
        return m.CertificateSent(vaccination_id=vaccination_id, sent_to=masked,
                                 sends_left=RESENDS_PER_HOUR - sent)
