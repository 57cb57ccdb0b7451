"""Memory over one long session: RSS after 0, 100, 200 and 300 doses through the real app.

    python benchmarks/memory.py [--doses 300]

Runs the real App headless (Textual's Pilot) against the in-process mock with a fixed clock,
and drives each dose as a vaccinator does: search a reference ID, type the OTP, Enter on the
person, type the last 4 of the photo ID, review, confirm, back at Search. Each person is
vaccinated once: everyone the COVISHIELD session may give a dose today (dose 1 for adults never
vaccinated, dose 2, precaution). The mock's search limit and bulk-search alert are raised
through `MockConfig`, as a training room with one busy desk would; nothing else is changed.

Every reading follows `gc.collect()` and reads VmRSS from /proc/self/status (the resident set
now, not the peak). The mock registry shares the process, so its state (stored doses, audit
trail, SMS inbox, consents: legitimate server-side growth) is measured on its own, by walking
it, and the client's share is the rest. Goal: the whole process grows <= 0.05 MB per dose
after the first 20 (fitted over a reading every 20 doses).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.widget import Widget
from textual.widgets._footer import FooterKey

from api_client.mock import MockConfig
from api_client.mock.population import Person
from api_client.rules import GivenDose, check_dose, next_due
from tests.support import flow
from tests.support.app import Rig, build

VACCINE = "COVISHIELD"
WARM_UP = 20  # doses before the slope is measured: first screens, caches, fonts of the stack
EVERY = 20  # a reading every so many doses, for the fitted slope
GOAL = 0.05  # MB per dose
SHOWN = (0, WARM_UP, 100, 200, 300)

# One desk working all day: no search ceiling, no bulk-search alert for the run.
CONFIG = MockConfig(search_limit=10**9, bulk_alert_distinct=10**9)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def deep_size(root: object) -> int:
    """Bytes held by `root` and everything it reaches (containers, dataclasses, structs)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(_parts(obj))
    return total


def _parts(obj: object) -> Iterator[object]:
    if isinstance(obj, dict):
        yield from obj.keys()
        yield from obj.values()
    elif isinstance(obj, list | tuple | set | frozenset | deque):
        yield from obj
    if hasattr(obj, "__dict__"):
        yield vars(obj)
    for name in getattr(type(obj), "__slots__", ()):
        if hasattr(obj, name):
            yield getattr(obj, name)


@dataclass
class Reading:
    doses: int
    rss: float  # MB, the whole process
    server: float  # MB, the mock registry's state
    widgets: int
    detached: int  # widgets no longer in any screen but still alive
    footer_keys: int
    tasks: int
    workers: int


def read(rig: Rig, doses: int) -> Reading:
    gc.collect()
    widgets = [o for o in gc.get_objects() if isinstance(o, Widget)]
    reading = Reading(
        doses=doses, rss=rss_mb(), server=deep_size(rig.registry.state) / 2**20,
        widgets=len(widgets), detached=sum(not w.is_attached for w in widgets),
        footer_keys=sum(isinstance(w, FooterKey) for w in widgets),
        tasks=len(asyncio.all_tasks()), workers=len(rig.app.workers))
    del widgets
    return reading


def due_today(rig: Rig) -> list[str]:
    """Reference IDs of everyone the session may vaccinate today, in registry order."""
    today = rig.clock.now().date()

    def allowed(person: Person) -> bool:
        history = [GivenDose(d.dose, d.vaccine, d.given_on, d.is_precaution)
                   for d in person.doses]
        due = next_due(history, person.birth_year, today)
        return bool(due.dose) and check_dose(history, person.birth_year, VACCINE, due.dose,
                                             today).allowed

    return [ref for ref, person in rig.registry.state.people.items() if allowed(person)]


def slope(points: list[Reading], attr: str) -> float:
    """Least-squares MB per dose."""
    xs = [p.doses for p in points]
    ys = [getattr(p, attr) for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return (sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
            / sum((x - mx) ** 2 for x in xs))


async def run(doses: int) -> list[Reading]:
    rig = build(config=CONFIG)
    people = due_today(rig)
    if len(people) < doses:
        raise SystemExit(f"only {len(people)} people are due today; ask for fewer doses")
    readings: list[Reading] = []
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.signed_in(pilot, rig, vaccine=VACCINE)
        readings.append(read(rig, 0))
        for done, reference in enumerate(people[:doses], start=1):
            person = rig.registry.state.people[reference]
            before = len(person.doses)
            await flow.consented(pilot, rig, reference)
            await flow.id_checked(pilot, rig)
            await flow.recorded(pilot)
            assert flow.screen_name(pilot) == "SearchScreen", flow.screen_name(pilot)
            assert len(person.doses) == before + 1, f"dose {done} was not recorded"
            if done % EVERY == 0 or done == doses:
                readings.append(read(rig, done))
                print(f"  {done} doses, {readings[-1].rss:.1f} MB", file=sys.stderr, flush=True)
    return readings


def report(readings: list[Reading]) -> None:
    print(f"Memory over one session: {readings[-1].doses} doses through the real app "
          f"(in-process mock, {VACCINE} session)")
    print(f"{'doses':>5}  {'RSS MB':>7}  {'MB/dose':>7}  {'server MB':>9}  "
          f"{'client MB':>9}  {'widgets':>7}  {'detached':>8}  {'FooterKey':>9}  "
          f"{'tasks':>5}  {'workers':>7}")
    previous: Reading | None = None
    for r in readings:
        if r.doses not in SHOWN and r is not readings[-1]:
            continue
        growth = f"{(r.rss - previous.rss) / (r.doses - previous.doses):7.3f}" \
            if previous else f"{'':7}"
        print(f"{r.doses:5d}  {r.rss:7.1f}  {growth}  {r.server:9.2f}  "
              f"{r.rss - r.server:9.1f}  {r.widgets:7d}  {r.detached:8d}  "
              f"{r.footer_keys:9d}  {r.tasks:5d}  {r.workers:7d}")
        previous = r
    after = [r for r in readings if r.doses >= WARM_UP]
    if len(after) < 2:
        return
    whole, server = slope(after, "rss"), slope(after, "server")
    verdict = "meets" if whole <= GOAL else "misses"
    print(f"slope after {WARM_UP} doses (least squares, a reading every {EVERY}): "
          f"{whole:.3f} MB/dose for the process ({verdict} the goal <= {GOAL}), "
          f"of which the mock registry's stored records {server:.3f}, "
          f"the client about {whole - server:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doses", type=int, default=300)
    args = parser.parse_args()
    if not 1 <= args.doses <= 800:
        parser.error("--doses must be between 1 and 800")
    report(asyncio.run(run(args.doses)))


if __name__ == "__main__":
    main()
