"""The training panel (F12, training only): scenarios, the SMS inbox, the demo accounts and
their codes, the demo mobiles, and the audit log of what this trainee has opened.

Scenarios and reset change the whole room, so only the trainer sees them: at a room server,
whoever typed the room key; with `--mock`, the person at the keyboard."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    DataTable,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)
from textual.widgets.option_list import Option

from api_client import errors as e
from screens.base import Dialog
from screens.widgets import Field, Problem
from vaxterm.scenarios import offered, reset_question, room_key_problem


class ResetConfirm(Dialog[bool]):
    """The reset undoes everyone's work: asked first, and No unless chosen (Enter keeps
    everything; Escape too)."""

    BINDINGS = [Binding("escape", "keep", "No", id="reset.keep")]

    def __init__(self, in_process: bool) -> None:
        super().__init__()
        self._title, self._body = reset_question(in_process)

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title", markup=False)
            yield Static(self._body, markup=False)
            with Horizontal():
                yield Button("No, keep everything", id="cancel", variant="primary")
                yield Button("Reset", id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def reset(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_keep(self) -> None:
        self.dismiss(False)


class TrainingPanel(Dialog[str | None]):
    """Dismissed with the key of the scenario the trainer chose, if any."""

    DEFAULT_CSS = """
    TrainingPanel > Vertical { width: 100%; height: 1fr; max-height: 100%; padding: 0 1; }
    TrainingPanel TabbedContent { height: 1fr; }
    TrainingPanel DataTable { height: 1fr; }
    TrainingPanel #trainer-key { height: auto; }
    TrainingPanel #room-key { width: 40; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="panel.close"),
                Binding("f12", "close", "Close", show=False, id="panel.toggle")]

    def compose_dialog(self) -> ComposeResult:
        with Vertical():
            yield Label("Training panel · Tab, then ← → between tabs · F12 closes",
                        classes="title")
            # A trainee opens on their SMS inbox; the trainer on the scenarios.
            with TabbedContent(id="tabs", initial="tab-scenarios" if self.vax.trainer
                               else "tab-sms"):
                with TabPane("Scenarios", id="tab-scenarios"):
                    with Vertical(id="trainer-key"):
                        yield Static("Scenarios and reset change the whole room: they are "
                                     "the trainer's. Trainer: type the room key that "
                                     "vaxterm mock-server printed, then Enter.")
                        yield Field(id="room-key", password=True, placeholder="room key")
                        yield Problem(id="key-problem")
                    yield OptionList(id="scenarios")
                with TabPane("SMS inbox", id="tab-sms"):
                    yield DataTable(id="sms", show_cursor=False)
                with TabPane("Accounts", id="tab-accounts"):
                    yield DataTable(id="accounts", show_cursor=False)
                with TabPane("Demo mobiles", id="tab-mobiles"):
                    yield DataTable(id="mobiles", show_cursor=False)
                with TabPane("My accesses", id="tab-audit"):
                    yield DataTable(id="audit", show_cursor=False)

    def on_mount(self) -> None:
        self.query_one("#sms", DataTable).add_columns("Sent", "To", "OTP or certificate")
        self.query_one("#accounts", DataTable).add_columns("Username", "Password", "Code now",
                                                           "Centre")
        self.query_one("#mobiles", DataTable).add_columns("Mobile", "Situation")
        self.query_one("#audit", DataTable).add_columns("Time", "Action", "Reference",
                                                        "Detail")
        self.show_scenarios()
        self.load()

    def show_scenarios(self) -> None:
        """The scenarios to the trainer; to a trainee, only the room key's field."""
        options = self.query_one("#scenarios", OptionList)
        options.clear_options()
        options.add_options(Option(f"{s.title}: {s.teaches}", id=s.key)
                            for s in offered(self.vax.mock, self.vax.room_key))
        trainer = self.vax.trainer
        options.display = trainer
        self.query_one("#trainer-key").display = not trainer
        if trainer:
            options.highlighted = 0
            options.focus()
        else:
            self.query_one(Tabs).focus()  # ← → at once, as the title says

    @on(Field.Submitted, "#room-key")
    def room_key_typed(self, event: Field.Submitted) -> None:
        key = event.value.strip()
        problem = room_key_problem(key)
        if problem:
            self.query_one("#key-problem", Problem).say(f"The room key {problem}.")
            return
        event.input.value = ""
        # Kept in memory for this run only; the server judges it on the first scenario.
        self.vax.room_key = key
        self.show_scenarios()

    @work(exclusive=True, group="panel", exit_on_error=False)
    async def load(self) -> None:
        api = self.vax.api
        accounts = self.query_one("#accounts", DataTable)
        try:
            for account in await api.demo_accounts():
                if not account.username.startswith("trainee") or account.username == (
                        self.vax.user.username if self.vax.user else ""):
                    accounts.add_row(account.username, account.password,
                                     "locked" if account.locked else account.current_code,
                                     account.centre_name)
            # The server's own list: a classroom server may hold other people than this laptop.
            mobiles = self.query_one("#mobiles", DataTable)
            for mobile in await api.demo_mobiles():
                mobiles.add_row(mobile.mobile, mobile.shows)
            if not api.logged_in:
                return  # the inbox and the audit log are per trainee: sign in first
            sms = self.query_one("#sms", DataTable)
            # The beneficiaries' phones: OTPs, and the certificate links sent after doses.
            rows = [(x.sent_at, x.masked_mobile, x.otp) for x in await api.sms_inbox()]
            rows += [(x.sent_at, x.masked_mobile, x.link)
                     for x in await api.certificate_inbox()]
            for sent_at, to, text in sorted(rows, key=lambda row: row[0], reverse=True):
                sms.add_row(sent_at[11:19], to, text)
            audit = self.query_one("#audit", DataTable)
            for entry in reversed(await api.audit_log()):
                audit.add_row(entry.time[11:19], entry.action, entry.beneficiary_reference_id,
                              entry.detail)
        except e.ApiError as error:
            self.vax.report(error)

    @on(OptionList.OptionSelected, "#scenarios")
    def scenario_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)  # the app asks, if needed, once the panel is gone

    def action_close(self) -> None:
        self.dismiss(None)
