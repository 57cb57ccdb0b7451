"""Leak paths closed in the app itself: crash reports and the clipboard."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from api_client.mock import MockConfig
from tests.support import flow
from tests.support.app import build, settle

pytestmark = pytest.mark.anyio
CANARY = "ZZCANARY-NAME-7731"


async def test_a_crash_prints_a_reference_not_the_data(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    rig = build()
    with pytest.raises(ValueError):  # run_test hands the crash to the test as well
        async with rig.app.run_test(size=(100, 30)) as pilot:
            await flow.signed_in(pilot, rig)
            await flow.consented(pilot, rig, "9000000002")

            def explode() -> None:
                person_name = CANARY  # a local, as Textual's traceback would show it
                raise ValueError(f"bad record for {person_name}")

            pilot.app.screen.call_later(explode)
            await pilot.pause()
            await pilot.pause()
    assert rig.app.return_code == 1
    printed = capsys.readouterr().err
    assert "vaxterm stopped after an unexpected ValueError" in printed
    assert "Tell support the reference" in printed
    assert CANARY not in printed and "Bhavna" not in printed
    assert rig.app.desk.person is None and rig.app.desk.consent is None


async def test_nothing_is_copied_to_the_clipboard_outside_training() -> None:
    rig = build(training=False, config=MockConfig(environment="production"))
    async with rig.app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        field = pilot.app.screen.query_one("#username", Input)
        field.value = "9000000002"
        field.focus()
        await pilot.press("ctrl+shift+a", "ctrl+c")
        await settle(pilot)
        assert pilot.app.clipboard == ""
        assert any("Copying is switched off" in n.message for n in pilot.app._notifications)


async def test_training_may_copy_synthetic_data() -> None:
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        pilot.app.copy_to_clipboard("demo.north1")
        assert pilot.app.clipboard == "demo.north1"
