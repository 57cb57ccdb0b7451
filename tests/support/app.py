"""Build the real app against the in-process mock, with a fixed clock and no blinking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import httpx
from textual.pilot import Pilot
from textual.widgets import Input

from api_client import models as m
from api_client.client import ApiClient, Consent, TraceEvent
from api_client.mock import FixedClock, MockConfig, Registry, create_app
from screens.app import VaxtermApp
from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore
from vaxterm.dose_form import DoseDraft
from vaxterm.settings import Settings


@dataclass
class Rig:
    app: VaxtermApp
    registry: Registry
    clock: FixedClock
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)

    # What the app holds at a step the test has reached, typed (None there is a test bug).
    @property
    def person(self) -> m.Beneficiary:
        assert self.app.desk.person is not None, "no person is open"
        return self.app.desk.person

    @property
    def consent(self) -> Consent:
        assert self.app.desk.consent is not None, "no consent is held"
        return self.app.desk.consent

    @property
    def draft(self) -> DoseDraft:
        assert self.app.desk.draft is not None, "no dose form is open"
        return self.app.desk.draft


def build(*, training: bool = True, config: MockConfig | None = None,
          settings: Settings | None = None, keyring: MemoryKeyring | None = None,
          trace: Callable[[TraceEvent], None] | None = None,
          clock: FixedClock | None = None) -> Rig:
    clock = clock or FixedClock()
    mock = create_app(clock, config)
    api = ApiClient("http://mock.invalid/api/v2", transport=httpx.ASGITransport(app=mock),
                    clock=lambda: clock.now().timestamp(), trace=trace)
    keyring = keyring or MemoryKeyring()
    store = CredentialStore.for_server("", mock=True, backend=keyring,
                                       allowed=ENCRYPTED_BACKENDS | {MEMORY_BACKEND})
    settings = settings or Settings()
    if settings.login.username == "":
        settings = replace(settings, login=replace(settings.login, username="demo.north1"))
    app = VaxtermApp(lambda: api, settings, training=training, clock=clock.now,
                     credentials=store, blink=False)
    app.animation_level = "none"
    return Rig(app, mock.state.registry, clock, keyring)


async def settle(pilot: Pilot[object], limit: float = 10.0) -> None:
    """Let the front screen's workers finish and the screen repaint. Workers of screens
    underneath are left alone: they may be waiting on the dialog in front, by design."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        await pilot.pause()
        front = pilot.app.screen
        busy = [w for w in pilot.app.workers if not w.is_finished
                and getattr(w.node, "screen", None) is front]
        if not busy:
            break
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"workers still running: {[w.name for w in busy]}")
        await asyncio.sleep(0.01)
    await pilot.pause()


async def until(pilot: Pilot[object], condition: Callable[[], bool],
                within: float = 10.0) -> None:
    """Wait for what a test is about to check, rather than for a fixed time: a loaded machine
    may take longer than the faults' latency to get there."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {within} s")
        await pilot.pause(0.05)


async def login(pilot: Pilot[object], rig: Rig, username: str = "demo.north1",
                password: str = "Train@2026") -> None:
    screen = pilot.app.screen
    screen.query_one("#username", Input).value = username
    screen.query_one("#password", Input).value = password
    screen.query_one("#code", Input).value = rig.registry.current_code(username)
    screen.query_one("#code", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
