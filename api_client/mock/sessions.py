"""The mock registry's handlers for the end of a session: closing it with its vial count.

A mixin of `Registry` (registry.py), like encounters.py: the same state, clock and audit.
A closed session keeps its count and records no more doses (SESSN0004).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api_client import models as m
from api_client.vials import wastage

if TYPE_CHECKING:
    from datetime import datetime

    from api_client.mock.accounts import Account, SessionPlan
    from api_client.mock.registry import State


class SessionHandlers:
    """Closing a session, and the refusal of doses after it."""

    if TYPE_CHECKING:  # provided by Registry
        state: State

        def now(self) -> datetime: ...
        def _audit(self, vaccinator: str, action: str, reference: str = "", consent: str = "",
                   session_id: str = "", detail: str = "") -> None: ...
        def _own_session(self, account: Account, session_id: str) -> SessionPlan: ...

    def refuse_if_closed(self, account: Account, plan: SessionPlan, reference: str) -> None:
        from api_client.mock.registry import Refusal

        if plan.closure is not None:
            self._audit(account.username, "vaccinate refused", reference,
                        session_id=plan.session_id, detail="session closed")
            raise Refusal("SESSN0004")

    def _recorded_by_batch(self, session_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for person in self.state.people.values():
            for dose in person.doses:
                if dose.session_id == session_id and dose.status == "completed":
                    counts[dose.vaccine_batch] = counts.get(dose.vaccine_batch, 0) + 1
        return counts

    def close_session(self, account: Account, session_id: str, body: m.SessionCloseRequest
                      ) -> m.SessionClosure:
        """Close once, with a count that adds up: every batch's vials held at least the doses
        recorded from it, and wastage beyond the open-vial allowance carries a reason."""
        from api_client.mock.registry import Refusal

        plan = self._own_session(account, session_id)

        def refuse(code: str, why: str) -> Refusal:
            self._audit(account.username, "close session refused", session_id=plan.session_id,
                        detail=why)
            return Refusal(code)

        if plan.closure is not None:
            raise refuse("SESSN0005", "already closed")
        stocked = {b.code: b.doses_per_vial for b in plan.batches}
        named = [v.vaccine_batch for v in body.vials]
        if len(set(named)) != len(named) or not set(named) <= set(stocked):
            raise refuse("SESSN0002", "a batch not stocked, or named twice")
        if len(set(body.wastage_reasons)) != len(body.wastage_reasons):
            raise refuse("REQVAL0001", "a reason named twice")
        count = wastage({v.vaccine_batch: v.vials_opened for v in body.vials}, stocked,
                        self._recorded_by_batch(plan.session_id))
        if count.impossible:
            raise refuse("SESSN0006", "fewer doses in the vials than recorded")
        if count.beyond_allowance and not body.wastage_reasons:
            raise refuse("SESSN0007", "wastage beyond the allowance without a reason")
        plan.closure = m.SessionClosure(
            session_id=plan.session_id, closed_at=self.now().isoformat(timespec="seconds"),
            batches=[m.BatchUse(vaccine_batch=b.batch, vials_opened=b.vials_opened,
                                doses_per_vial=b.doses_per_vial, doses_in_vials=b.doses_in_vials,
                                doses_recorded=b.doses_recorded, wasted=b.wasted)
                     for b in count.batches],
            doses_recorded=count.doses_recorded, doses_in_vials=count.doses_in_vials,
            wasted=count.wasted, wastage_percent=count.percent,
            beyond_allowance=count.beyond_allowance,
            wastage_reasons=list(body.wastage_reasons))
        self._audit(account.username, "close session", session_id=plan.session_id,
                    detail=f"{count.doses_in_vials} doses in vials, {count.doses_recorded} "
                           f"recorded, {count.wasted} wasted ({count.percent}%)"
                           + "".join(f"; {r}" for r in body.wastage_reasons))
        return plan.closure
