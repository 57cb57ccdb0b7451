"""Keystrokes from Search to a recorded dose for a due beneficiary, beyond the typed data.

    python benchmarks/keystrokes.py

Drives the real app (in-process mock, fixed clock) with one key press per keystroke: the
mobile number, the beneficiary's OTP and the last 4 digits of the photo ID are typed data;
every other key is counted. Goal: at most 7 (6 before the screening step).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import flow
from tests.support.app import build, settle


async def run() -> None:
    rig = build()
    counted: list[str] = []
    typed: list[str] = []
    async with rig.app.run_test(size=(100, 30)) as pilot:

        async def data(text: str) -> None:
            typed.extend(text)
            await pilot.press(*text)

        async def key(name: str) -> None:
            counted.append(name)
            await pilot.press(name)
            await settle(pilot)

        await flow.signed_in(pilot, rig)
        assert flow.screen_name(pilot) == "SearchScreen"
        await data("9000000002")
        await key("enter")
        await data(flow.latest_otp(rig))
        await key("enter")
        await key("enter")  # the one person on the mobile: check their photo ID
        person = rig.registry.state.people["99990000000002"]
        await data(person.photo_id_last4)
        await key("enter")
        await key("n")  # screening: none of these
        await key("enter")  # review
        await key("enter")  # confirm
        assert flow.screen_name(pilot) == "SearchScreen"
        assert [d.dose for d in person.doses] == [1, 2], "the dose was recorded"
    print("Search to recorded dose (dose 2 due, one person on the mobile)")
    print(f"  typed data:            {len(typed)} characters (mobile, OTP, last 4 of the ID)")
    print(f"  keystrokes beyond it:  {len(counted)}  ({', '.join(counted)})  goal <= 7")


if __name__ == "__main__":
    asyncio.run(run())
