"""The beneficiary's consent expired mid-form: send a new OTP to the same person and carry
on with the same form once they give it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from api_client import errors as e
from api_client.client import Consent
from screens.base import Dialog
from screens.widgets import Field, Problem
from vaxterm.consent import Lookup, send_otp
from vaxterm.outcomes import code_not_answered
from vaxterm.validators import SearchKind, check_otp


class ReconsentModal(Dialog[Consent | None]):
    BINDINGS = [Binding("escape", "give_up", "Cancel", id="reconsent.cancel")]

    def __init__(self, reference_id: str) -> None:
        super().__init__()
        self._reference = reference_id
        self._txn = ""

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label("The beneficiary's consent has expired", classes="title")
            yield Static("", id="sent-to", markup=False)
            yield Field(id="otp", placeholder="6-digit OTP", max_length=6, restrict=r"[0-9]*")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.query_one("#otp", Field).focus()
        self.send()

    @work(exclusive=True, group="reconsent", exit_on_error=False)
    async def send(self) -> None:
        try:
            found = await self.vax.call_api(lambda: send_otp(
                self.vax.api, Lookup(SearchKind.REFERENCE_ID, self._reference)))
        except e.ApiError as error:
            self.problem().say(self.vax.describe(error))
            return
        self._txn = found.txnId
        self.query_one("#sent-to", Static).update(
            f"A new OTP was sent to the mobile ending {found.masked_mobile[-4:]}. "
            "Ask the beneficiary for it; the form is kept.")

    @on(Field.Submitted, "#otp")
    def submitted(self, event: Field.Submitted) -> None:
        code = check_otp(event.value)
        if not code.ok or not self._txn:
            self.problem().say(code.message or "Wait for the OTP.")
            return
        self.confirm(code.value)

    @work(exclusive=True, group="reconsent", exit_on_error=False)
    async def confirm(self, otp: str) -> None:
        try:
            consent = await self.vax.call_api(
                lambda: self.vax.api.confirm_beneficiary(self._txn, otp))
        except e.ApiError as error:
            lost = code_not_answered(error, "OTP")
            if lost is None:
                self.query_one("#otp", Field).value = ""
                self.problem().say(self.vax.describe(error))
            else:  # the OTP stays typed: Enter sends it again
                self.vax.explain(error)
                self.problem().say(f"{lost[0]} (ref {error.reference})")
            return
        self.dismiss(consent)

    def action_give_up(self) -> None:
        self.dismiss(None)
