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
