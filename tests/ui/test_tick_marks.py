"""Every box to tick shows, in its glyph and not only its colour, whether it is ticked:
Textual draws the same X either way (lost on a monochrome terminal or a faint theme)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import SelectionList

from tests.snapshots import test_screens as states
from tests.support.app import build, settle
from tests.ui.test_keys_that_work import screen_text

pytestmark = pytest.mark.anyio


def box_lines(pilot: Pilot[Any], prompts: list[str]) -> dict[str, str]:
    text = screen_text(pilot).splitlines()
    return {p: next(line for line in text if p in line) for p in prompts}


async def test_screening_boxes_show_which_are_ticked() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await states.screening(pilot, rig)
        answers = pilot.app.screen.query_one("#answers", SelectionList)
        prompts = [str(answers.get_option_at_index(i).prompt) for i in range(2)]
        answers.select(answers.get_option_at_index(1).value)
        await settle(pilot)
        lines = box_lines(pilot, prompts)
        assert "▐ ▌" in lines[prompts[0]] and "✓" not in lines[prompts[0]]
        assert "▐✓▌" in lines[prompts[1]]
        assert not any("▐X▌" in line for line in lines.values())


async def test_wastage_reasons_show_which_are_ticked() -> None:
    rig = build()
    async with rig.app.run_test(size=(80, 24)) as pilot:
        await states.session_close(pilot, rig)
        reasons = pilot.app.screen.query_one("#reasons", SelectionList)
        prompts = [str(reasons.get_option_at_index(i).prompt) for i in range(reasons.option_count)]
        lines = box_lines(pilot, prompts)
        assert all("▐ ▌" in line for line in lines.values()), lines
        assert not any("▐X▌" in line for line in lines.values())
