"""Search: one field for a mobile number or a reference ID. Nothing personal is shown until
the beneficiary gives their OTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from api_client import errors as e
from screens.base import WorkScreen
from screens.widgets import Field, Problem
from vaxterm.consent import Lookup, read_lookup, send_otp
from vaxterm.validators import SearchKind, read_search


class SearchScreen(WorkScreen):
    IS_BASE = True
    CSS_PATH = "search.tcss"
    HELP = """
## Find a beneficiary
Type the beneficiary's **mobile number** or **reference ID** and press **Enter**. An OTP
goes to their registered mobile; nothing about them is shown until they tell you the code.
There is no search by Aadhaar or other ID number.

**F2** session tally · **F3** change session · **Ctrl+L** sign out · **F4** doses not
confirmed · **Ctrl+G** support (your reference, the last errors, the log)
"""
    BINDINGS = [
        # Search is where the work starts: Escape clears the field, and says so only when
        # there is something to clear.
        Binding("escape", "back", "Clear", id="search.clear"),
        Binding("f2", "tally", "Tally", id="search.tally"),
        Binding("f3", "change_session", "Session", id="search.session"),
        Binding("ctrl+l", "sign_out", "Sign out", id="search.sign_out"),
        # Offered in words when a mobile has nobody registered.
        Binding("f7", "walk_in", "Walk-in", show=False, id="search.walk_in"),
        # Right after a dose, while the beneficiary's consent lasts (hidden otherwise).
        Binding("f5", "resend_certificate", "Resend", id="search.resend"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._wait_until: datetime | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Label("Mobile number or reference ID", classes="title")
            yield Field(id="query", placeholder="e.g. 98xxxxxxxx or 14-digit reference ID",
                        max_length=20)
            yield Problem(id="reads")
            yield Problem(id="certificate")
            yield Problem(id="closed")

    def on_mount(self) -> None:
        self.query_one("#query", Field).focus()
        self.query_one("#certificate", Problem).display = False
        self._say_if_closed()
        self.set_interval(1, self._tick)

    def _say_if_closed(self) -> None:
        """Before any search: a session closed with its count records nothing more."""
        session = self.vax.desk.session
        line = self.query_one("#closed", Problem)
        line.display = session is not None and session.closed
        if session is not None and session.closed:
            line.say(f"The {session.vaccine} session is closed: no dose or could-not-vaccinate "
                     "can be recorded in it. F3 chooses another session.")

    def on_screen_resume(self) -> None:
        # Textual calls WorkScreen.on_screen_resume itself (handlers run up the MRO).
        self.vax.forget_person()
        query = self.query_one("#query", Field)
        query.value = ""
        query.focus()
        self._show_certificate()
        self._say_if_closed()

    def _show_certificate(self, said: str = "") -> None:
        """The certificate line of the dose just recorded, while it can be sent again."""
        from vaxterm.certificate import can_resend, sent_line

        sent = self.vax.desk.certificate
        line = self.query_one("#certificate", Problem)
        if sent is not None and not can_resend(self.vax.api, sent):
            self.vax.desk.certificate = sent = None  # the consent ended: nothing to offer
        line.display = sent is not None
        if sent is not None:
            line.say(said or f"{sent_line(sent.mobile_ending)} F5 sends it again while the "
                     "beneficiary's consent lasts.", note=True)
        self.refresh_bindings()

    @on(Field.Changed, "#query")
    def reads_as(self, event: Field.Changed) -> None:
        self.refresh_bindings()  # "esc Clear" comes and goes with the text
        term = read_search(event.value)
        reads = self.query_one("#reads", Problem)
        if not event.value.strip():
            reads.say("")
        elif term.checked.ok and term.kind is not None:
            reads.say(f"Reads as a {term.kind.value}.", note=True)
        elif term.kind is not None and len(event.value.strip()) >= 10:
            reads.say(term.checked.message)
        else:
            reads.say("")

    @on(Field.Submitted, "#query")
    def submitted(self, event: Field.Submitted) -> None:
        if self._wait_until is not None:
            return
        lookup = read_lookup(event.value)
        if isinstance(lookup, str):
            self.query_one("#reads", Problem).say(lookup)
            return
        if self.vax.desk.session is None:
            self.action_change_session()
            return
        self.run_search(lookup)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def run_search(self, lookup: Lookup) -> None:
        from screens.beneficiary_otp import BeneficiaryOtpScreen

        reads = self.query_one("#reads", Problem)
        self.vax.desk.certificate = None  # the next person: "send again" was for the last
        self._show_certificate()
        # A walk-in's registration asks its own code: the form follows that code's answer.
        if not lookup.walk_in and self.reuse_consent(lookup):
            return
        reads.say("Sending the OTP…", note=True)
        try:
            found = await self.vax.call_api(lambda: send_otp(self.vax.api, lookup))
        except e.RateLimited as limited:
            self._wait_until = datetime.fromtimestamp(
                self.vax.clock().timestamp() + limited.retry_after, tz=self.vax.clock().tzinfo)
            self._tick()
            return
        except e.NotRegistered as nobody:
            reads.say(f"{self.vax.explain(nobody)}{walk_in_hint(lookup)} "
                      f"(ref {nobody.reference})")
            return
        except e.ApiError as error:
            reads.say(self.vax.describe(error))
            return
        reads.say("")
        self.app.push_screen(BeneficiaryOtpScreen(lookup, found))

    def reuse_consent(self, lookup: Lookup) -> bool:
        """The beneficiary's consent of a few minutes ago (another session, the next person
        on the mobile) still holds: straight to their record, no second OTP."""
        from screens.beneficiary import BeneficiaryScreen
        from vaxterm.consent import reusable_consent

        desk = self.vax.desk
        consent = reusable_consent(desk, lookup, self.vax.api.consent_seconds_left)
        if consent is None:
            return False
        desk.consent = consent
        left = int(self.vax.api.consent_seconds_left(consent)) // 60
        self.vax.notify(f"The beneficiary's consent still holds (about {left} min left): no "
                        "new OTP was sent.", title="Consent", timeout=6)
        self.app.push_screen(BeneficiaryScreen())
        return True

    def _tick(self) -> None:
        if self.vax.desk.certificate is not None or self.query_one("#certificate").display:
            self._show_certificate(str(self.query_one("#certificate", Problem).render()))
        if self._wait_until is None:
            return
        left = int((self._wait_until - self.vax.clock()).total_seconds())
        query = self.query_one("#query", Field)
        if left <= 0:
            self._wait_until = None
            query.disabled = False
            query.focus()
            self.query_one("#reads", Problem).say("You can search again.", note=True)
            return
        query.disabled = True
        self.query_one("#reads", Problem).say(
            f"Too many searches. Search again in {left // 60}:{left % 60:02d}.")

    def action_tally(self) -> None:
        from screens.tally import TallyScreen

        if self.vax.desk.session is not None:
            self.app.push_screen(TallyScreen())

    def action_change_session(self) -> None:
        from screens.session_picker import SessionPickerScreen

        self.app.push_screen(SessionPickerScreen())

    def action_sign_out(self) -> None:
        self.vax.ask_before_leaving("Sign out", self.vax.start_sign_out)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return bool(self.query_one("#query", Field).value)
        if action == "resend_certificate":
            from vaxterm.certificate import can_resend

            return can_resend(self.vax.api, self.vax.desk.certificate)
        return True

    def action_resend_certificate(self) -> None:
        self.send_certificate_again()

    @work(exclusive=True, group="certificate", exit_on_error=False)
    async def send_certificate_again(self) -> None:
        from vaxterm.certificate import resend

        line = self.query_one("#certificate", Problem)
        line.say("Sending the certificate again…", note=True)
        try:
            said = await self.vax.call_api(
                lambda: resend(self.vax.api, self.vax.desk.certificate))
        except e.ApiError as error:
            said = f"Not sent again: {self.vax.describe(error)}"
        self._show_certificate(said)
        self.vax.notify(said, title="Certificate", timeout=6)

    def action_back(self) -> None:
        """Search is the base of the work: Escape clears the field."""
        query = self.query_one("#query", Field)
        query.value = ""
        query.focus()

    # --- walk-in registration -------------------------------------------------------------

    def action_walk_in(self) -> None:
        """An OTP to the mobile typed, then the walk-in's form (nobody registered, or room
        for one more)."""
        lookup = read_lookup(self.query_one("#query", Field).value)
        if isinstance(lookup, str) or lookup.kind is not SearchKind.MOBILE:
            self.query_one("#reads", Problem).say(
                "To register a walk-in, type their mobile number, then press F7.")
            return
        if self.vax.desk.session is None:
            self.action_change_session()
            return
        self.run_search(replace(lookup, walk_in=True))


def walk_in_hint(lookup: Lookup) -> str:
    return (" F7 registers them as a walk-in." if lookup.kind is SearchKind.MOBILE
            else "")
