"""Register a walk-in under the mobile whose OTP the beneficiary just gave: name, gender,
year of birth, photo-ID type and number. Then on to the person's record, as for anyone."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select, Static

from api_client import errors as e
from api_client.models import PHOTO_ID_TYPES
from screens.base import WorkScreen
from screens.widgets import Field, Problem
from vaxterm import walk_in
from vaxterm.walk_in import GENDERS, Typed, WalkInForm


class WalkInScreen(WorkScreen):
    CSS_PATH = "walk_in.tcss"
    HELP = """
## Register a walk-in
Copy from the photo ID: the name, the **year** of birth (never the full date), the gender,
the ID type and its number. **Enter** moves on; on the ID number, **Enter** (or **F10**)
registers. The number is sent once and never shown again: records show its last 4 digits.
The beneficiary's OTP covers this visit: you go on to their record, the photo-ID check and
the dose. At most 4 people a mobile.
"""
    BINDINGS = [Binding("f10", "register", "Register", id="walkin.register")]

    def __init__(self, mobile_ending: str) -> None:
        super().__init__()
        self._mobile_ending = mobile_ending[-4:]
        self._form = WalkInForm()  # one key for every retry of this form

    def compose_body(self) -> ComposeResult:
        with Vertical(id="walkin-box"):
            yield Label("Register a walk-in", classes="title")
            yield Static(f"Mobile ending [b]{self._mobile_ending}[/b]: the beneficiary's OTP "
                         "covers this visit.", id="mobile")
            with Horizontal(classes="row"):
                yield Label("Name", classes="label")
                yield Field(id="name", max_length=64, advance=True, compact=True,
                            placeholder="as on the photo ID")
            with Horizontal(classes="row"):
                yield Label("Year of birth", classes="label")
                yield Field(id="birth_year", max_length=4, restrict=r"[0-9]*", advance=True,
                            compact=True, placeholder="YYYY")
            with Horizontal(classes="row"):
                yield Label("Gender", classes="label")
                yield Select([(g, g) for g in GENDERS], id="gender", prompt="Choose",
                             compact=True)
            with Horizontal(classes="row"):
                yield Label("Photo ID", classes="label")
                yield Select([(t, t) for t in PHOTO_ID_TYPES], value=PHOTO_ID_TYPES[0],
                             allow_blank=False, id="id_type", compact=True)
            with Horizontal(classes="row"):
                yield Label("ID number", classes="label")
                yield Field(id="id_number", max_length=24, compact=True,
                            placeholder="as printed")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        self.query_one("#name", Field).focus()

    @on(Select.Changed, "#gender")
    def gender_chosen(self, event: Select.Changed) -> None:
        # Chosen from the list: on to the ID number (the ID type is usually Aadhaar; Shift+Tab
        # reaches it). After the list has closed and given focus back to the Select.
        if isinstance(event.value, str) and event.select.has_focus_within:
            self.call_after_refresh(self.query_one("#id_number", Field).focus)

    @on(Select.Changed, "#id_type")
    def id_type_chosen(self, event: Select.Changed) -> None:
        if event.select.has_focus_within:  # chosen, not set when the form opened
            self.call_after_refresh(self.query_one("#id_number", Field).focus)

    def _typed(self) -> Typed:
        def value(selector: str) -> str:
            return self.query_one(selector, Field).value

        gender = self.query_one("#gender", Select).value
        return Typed(value("#name"), gender if isinstance(gender, str) else "",
                     value("#birth_year"), str(self.query_one("#id_type", Select).value),
                     value("#id_number"))

    @on(Field.Submitted, "#id_number")
    def action_register(self) -> None:
        request, problems = walk_in.check(self._typed(), self.vax.today())
        if request is None:
            first = next(iter(problems))
            self.problem().say(problems[first])
            self.query_one(f"#{first}").focus()
            return
        self.send(request)

    @work(exclusive=True, group="walk-in", exit_on_error=False)
    async def send(self, request: object) -> None:
        from api_client import models as m
        from screens.beneficiary import BeneficiaryScreen

        assert isinstance(request, m.RegistrationRequest)
        problem = self.problem()
        problem.say("Registering…", note=True)
        try:
            answer = await self.vax.call_api(
                lambda: walk_in.register(self.vax.api, self.vax.desk, self._form, request))
        except e.OutcomeUnknown as unknown:
            problem.say(f"{self.vax.explain(unknown)} F10 sends the same form again; the "
                        f"person is registered once. (ref {unknown.reference})")
            return
        except e.ConsentExpired as expired:
            problem.say(f"Not registered: {self.vax.explain(expired)} Escape, then F7 on "
                        "Search sends a new OTP.")
            return
        except e.ApiError as error:
            problem.say(f"Not registered: {self.vax.describe(error)}")
            return
        # The number is not kept on screen either, once sent.
        self.query_one("#id_number", Field).value = ""
        self.app.notify(f"Registered: reference ending "
                        f"{answer.beneficiary_reference_id[-4:]}.", title="Walk-in registered",
                        markup=False)
        # On to the people on the mobile, the new one first: from Search, in place of this
        # form; from "add a person", in place of the list it was opened from.
        if isinstance(self.app.screen_stack[-2], BeneficiaryScreen):
            self.app.pop_screen()
        self.app.switch_screen(BeneficiaryScreen())
