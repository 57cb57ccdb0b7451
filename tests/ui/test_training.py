"""Trainer mode: every scenario shows the production message a vaccinator will meet; the app
runs with no socket at all; a remote server earns the TRAINING banner or is refused."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Input, OptionList, TabbedContent

from api_client import models as m
from api_client.client import ApiClient
from api_client.mock import FixedClock, MockConfig, create_app
from screens.app import VaxtermApp
from tests.support import flow
from tests.support.app import build, settle, until
from vaxterm.scenarios import BY_KEY, SCENARIOS
from vaxterm.settings import Settings

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def choose_scenario(pilot: Any, key: str) -> None:
    await pilot.press("f12")
    await settle(pilot)
    options = pilot.app.screen.query_one("#scenarios", OptionList)
    options.highlighted = [s.key for s in SCENARIOS].index(key)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()


async def test_every_scenario_is_offered_in_the_panel_and_the_palette() -> None:
    from textual.app import SystemCommand

    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)
                  if isinstance(c, SystemCommand)}
        assert {f"Scenario: {s.title}" for s in SCENARIOS} <= titles
        await pilot.press("f12")
        await settle(pilot)
        assert pilot.app.screen.query_one("#scenarios", OptionList).option_count == len(
            SCENARIOS)


@pytest.mark.parametrize("key", ["down", "flaky"])
async def test_server_trouble_shows_the_production_message(key: str) -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE, notifications=True) as pilot:
        await flow.signed_in(pilot, rig)
        await choose_scenario(pilot, key)
        assert rig.registry.state.faults == BY_KEY[key].faults
        seen = set()
        for _ in range(6):  # the flaky network fails about one request in three
            await flow.type_into(pilot, "#query", "9000000002")
            if flow.screen_name(pilot) != "SearchScreen":
                await pilot.press("escape")
                await settle(pilot)
            else:
                seen.add(flow.text(pilot, "#reads").split(" (ref ")[0])
        expected = {"down": "The registry is unavailable just now. Try again in a minute.",
                    "flaky": "The registry had a problem. Try again in a moment."}[key]
        assert expected in seen


async def test_slow_network_still_works() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await choose_scenario(pilot, "slow")
        # The same fault, shortened so the test stays quick.
        rig.registry.state.faults = m.Faults(latency_ms=1500)  # wide: a loaded CI is slow
        await flow.type_into(pilot, "#query", "9000000002", submit=False)
        await pilot.press("enter")
        await until(pilot, lambda: flow.text(pilot, "#reads") == "Sending the OTP…")
        await settle(pilot)
        assert flow.screen_name(pilot) == "BeneficiaryOtpScreen"


async def test_rate_limited_counts_down() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await choose_scenario(pilot, "rate")
        await flow.type_into(pilot, "#query", "9000000002")
        assert flow.text(pilot, "#reads").startswith("Too many searches. Search again in")


async def test_login_about_to_expire_asks_to_sign_in_again() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_scenario(pilot, "expiring")
        await flow.signed_in(pilot, rig)
        rig.clock.advance(minutes=3)  # a pause longer than the short login
        await flow.type_into(pilot, "#query", "9000000002")
        assert flow.screen_name(pilot) == "ReauthModal"


async def test_reset_restores_the_population_and_ends_logins() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        pristine = rig.registry.fingerprint()
        await flow.at_dose_form(pilot, rig, "9000000002")
        await flow.recorded(pilot)
        assert rig.registry.fingerprint() != pristine
        await choose_scenario(pilot, "reset")
        assert flow.screen_name(pilot) == "ResetConfirm"  # asked first
        await pilot.click("#confirm")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        assert rig.registry.fingerprint() == pristine
        await flow.type_into(pilot, "#query", "9000000002")
        assert flow.screen_name(pilot) == "ReauthModal"


async def test_panel_shows_inbox_accounts_mobiles_and_accesses() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, "9000000002")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f12")
        await settle(pilot)
        panel = pilot.app.screen
        assert panel.query_one("#sms", DataTable).row_count == 1
        assert panel.query_one("#accounts", DataTable).row_count == 4
        assert panel.query_one("#mobiles", DataTable).row_count == 15  # 4 for walk-ins
        actions = [str(panel.query_one("#audit", DataTable).get_row_at(i)[1])
                   for i in range(panel.query_one("#audit", DataTable).row_count)]
        assert actions[:3] == ["view", "consent", "search"]
        panel.query_one(TabbedContent).active = "tab-audit"
        await pilot.press("f12")
        await settle(pilot)
        assert flow.screen_name(pilot) == "SearchScreen"


async def test_the_whole_mock_flow_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """`vaxterm --mock` is offline: with every socket refused, a dose is still recorded."""
    from vaxterm.connection import client_for

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    settings = Settings()
    app = VaxtermApp(lambda: client_for(settings.server, mock=True),
                     replace(settings, login=replace(settings.login, username="demo.north1")),
                     training=True, blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        code = next(a.current_code for a in await app.api.demo_accounts()
                    if a.username == "demo.north1")
        await flow.type_into(pilot, "#password", "Train@2026", submit=False)
        await flow.type_into(pilot, "#code", code)
        await pilot.press("enter")  # first session
        await settle(pilot)
        await flow.type_into(pilot, "#query", "9000000002")
        otp = (await app.api.sms_inbox())[-1].otp
        await flow.type_into(pilot, "#otp", otp)
        await pilot.press("enter")
        await settle(pilot)
        registry = app.api._http._transport.app._app.state.registry  # type: ignore[attr-defined]
        last4 = registry.state.people["99990000000002"].photo_id_last4
        await flow.type_into(pilot, "#last4", last4)
        await flow.screened(pilot)
        await flow.recorded(pilot)
        assert app.desk.doses_recorded == 1


def remote_app(environment: str) -> VaxtermApp:
    """A trainee's app pointed at a room server by plain http; the server answers in process,
    so no traffic leaves this machine."""
    mock = create_app(FixedClock(), MockConfig(environment=environment))
    api = ApiClient("http://10.20.30.40:8080/api/v2", transport=httpx.ASGITransport(app=mock))
    app = VaxtermApp(lambda: api, Settings(), training=False, blink=False)
    app.animation_level = "none"
    return app


async def test_a_training_room_server_over_http_gets_the_banner() -> None:
    app = remote_app("training")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.training
        assert pilot.app.screen.query("TrainingBanner")
        assert pilot.app.screen.query_one("#accounts", DataTable).row_count == 4


async def test_what_is_typed_while_a_training_server_answers_stays_where_it_was_typed() -> None:
    """The demo panel arrives beside the form when /meta says "training"; the form is not
    rebuilt, so the keys typed meanwhile stay in Username and focus stays there."""
    app = remote_app("training")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo.")  # before the server has answered
        await settle(pilot)
        await settle(pilot)
        assert app.training and pilot.app.screen.query("#accounts")
        await pilot.press(*"north1", "enter", *"Train@2026")
        await settle(pilot)
        username = pilot.app.screen.query_one("#username", Input)
        password = pilot.app.screen.query_one("#password", Input)
        assert (username.value, password.value) == ("demo.north1", "Train@2026")
        assert pilot.app.focused is password


async def test_a_production_server_over_http_is_refused_before_any_password() -> None:
    app = remote_app("production")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.training and not pilot.app.screen.query("TrainingBanner")
        assert "not a training server" in flow.text(pilot, "#problem")
        assert pilot.app.screen.query_one("#sign-in").disabled


async def test_normal_restores_service_after_a_fault() -> None:
    rig = build()
    async with rig.app.run_test(size=SIZE) as pilot:
        await flow.signed_in(pilot, rig)
        await choose_scenario(pilot, "down")
        await choose_scenario(pilot, "normal")
        assert rig.registry.state.faults == m.Faults()
        await flow.searched(pilot, "9000000002")
