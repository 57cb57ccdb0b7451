"""Leak paths closed in the app itself: crash reports and the clipboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList
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


@pytest.mark.parametrize("training", [True, False], ids=["training", "production"])
async def test_no_command_writes_the_screen_to_disk(training: bool, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the palette nor an action saves a screenshot; wherever Textual would have
    put one (the working directory, the Downloads folder under HOME), nothing appears."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    rig = build(training=training, config=None if training else MockConfig(
        environment="production"))
    async with rig.app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        if training:
            await flow.signed_in(pilot, rig)
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert titles and not [t for t in titles if "screenshot" in t.lower()]
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"screenshot")
        await pilot.pause(0.5)
        offered = pilot.app.screen.query_one(CommandList)
        prompts = [str(offered.get_option_at_index(i).prompt)
                   for i in range(offered.option_count)]
        assert not [p for p in prompts if "screenshot" in p.lower()], prompts
        await pilot.press("escape")
        await pilot.app.run_action("screenshot")
        pilot.app.deliver_screenshot()
        await settle(pilot)
        assert any("Screenshots are switched off" in n.message
                   for n in pilot.app._notifications)
    assert files_under(tmp_path) == []


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]
