"""Facts written once: the mock, the contract and the validators read them from one place,
and a handler is registered where it is written."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

import pytest

from api_client import models as m
from api_client.contract import BY_OPERATION
from api_client.mock import FixedClock, Registry
from api_client.mock.app import _readers, handlers
from api_client.mock.population import ADULT_IDS, MINOR_IDS
from api_client.mock.registry import handles
from api_client.openapi import build
from api_client.rules import (
    PRECAUTION_GAP_AFTER,
    VACCINES,
    Reason,
    age_group,
    min_age,
    primary_vaccines,
)
from tests.support.registry import BASE, MockWorld
from vaxterm.validators import SearchKind, check_reference_id, read_search

pytestmark = pytest.mark.anyio


# --- the reference ID -----------------------------------------------------------------------


def test_one_reference_id_pattern() -> None:
    document = build()
    path = document["paths"][BASE + "/vaccinator/beneficiaries/{beneficiary_reference_id}"]
    (param,) = path["get"]["parameters"][:1]
    assert param["schema"]["pattern"] == m.REFERENCE_ID_PATTERN
    for length in range(10, 17):
        digits = "9" * length
        fits = re.match(m.REFERENCE_ID_PATTERN, digits) is not None
        assert check_reference_id(digits).ok == fits, length
        assert (read_search(digits).kind is SearchKind.REFERENCE_ID) == fits, length


@pytest.mark.parametrize(("reference", "code"), [
    ("999900000000021", "REQVAL0001"),   # 15 digits: not a reference ID
    ("99990000000002", "CONSNT0001"),    # 14: a reference ID, refused for want of consent
])
async def test_the_mock_checks_the_same_pattern(world: MockWorld, reference: str,
                                                code: str) -> None:
    auth = await world.login()
    r = await world.client.get(f"{BASE}/vaccinator/beneficiaries/{reference}", headers=auth)
    assert r.json()["errorCode"] == code


# --- dose rules -------------------------------------------------------------------------------


def test_every_rule_reason_is_a_documented_refusal_of_vaccinate() -> None:
    assert {r.value for r in Reason} <= set(BY_OPERATION["vaccinate"].errors)


async def test_session_age_limits_come_from_the_rules(world: MockWorld) -> None:
    auth = await world.login()
    sessions = (await world.client.get(f"{BASE}/vaccinator/sessions", headers=auth)).json()
    assert sessions["sessions"]
    for session in sessions["sessions"]:
        assert session["min_age_limit"] == min_age(session["vaccine"])


async def test_the_random_population_keeps_the_rules(world: MockWorld) -> None:
    today = world.clock.now().date()
    checked = 0
    for person in world.registry.state.people.values():
        assert person.photo_id_type in m.PHOTO_ID_TYPES
        doses = sorted(person.doses, key=lambda d: d.dose)
        if not doses or person.mobile.startswith("90000000"):
            continue  # the demo situations are documented one by one
        first = doses[0]
        spec = VACCINES[first.vaccine]
        # The product fits the person's age group then or now (a teen may have been 14).
        fits = {age_group(person.birth_year, day) for day in (first.given_on, today)}
        assert any(first.vaccine in primary_vaccines(group) for group in fits)
        for earlier, later in pairwise(doses):
            gap = later.given_on - earlier.given_on
            need = PRECAUTION_GAP_AFTER if later.is_precaution else spec.interval_days
            assert gap >= timedelta(days=need), (first.vaccine, gap)
        checked += 1
    assert checked > 500
    assert set(ADULT_IDS) | set(MINOR_IDS) <= set(m.PHOTO_ID_TYPES)


# --- handlers are registered where they are written ---------------------------------------


def test_every_endpoint_has_exactly_one_handler() -> None:
    served = handlers(Registry(FixedClock()))
    assert set(served) == set(BY_OPERATION)


def test_a_second_handler_for_an_operation_is_refused() -> None:
    class Twice(Registry):
        @handles("meta")
        def meta_again(self) -> m.ServerMeta:
            raise AssertionError

    with pytest.raises(TypeError, match="handled twice"):
        handlers(Twice(FixedClock()))


def test_a_handler_that_does_not_fit_its_contract_row_is_refused_at_start() -> None:
    def wants_a_header_that_does_not_exist(account: object, colour: str) -> None: ...

    def reads_no_body(account: object) -> None: ...

    with pytest.raises(TypeError, match="no request part is called 'colour'"):
        _readers(BY_OPERATION["sessions"], wants_a_header_that_does_not_exist)
    with pytest.raises(TypeError, match="takes a body"):
        _readers(BY_OPERATION["search"], reads_no_body)
