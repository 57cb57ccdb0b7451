"""Build the real app against the in-process mock, with a fixed clock and no blinking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import httpx
from textual.pilot import Pilot

from api_client.client import ApiClient, TraceEvent
from api_client.mock import FixedClock, MockConfig, Registry, create_app
from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from vaxterm.app import VaxtermApp
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore
from vaxterm.settings import Settings


@dataclass
class Rig:
    app: VaxtermApp
    registry: Registry
    clock: FixedClock
    keyring: MemoryKeyring = field(default_factory=MemoryKeyring)


def build(*, training: bool = True, config: MockConfig | None = None,
          settings: Settings | None = None, keyring: MemoryKeyring | None = None,
          trace: Callable[[TraceEvent], None] | None = None) -> Rig:
    clock = FixedClock()
    mock = create_app(clock, config)
    api = ApiClient("http://mock.invalid/api/v2", transport=httpx.ASGITransport(app=mock),
                    clock=lambda: clock.now().timestamp(), trace=trace)
    keyring = keyring or MemoryKeyring()
    store = CredentialStore("training", ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, keyring)
    settings = settings or Settings()
    if settings.login.username == "":
        settings = replace(settings, login=replace(settings.login, username="demo.north1"))
    app = VaxtermApp(lambda: api, settings, training=training, clock=clock.now,
                     credentials=store, blink=False)
    app.animation_level = "none"
    return Rig(app, mock.state.registry, clock, keyring)


async def settle(pilot: Pilot[object], limit: float = 5.0) -> None:
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


async def login(pilot: Pilot[object], rig: Rig, username: str = "demo.north1",
                password: str = "Train@2026") -> None:
    screen = pilot.app.screen
    screen.query_one("#username").value = username  # type: ignore[attr-defined]
    screen.query_one("#password").value = password  # type: ignore[attr-defined]
    screen.query_one("#code").value = rig.registry.current_code(username)  # type: ignore[attr-defined]
    screen.query_one("#code").focus()
    await pilot.press("enter")
    await settle(pilot)
