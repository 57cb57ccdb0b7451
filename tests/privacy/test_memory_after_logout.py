"""Sign-out and exit drop every token and every beneficiary object, and a finished person
leaves nothing behind for the next: no screen, worker or cache of the app (Textual's and
Rich's included) still reaches their data."""

from __future__ import annotations

import pytest

from api_client import models as m
from api_client.client import Consent
from tests.support import flow
from tests.support.app import Rig, build, settle
from tests.support.heap import collect, holding
from vaxterm.dose_form import DoseDraft

pytestmark = pytest.mark.anyio
MOBILE = "9000000002"
PERSONAL_TYPES = (m.Beneficiary, m.BeneficiarySummary, Consent, DoseDraft)


def the_persons(rig: Rig) -> list[str]:
    """Every personal value of the person at the desk, and their consent token, read while
    the app holds them."""
    desk = rig.app.desk
    assert desk.consent is not None and desk.person is not None
    people = desk.consent.beneficiaries
    return [MOBILE, flow.latest_otp(rig), desk.consent.token.reveal(),
            *(p.name for p in people), *(p.beneficiary_reference_id for p in people)]


def seen_in_session(rig: Rig) -> list[str]:
    """The person's values and the vaccinator's login token."""
    token = rig.app.api._token
    assert token is not None
    return [*the_persons(rig), token.reveal()]


async def test_sign_out_leaves_nothing_of_the_person_or_the_tokens() -> None:
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.at_dose_form(pilot, rig, MOBILE)
        secrets = seen_in_session(rig)
        collect()
        held = holding(rig.app, secrets, PERSONAL_TYPES)
        assert held, "the scan must see the data while the form is open"
        await flow.recorded(pilot)
        await pilot.press("ctrl+l")  # sign out, from Search
        await settle(pilot)
        assert flow.screen_name(pilot) == "LoginScreen"
        collect()
        assert holding(rig.app, secrets, PERSONAL_TYPES) == []
    assert told_the_server(rig)


def told_the_server(rig: Rig) -> bool:
    """The registry heard the logout, so the token is dead there too."""
    return [a.action for a in rig.registry.state.audit][-1:] == ["logout"]


async def test_the_next_person_starts_clean() -> None:
    """Back at Search after a dose, "send the certificate again" holds the dose's reference
    and the consent token, nothing else of the person (no name, mobile or OTP), until the
    next search starts; from then on nothing of them is reachable."""
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.at_dose_form(pilot, rig, MOBILE)
        secrets = the_persons(rig)  # the login stays: the vaccinator goes on
        names = [p.name for p in rig.app.desk.consent.beneficiaries]  # type: ignore[union-attr]
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        collect()
        held = holding(rig.app, secrets, PERSONAL_TYPES)
        assert held and all("SentCertificate" in path for path in held), held
        assert holding(rig.app, [MOBILE, flow.latest_otp(rig), *names], ()) == []
        await flow.type_into(pilot, "#query", "9000000001")  # the next person
        await settle(pilot)
        collect()
        assert holding(rig.app, secrets, PERSONAL_TYPES) == []


async def test_exit_leaves_nothing_either() -> None:
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.at_dose_form(pilot, rig, MOBILE)
        secrets = seen_in_session(rig)
        await pilot.press("ctrl+q")  # quit in the middle of the form
    collect()
    assert holding(rig.app, secrets, PERSONAL_TYPES) == []
    assert told_the_server(rig)


async def test_the_password_is_not_held_once_signed_in() -> None:
    """The login worker that was given the password must not stay reachable: screens it
    opened used to copy its context, and kept it (and the password) all session."""
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.signed_in(pilot, rig)
        await pilot.pause()
        collect()
        assert holding(rig.app, ["Train@2026"], ()) == []
