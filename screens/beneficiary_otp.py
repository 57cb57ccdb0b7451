"""The beneficiary's OTP: proof they are here and agree to their record being opened."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from api_client import errors as e
from api_client import models as m
from screens.base import WorkScreen
from screens.widgets import Field, Problem
from vaxterm.consent import Lookup, keep_consent, learn_zone, send_otp
from vaxterm.outcomes import code_not_answered
from vaxterm.validators import check_otp

# While the code can still be used, a new one waits this long: each SMS counts against the
# mobile's 5 an hour. Once the registry has ended the code, F5 works at once.
RESEND_AFTER = timedelta(seconds=30)


class BeneficiaryOtpScreen(WorkScreen):
    CSS_PATH = "beneficiary_otp.tcss"
    HELP = """
## The beneficiary's OTP
An OTP was sent to the mobile shown. Ask the beneficiary to read it out and type it, then
**Enter**. Three wrong codes end this OTP; **F5** then sends a new one at once (while a code
can still be used, F5 waits 30 seconds after it was sent).
"""
    BINDINGS = [Binding("f5", "resend", "New OTP", id="otp.resend")]

    def __init__(self, lookup: Lookup, found: m.SearchResponse) -> None:
        super().__init__()
        self._lookup = lookup  # kept only to resend; gone when this screen closes
        self._found = found
        self._sent_at = datetime.min
        # The registry ended this code (tried too often, or expired): only a new one helps.
        self._dead = False
        # When the registry refused a new code for now (Retry-After), the time it allows one.
        self._resend_at: datetime | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="otp-box"):
            yield Static(id="sent-to")
            yield Label("OTP from the beneficiary", classes="title")
            yield Field(id="otp", placeholder="6 digits", max_length=6, restrict=r"[0-9]*")
            yield Problem(id="problem")
            yield Static(id="timer")
            if self.vax.training:
                yield Static(id="inbox")

    def on_mount(self) -> None:
        self._started(self._found)
        self.query_one("#otp", Field).focus()
        self.set_interval(1, self._tick)
        self.learn_zone()

    @work(exclusive=True, group="zone", exit_on_error=False)
    async def learn_zone(self) -> None:
        """The registry's zone, while the beneficiary reads the SMS: their record's dates are
        counted in it."""
        await learn_zone(self.vax.api, self.vax.desk)

    def _started(self, found: m.SearchResponse) -> None:
        self._found = found
        self._sent_at = self.vax.clock()
        self._dead = False
        self._resend_at = None
        self.query_one("#sent-to", Static).update(
            f"An OTP was sent to the mobile ending [b]{found.masked_mobile[-4:]}[/b]. "
            "Ask the beneficiary for it.")
        self._tick()
        if self.vax.training:
            self.show_inbox()

    def _resend_wait(self) -> int:
        """Seconds before F5 may ask for a new code: what the registry said, else 30 s from
        the last code while it is alive, else none."""
        now = self.vax.clock()
        if self._resend_at is not None:
            return max(int((self._resend_at - now).total_seconds() + 0.999), 0)
        if self._dead or self._left() <= 0:
            return 0
        return max(int((RESEND_AFTER - (now - self._sent_at)).total_seconds()), 0)

    def _left(self) -> int:
        elapsed = self.vax.clock() - self._sent_at
        return int(self._found.expires_in - elapsed.total_seconds())

    def _tick(self) -> None:
        left = self._left()
        if self._dead:
            expiry = "This code no longer works: a new one is needed"
        elif left > 0:
            expiry = f"Code valid for {left // 60}:{left % 60:02d}"
        else:
            expiry = "This code has expired"
        resend = self._resend_wait()
        again = f"new code (F5) in {_span(resend)}" if resend > 0 else "F5 sends a new code"
        self.query_one("#timer", Static).update(f"{expiry} · {again}")

    @work(exclusive=True, group="inbox", exit_on_error=False)
    async def show_inbox(self) -> None:
        try:
            messages = await self.vax.api.sms_inbox()
        except e.ApiError:
            return
        mine = [s for s in messages if s.txnId == self._found.txnId]
        text = "\n".join(f"SMS to {s.masked_mobile}: Your vaccination OTP is {s.otp}"
                         for s in mine) or "No SMS yet."
        self.query_one("#inbox", Static).update(f"[b]Training SMS inbox[/b]\n{text}")

    @on(Field.Submitted, "#otp")
    def submitted(self, event: Field.Submitted) -> None:
        code = check_otp(event.value)
        if not code.ok:
            self.problem().say(code.message)
            return
        self.confirm(code.value)

    @work(exclusive=True, group="consent", exit_on_error=False)
    async def confirm(self, otp: str) -> None:
        from screens.beneficiary import BeneficiaryScreen

        api = self.vax.api
        field = self.query_one("#otp", Field)
        problem = self.problem()
        try:
            consent = await self.vax.call_api(
                lambda: api.confirm_beneficiary(self._found.txnId, otp))
        except e.OtpWrong as wrong:
            field.value = ""
            self._dead = not wrong.tries_left
            problem.say(self.vax.explain(wrong)
                        + ("" if wrong.tries_left else " Press F5."))
            self._tick()
            return
        except e.OtpExpired as expired:
            field.value = ""
            self._dead = True
            problem.say(f"{self.vax.explain(expired)} Press F5.")
            self._tick()
            return
        except e.ApiError as error:
            lost = code_not_answered(error, "OTP")
            if lost is None:
                problem.say(self.vax.describe(error))
            else:  # the OTP stays typed: Enter sends it again
                self.vax.explain(error)
                problem.say(f"{lost[0]} (ref {error.reference})")
            return
        keep_consent(self.vax.desk, self._lookup, consent)
        if self._lookup.walk_in:  # the code came first; now the walk-in's record
            from screens.walk_in import WalkInScreen

            self.app.switch_screen(WalkInScreen(self._found.masked_mobile))
            return
        self.app.switch_screen(BeneficiaryScreen())

    def action_resend(self) -> None:
        wait = self._resend_wait()
        if wait > 0 and self._resend_at is not None:
            self.problem().say(f"The registry allows a new code in {_span(wait)}.")
            return
        if wait > 0:
            self.problem().say(f"This code can still be used. A new one can be sent in "
                               f"{_span(wait)}.")
            return
        self.resend()

    @work(exclusive=True, group="consent", exit_on_error=False)
    async def resend(self) -> None:
        problem = self.problem()
        try:
            found = await self.vax.call_api(lambda: send_otp(self.vax.api, self._lookup))
        except e.RateLimited as limited:
            # The registry says when: the countdown follows it, not a guess of ours.
            wait = limited.retry_after or RESEND_AFTER.total_seconds()
            self._resend_at = self.vax.clock() + timedelta(seconds=wait)
            problem.say(self.vax.describe(limited))
            self._tick()
            return
        except e.ApiError as error:
            problem.say(self.vax.describe(error))
            return
        problem.say("A new code was sent.", note=True)
        self.query_one("#otp", Field).value = ""
        self._started(found)


def _span(seconds: int) -> str:
    """A wait in words: "20 s", or "4:05" from a minute on."""
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"
