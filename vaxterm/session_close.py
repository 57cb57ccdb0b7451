"""Closing a session without its screen: what the form counts, the request, the words.

The figures shown before sending are computed by `api_client.vials`, the same code the
registry's check follows, so the screen and the registry agree on every count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, get_args

import msgspec

from api_client import errors as e
from api_client import models as m
from api_client.vials import Wastage, wastage

# The registry's answer to a second close: the first one stands.
ALREADY_CLOSED = "SESSN0005"

if TYPE_CHECKING:
    from api_client.client import ApiClient
    from vaxterm.desk import Desk

REASONS: tuple[m.WastageReason, ...] = get_args(m.WastageReason)
MOST_VIALS = 999  # what the field takes (3 digits); the registry accepts up to 1000


def counted_batches(session: m.Session, recorded: Mapping[str, int]) -> list[m.Batch]:
    """The batches to count vials for: every one stocked (an expired one may have had a vial
    opened by mistake), in the session's order."""
    listed = {b.vaccine_batch for b in session.batches}
    return list(session.batches) + [
        m.Batch(vaccine_batch=b, expiry_date="01-01-2000", doses_per_vial=1)
        for b in recorded if b not in listed]


def expired_unused(batch: m.Batch, recorded: Mapping[str, int], today: date) -> bool:
    """An expired batch no dose was recorded from: listed as expired, counted as 0 vials,
    with no field to type into (the registry refuses doses from it anyway)."""
    from api_client.dates import parse_ddmmyyyy

    expiry = parse_ddmmyyyy(batch.expiry_date)
    return (expiry is not None and expiry < today
            and not recorded.get(batch.vaccine_batch, 0))


def preview(session: m.Session, recorded: Mapping[str, int], typed: Mapping[str, int]
            ) -> Wastage:
    """The count as the registry will make it, from the vials typed so far."""
    return wastage(typed, {b.vaccine_batch: b.doses_per_vial for b in session.batches},
                   recorded)


def read_vials(texts: Mapping[str, str]) -> tuple[dict[str, int], str]:
    """The typed vial counts (an empty field is 0), or the first problem in words."""
    vials: dict[str, int] = {}
    for batch, text in texts.items():
        text = text.strip()
        if text and not text.isdigit():
            return {}, f"Vials for {batch}: type a whole number."
        vials[batch] = int(text) if text else 0
        if vials[batch] > MOST_VIALS:
            return {}, f"Vials for {batch}: at most {MOST_VIALS}."
    return vials, ""


def problems(count: Wastage, reasons: list[m.WastageReason]) -> str:
    """Why the registry would refuse this count, in words; "" when it adds up."""
    for batch in count.impossible:
        return (f"{batch.batch}: {batch.vials_opened} vials of {batch.doses_per_vial} hold "
                f"{batch.doses_in_vials} doses, but {batch.doses_recorded} were recorded from "
                "it. Count the vials again.")
    if count.beyond_allowance and not reasons:
        return ("More was wasted than the open-vial allowance (the last vial's leftover, per "
                "batch): choose at least one reason.")
    return ""


def batch_line(batch: str, vials: int, per_vial: int, held: int, recorded: int,
               wasted: int) -> str:
    return (f"{batch}: {vials} vials of {per_vial} = {held} doses, {recorded} recorded, "
            f"{wasted} wasted")


def count_lines(count: Wastage) -> list[str]:
    """The count, a batch a line, then the total: what the vaccinator confirms."""
    lines = [batch_line(b.batch, b.vials_opened, b.doses_per_vial, b.doses_in_vials,
                        b.doses_recorded, b.wasted)
             for b in count.batches if b.vials_opened or b.doses_recorded]
    lines.append(f"Total: {count.doses_in_vials} doses in the vials, {count.doses_recorded} "
                 f"recorded, {count.wasted} wasted ({count.percent:.1f}%)")
    return lines


def request(vials: Mapping[str, int], reasons: list[m.WastageReason]) -> m.SessionCloseRequest:
    return m.SessionCloseRequest(
        vials=[m.VialsOpened(vaccine_batch=b, vials_opened=n) for b, n in vials.items() if n],
        wastage_reasons=list(reasons))


def closure_lines(closure: m.SessionClosure) -> list[str]:
    """The count the registry kept, a batch a line, and why doses were wasted."""
    return [*(batch_line(b.vaccine_batch, b.vials_opened, b.doses_per_vial, b.doses_in_vials,
                         b.doses_recorded, b.wasted)
              for b in closure.batches if b.vials_opened or b.doses_recorded),
            *(f"Why: {r}" for r in closure.wastage_reasons)]


def closure_line(closure: m.SessionClosure) -> str:
    at = closure.closed_at[11:16]
    return (f"Session closed at {at}: {closure.doses_recorded} recorded, {closure.wasted} of "
            f"{closure.doses_in_vials} doses wasted ({closure.wastage_percent:.1f}%). "
            "No more doses in it.")


def mark_closed(desk: Desk, session_id: str) -> None:
    """The desk's copy of the session says it is closed, as the registry's list now does."""
    desk.sessions = [msgspec.structs.replace(s, closed=True) if s.session_id == session_id
                     else s for s in desk.sessions]
    if desk.session is not None and desk.session.session_id == session_id:
        desk.session = msgspec.structs.replace(desk.session, closed=True)


async def close(api: ApiClient, desk: Desk, session_id: str,
                closing: m.SessionCloseRequest) -> m.SessionClosure:
    """Send the count; once the registry has it, the session is closed here too.

    A close whose answer was lost, sent again, meets "already closed" (SESSN0005): the
    registry's own count then stands, read from the session's summary, and is shown as the
    close it is (it may be this vaccinator's first try, or a colleague's)."""
    try:
        closure = await api.close_session(session_id, closing)
    except e.ApiError as refused:
        if refused.code != ALREADY_CLOSED:
            raise
        kept = (await api.session_summary(session_id)).closure
        if kept is None:
            raise
        closure = kept
    mark_closed(desk, session_id)
    return closure


def not_closed_words(error: e.ApiError, described: str) -> str:
    """What to say when a close failed: "not closed" only when the registry cannot have
    acted; otherwise it may have closed it, and F10 again finds out (see `close`)."""
    from vaxterm.outcomes import may_have_acted

    if may_have_acted(error):
        return (f"The registry did not confirm the close; it may have closed the session. "
                f"Press F10 again: if it did, its count is shown, and nothing is closed "
                f"twice. ({described})")
    return f"Not closed: {described}"

