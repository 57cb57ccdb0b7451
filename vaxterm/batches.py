"""The session's batches as the vaccinator uses them, held in memory for the login: the
batch chosen last (the next form starts on it), batches marked finished, and the vial open
now of each batch, to warn when it passes its open-vial limit.

A vial's opening is taken as the first dose recorded from it: the batch's first dose in
this session, and again after as many doses as the vial holds. A vaccinator who opens a
new vial earlier (one broken, one past its limit) says so with a key on the form. This is
kept on this computer only and sent nowhere: the registry learns of vials at the close.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from api_client.vials import limit_words, open_vial_limit


@dataclass
class SessionBatches:
    chosen: str = ""
    finished: set[str] = field(default_factory=set)
    opened: dict[str, datetime] = field(default_factory=dict)  # the vial open now
    drawn: dict[str, int] = field(default_factory=dict)  # doses recorded from it

    def choose(self, batch: str) -> None:
        self.chosen = batch

    def finish(self, batch: str) -> None:
        """No more doses from this batch in this session (its stock is used up)."""
        self.finished.add(batch)
        self.opened.pop(batch, None)
        self.drawn.pop(batch, None)
        if self.chosen == batch:
            self.chosen = ""

    def new_vial(self, batch: str, now: datetime) -> None:
        self.opened[batch] = now
        self.drawn[batch] = 0

    def dose_recorded(self, batch: str, doses_per_vial: int, now: datetime) -> None:
        """A dose came from the open vial; the first dose, or one after the vial was used
        up, opens a new one."""
        if batch not in self.opened or self.drawn.get(batch, 0) >= doses_per_vial:
            self.new_vial(batch, now)
        self.drawn[batch] = self.drawn.get(batch, 0) + 1
        self.chosen = batch

    def vial_note(self, product: str, batch: str, doses_per_vial: int, now: datetime
                  ) -> tuple[str, bool]:
        """What the form says about the batch's open vial, and whether it is a warning."""
        opened = self.opened.get(batch)
        drawn = self.drawn.get(batch, 0)
        if opened is None or drawn >= doses_per_vial:
            return f"A new vial of {batch} ({doses_per_vial} doses) opens with this dose.", False
        limit = open_vial_limit(product)
        at = opened.strftime("%H:%M") if now - opened < timedelta(days=1) else (
            opened.strftime("%d-%m %H:%M"))
        if now - opened > limit:
            return (f"The open vial of {batch} was opened at {at}, more than "
                    f"{limit_words(limit)} ago ({product}'s open-vial limit): discard it, open "
                    "a new vial and press F7.", True)
        return (f"Open vial of {batch}: opened at {at}, {doses_per_vial - drawn} of "
                f"{doses_per_vial} doses left; usable for {limit_words(limit)}.", False)
