"""Memory over a session: screens that come and go leave nothing behind on the Search screen,
which lives all session. `benchmarks/memory.py` measures the whole run; this is its guard."""

from __future__ import annotations

import gc

import pytest
from textual.widget import Widget

from tests.support import flow
from tests.support.app import build, settle

pytestmark = pytest.mark.anyio
ROUNDS = 12


def widgets_alive() -> tuple[int, int]:
    """(widgets alive, of which in no screen any more)."""
    gc.collect()
    widgets = [o for o in gc.get_objects() if isinstance(o, Widget)]
    return len(widgets), sum(not w.is_attached for w in widgets)


async def test_closing_a_screen_over_search_leaves_no_widget_behind() -> None:
    # Each close rebuilds the Search footer's keys; Textual 8.2.8's Footer kept every old key
    # (about 15 widgets a dose over a day's session).
    rig = build()
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.signed_in(pilot, rig)

        async def tally_and_back() -> None:
            await pilot.press("f2")
            await settle(pilot)
            assert flow.screen_name(pilot) == "TallyScreen"
            await pilot.press("escape")
            await settle(pilot)
            assert flow.screen_name(pilot) == "SearchScreen"

        await tally_and_back()
        alive, _ = widgets_alive()
        for _ in range(ROUNDS):
            await tally_and_back()
        after, detached = widgets_alive()
        assert after <= alive, f"{after - alive} more widgets alive after {ROUNDS} rounds " \
                               f"({detached} of all are in no screen)"
