from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.registry import MockWorld, mock_world

# Properties are about what is found, not how fast: a loaded machine must not fail a test
# by the clock (Hypothesis's default 200 ms deadline, its "too slow" check).
settings.register_profile("vaxterm", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("vaxterm")

# The mock draws new codes and references on every start unless a seed is asked for; the
# suite asks, so snapshots and expected values repeat (servers started by module fixtures,
# before the per-test environment below, inherit it too).
TEST_SEED = "20210116"
os.environ["VAXTERM_MOCK_SEED"] = TEST_SEED


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's config or writes outside its own folder."""
    import os

    from vaxterm.tui import TEXTUAL_LEAKS

    for name in list(os.environ):
        if name.startswith("VAXTERM_") or name in TEXTUAL_LEAKS:
            monkeypatch.delenv(name)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("VAXTERM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VAXTERM_LOG_DIR", str(tmp_path / "logs"))  # the support log is always on
    monkeypatch.setenv("VAXTERM_MOCK_SEED", TEST_SEED)


@pytest.fixture
async def world() -> AsyncIterator[MockWorld]:
    async with mock_world() as w:
        yield w
