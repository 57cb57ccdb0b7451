"""Vials: how long an opened vial may be used, and a session's wastage from vials opened.

One home for both the registry's check (the mock refuses an impossible count) and the app's
preview (the closing screen shows the same figures before anything is sent). Sources are in
`cowin-reference.md` §8; each row of the table names its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class OpenVialRule:
    product: str
    limit: timedelta  # from opening to the last dose drawn from the vial
    source: str


CAMPAIGN_LIMIT = timedelta(hours=4)
# The open-vial limit by product. The 2021 campaign's rule was "use or discard within 4 hours
# of opening"; Covaxin alone was later approved for a 28-day multi-dose vial policy at 2-8 °C.
OPEN_VIAL_RULES: dict[str, OpenVialRule] = {r.product: r for r in (
    OpenVialRule("COVISHIELD", CAMPAIGN_LIMIT,
                 "4 h after opening: 2021 campaign guidance (Hindustan Times, 19 Jan 2021)"),
    OpenVialRule("COVAXIN", timedelta(days=28),
                 "28 days at 2-8 °C: multi-dose vial policy approved Dec 2021 (Bharat "
                 "Biotech statement, 20 Dec 2021); 4 h before that"),
    OpenVialRule("CORBEVAX", CAMPAIGN_LIMIT,
                 "4 h: the campaign's rule; no product-specific policy confirmed"),
)}


def open_vial_limit(product: str) -> timedelta:
    """The product's limit; a product without a row gets the campaign's 4 hours."""
    rule = OPEN_VIAL_RULES.get(product)
    return rule.limit if rule else CAMPAIGN_LIMIT


def limit_words(limit: timedelta) -> str:
    if limit >= timedelta(days=1):
        return f"{limit.days} days"
    return f"{int(limit.total_seconds() // 3600)} hours"


@dataclass(frozen=True)
class BatchCount:
    batch: str
    vials_opened: int
    doses_per_vial: int
    doses_recorded: int

    @property
    def doses_in_vials(self) -> int:
        return self.vials_opened * self.doses_per_vial

    @property
    def wasted(self) -> int:
        return max(self.doses_in_vials - self.doses_recorded, 0)

    @property
    def possible(self) -> bool:
        """The vials cannot have held fewer doses than were recorded from them."""
        return self.doses_in_vials >= self.doses_recorded

    @property
    def allowance(self) -> int:
        """Wastage no one could avoid: what was left in the last vial opened (its doses less
        one) once the session ended or the vial passed its open-vial limit."""
        return self.doses_per_vial - 1 if self.vials_opened else 0


@dataclass(frozen=True)
class Wastage:
    batches: tuple[BatchCount, ...]

    @property
    def doses_recorded(self) -> int:
        return sum(b.doses_recorded for b in self.batches)

    @property
    def doses_in_vials(self) -> int:
        return sum(b.doses_in_vials for b in self.batches)

    @property
    def wasted(self) -> int:
        return sum(b.wasted for b in self.batches)

    @property
    def percent(self) -> float:
        """Wasted doses as a share of the doses the vials held, to one decimal."""
        held = self.doses_in_vials
        return round(100 * self.wasted / held, 1) if held else 0.0

    @property
    def impossible(self) -> list[BatchCount]:
        return [b for b in self.batches if not b.possible]

    @property
    def beyond_allowance(self) -> bool:
        """More wasted than the open-vial allowance: the registry asks why."""
        return any(b.wasted > b.allowance for b in self.batches)


def wastage(vials: Mapping[str, int], doses_per_vial: Mapping[str, int],
            recorded: Mapping[str, int]) -> Wastage:
    """The session's count, a batch a row: every batch stocked or recorded from; a batch
    with no vial count opened none."""
    batches = [*doses_per_vial, *(b for b in recorded if b not in doses_per_vial)]
    return Wastage(tuple(
        BatchCount(b, vials.get(b, 0), doses_per_vial.get(b, 0), recorded.get(b, 0))
        for b in batches))
