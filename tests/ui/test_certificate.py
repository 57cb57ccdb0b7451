"""Pilot flows of the certificate: after a dose the app names the mobile it went to, never
the certificate; F5 on Search sends it again while the consent lasts, until the registry's
hourly limit, which is said in words."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.support import flow
from tests.support.app import build, settle, until
from tests.ui.test_keys_that_work import screen_text

pytestmark = pytest.mark.anyio
SIZE = (80, 24)


async def test_the_certificate_line_and_send_again_until_the_limit() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"
        assert ("Certificate sent to the mobile ending 0002. F5 sends it again"
                in flow.text(pilot, "#certificate"))
        [(_, first)] = rig.registry.state.certificates
        number = first.link.rsplit("/", 1)[-1]
        assert number not in screen_text(pilot)
        assert all(number not in n.message for n in pilot.app._notifications)
        # The footer offers it, and still fits 80 columns.
        keys = list(pilot.app.screen.query(FooterKey))
        assert "f5" in [k.key for k in keys]
        palette = next(k for k in keys if k.has_class("-command-palette"))
        assert all(k.region.right <= palette.region.x for k in keys if k is not palette)
        for _ in range(3):
            await pilot.press("f5")
            await settle(pilot)
        assert len(rig.registry.state.certificates) == 4
        assert "That was the last resend this hour." in flow.text(pilot, "#certificate")
        await pilot.press("f5")
        await settle(pilot)
        assert len(rig.registry.state.certificates) == 4
        assert "sent again 3 times this hour" in flow.text(pilot, "#certificate")


async def test_no_send_again_once_the_consent_has_ended() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        rig.clock.advance(minutes=11)  # the consent's 10 minutes are over
        # Search's one-second tick
        await until(pilot, lambda: not pilot.app.screen.query_one("#certificate").display)
        await settle(pilot)
        assert "f5" not in [k.key for k in pilot.app.screen.query(FooterKey)]
        await pilot.press("f5")
        await settle(pilot)
        assert len(rig.registry.state.certificates) == 1


async def test_the_next_search_ends_send_again_for_the_last_person() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        await flow.searched(pilot, "9000000001")
        assert rig.app.desk.certificate is None
