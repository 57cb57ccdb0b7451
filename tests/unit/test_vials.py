"""The open-vial rules table and the wastage count (shared by the registry and the app)."""

from __future__ import annotations

from datetime import timedelta

from api_client.vials import OPEN_VIAL_RULES, open_vial_limit, wastage
from vaxterm.session_close import problems, read_vials, request


def test_open_vial_limits_and_their_sources() -> None:
    assert open_vial_limit("COVISHIELD") == timedelta(hours=4)
    assert open_vial_limit("COVAXIN") == timedelta(days=28)
    assert open_vial_limit("SPUTNIK V") == timedelta(hours=4)  # no row: the campaign's rule
    assert all(rule.source for rule in OPEN_VIAL_RULES.values())


def test_wastage_counts_each_batch_by_its_own_vial_size() -> None:
    count = wastage({"A": 1, "B": 2}, {"A": 20, "B": 10}, {"A": 18, "B": 15})
    assert (count.doses_in_vials, count.doses_recorded, count.wasted) == (40, 33, 7)
    assert count.percent == 17.5
    assert not count.beyond_allowance and not count.impossible


def test_a_whole_vial_wasted_is_beyond_the_allowance() -> None:
    count = wastage({"A": 2}, {"A": 10}, {"A": 10})
    assert count.beyond_allowance
    assert "choose at least one reason" in problems(count, [])
    assert problems(count, ["cold chain failure"]) == ""


def test_fewer_doses_held_than_recorded_is_impossible() -> None:
    count = wastage({}, {"A": 10}, {"A": 1})
    assert [b.batch for b in count.impossible] == ["A"]
    assert "Count the vials again" in problems(count, ["cold chain failure"])


def test_nothing_opened_nothing_wasted() -> None:
    count = wastage({}, {"A": 10}, {})
    assert (count.wasted, count.percent, count.beyond_allowance) == (0, 0.0, False)


def test_typed_vials() -> None:
    assert read_vials({"A": "", "B": "3"}) == ({"A": 0, "B": 3}, "")
    assert read_vials({"A": "x"})[1] == "Vials for A: type a whole number."
    # A batch with no vial opened is left out of the request: it opened none.
    assert [v.vaccine_batch for v in request({"A": 0, "B": 3}, []).vials] == ["B"]


def test_a_vial_opens_with_the_first_dose_and_again_when_used_up() -> None:
    from datetime import datetime

    from vaxterm.batches import SessionBatches

    t0 = datetime(2026, 11, 28, 9, 0)
    used = SessionBatches()
    assert "opens with this dose" in used.vial_note("COVISHIELD", "A", 2, t0)[0]
    used.dose_recorded("A", 2, t0)
    assert used.vial_note("COVISHIELD", "A", 2, t0 + timedelta(hours=3)) == (
        "Open vial of A: opened at 09:00, 1 of 2 doses left; usable for 4 hours.", False)
    assert used.vial_note("COVISHIELD", "A", 2, t0 + timedelta(hours=5))[1]
    assert not used.vial_note("COVAXIN", "A", 2, t0 + timedelta(hours=5))[1]  # 28 days
    used.dose_recorded("A", 2, t0 + timedelta(hours=1))
    later = t0 + timedelta(hours=2)
    used.dose_recorded("A", 2, later)  # the vial was used up: this dose opened a new one
    assert used.opened["A"] == later and used.drawn["A"] == 1
    used.finish("A")
    assert (used.finished, used.chosen) == ({"A"}, "")
