"""The certificate after a dose, without a screen. The registry sends it to the beneficiary's
registered mobile; the app says only which mobile ("ending 0002") and can ask for it to be
sent again while the beneficiary's consent lasts. Nothing about the certificate is kept: the
desk holds the dose's id, the reference and the consent token (no name) until the consent
ends or another person is searched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api_client import errors as e

if TYPE_CHECKING:
    from api_client import models as m
    from api_client.client import ApiClient, Consent


@dataclass(frozen=True)
class SentCertificate:
    vaccination_id: str
    reference: str
    consent: Consent  # without the people it covers: no name is kept for this
    mobile_ending: str


def sent_line(mobile_ending: str) -> str:
    ending = mobile_ending[-4:]
    return (f"Certificate sent to the mobile ending {ending}." if ending.isdigit()
            else "Certificate sent to the registered mobile.")


def after_dose(done: m.VaccinateResponse, reference: str, consent: Consent
               ) -> SentCertificate:
    """What "send again" needs of a dose just recorded."""
    from api_client.client import Consent as ConsentType

    ending = (done.certificate_sent_to or done.beneficiary.mobile_number)[-4:]
    bare = ConsentType(consent.token, frozenset({reference}), consent.expires_at, ())
    return SentCertificate(done.vaccination_id, reference, bare, ending)


def can_resend(api: ApiClient, sent: SentCertificate | None) -> bool:
    return sent is not None and api.consent_seconds_left(sent.consent) > 0


async def resend(api: ApiClient, sent: SentCertificate | None) -> str:
    """Ask the registry to send the certificate again; what happened, in words."""
    if sent is None:
        return "No dose recorded just now: nothing to send again."
    if not can_resend(api, sent):
        return ("The beneficiary's consent has ended: the certificate can no longer be sent "
                "again from here. They can download it from the portal.")
    try:
        done = await api.resend_certificate(sent.vaccination_id, sent.reference, sent.consent)
    except e.ResendLimited as limited:
        return limited.message
    except (e.ConsentExpired, e.ConsentScope):
        return ("The beneficiary's consent has ended: the certificate can no longer be sent "
                "again from here. They can download it from the portal.")
    left = ("" if done.sends_left else " That was the last resend this hour.")
    return f"Sent again to the mobile ending {done.sent_to[-4:]}.{left}"
