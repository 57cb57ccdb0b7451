"""What F1 says on each screen: the steps of the screen in a few lines, and each key in full
words. Pure words (no UI): the help screen lays them out with the keys the screen has now.

Kept short on purpose: the help must be read at 80x24, between two beneficiaries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenHelp:
    title: str
    steps: tuple[str, ...]


SCREENS: dict[str, ScreenHelp] = {
    "LoginScreen": ScreenHelp("Sign in", (
        "Type your username and password; Enter moves to the next field.",
        "Type the 6-digit code from your authenticator app, then Enter. The code changes "
        "every 30 seconds and works once.",
        "Remember password keeps the password in this computer's encrypted keyring; the "
        "code is still asked every time. `vaxterm forget` removes it.",
    )),
    "SessionPickerScreen": ScreenHelp("Today's sessions", (
        "Pick the session you are vaccinating in with the arrow keys, then Enter.",
        "Its vaccine and batches fill the dose form. F3 on the search screen comes back "
        "here.",
    )),
    "SearchScreen": ScreenHelp("Find a beneficiary", (
        "Type the beneficiary's mobile number or reference ID, then Enter.",
        "An OTP goes to their registered mobile; nothing about them is shown until they "
        "tell you the code. There is no search by Aadhaar or other ID number.",
        "After a dose the certificate goes to the beneficiary's mobile; F5 sends it again "
        "while their consent lasts (3 times an hour at most).",
    )),
    "BeneficiaryOtpScreen": ScreenHelp("The beneficiary's OTP", (
        "Ask the beneficiary to read out the OTP sent to the mobile shown; type it, then "
        "Enter.",
        "Three wrong codes end this OTP; F5 sends a new one 30 seconds after the last.",
    )),
    "BeneficiaryScreen": ScreenHelp("Beneficiary", (
        "Pick the person in front of you with the arrow keys and check their record.",
        "Enter goes on to the photo-ID check. Opening a record is logged with your name and "
        "the beneficiary's consent.",
    )),
    "IdCheckScreen": ScreenHelp("Check the photo ID", (
        "Ask for the photo ID the beneficiary registered with and confirm its type.",
        "Type the last 4 digits printed on the card, then Enter. A different card cannot "
        "be used.",
    )),
    "RecordDoseScreen": ScreenHelp("Record the dose", (
        "The vaccine comes from your session; the batch of your last dose stays chosen, "
        "and only batches in date are offered.",
        "Check the dose number, then Enter (or F10) to review and Enter again to record.",
        "If the network fails, Retry is safe: the dose is never recorded twice.",
    )),
    "TallyScreen": ScreenHelp("Session tally", (
        "Counts for this session, and your records today, newest first (already chosen).",
        "Pick a record with the arrow keys, then F6 to mark it entered in error (same day, "
        "with a reason) or F7 to report a reaction (minor, severe or serious).",
        "\"N recorded\" counts your doses that stand: one marked entered in error no longer "
        "counts.",
    )),
    "SessionCloseScreen": ScreenHelp("Close the session", (
        "Type the vials opened of each batch (empty is none): the screen counts the doses "
        "they held against the doses recorded, and the wastage.",
        "More wasted than the last vial's leftover needs a reason: Space ticks one.",
        "F10 reviews; the confirmation starts on No. After it, no dose can be recorded in "
        "the session.",
    )),
    "DaySummaryScreen": ScreenHelp("End of the day", (
        "Today's sessions at your centre added up, without names: doses by vaccine, dose "
        "number and batch; could not vaccinate by reason; reactions by seriousness; the "
        "wastage each closed session counted.",
        "The headline says how many of the doses you recorded. F5 reads it again.",
    )),
    "AefiModal": ScreenHelp("Report a reaction (AEFI)", (
        "Choose the reaction and how serious it is: the meaning of minor, severe and serious "
        "shows under the choice.",
        "Onset: a number, then minutes (0-59), hours (1-23) or days (1-28) after the dose. "
        "Severe and serious need the outcome (unknown if not known yet).",
        "Severe and serious: tell the medical officer now and notify the district within 24 "
        "hours; the registry flags the report for your supervisor. Enter in the onset reports.",
    )),
    "EnteredInErrorModal": ScreenHelp("Entered in error", (
        "Choose the reason and press the button to mark the record; nothing is deleted.",
    )),
}

# Each key in full words, by binding id; the footer's words are short to fit 80 columns.
KEYS: dict[str, str] = {
    "screen.back": "Back one step",
    "search.clear": "Clear the field",
    "search.tally": "Session tally: counts and your records today",
    "search.session": "Change session",
    "search.sign_out": "Sign out",
    "otp.resend": "Send a new OTP (30 seconds after the last)",
    "beneficiary.next": "Go on to the photo-ID check",
    "beneficiary.reload": "Read the record again",
    "dose.review": "Review and record the dose",
    "tally.error": "Mark the chosen record entered in error",
    "tally.aefi": "Report a reaction (AEFI) for the chosen record",
    "tally.reload": "Read the tally again",
    "tally.close": "Close the session: vials opened, wastage",
    "close.review": "Review and close the session",
    "tally.day": "End of the day: today's sessions added up, without names",
    "search.resend": "Send the certificate again to the mobile (while the consent lasts)",
    "day.reload": "Read the day's summary again",
    "dose.batch_finished": "Mark the chosen batch finished for this session",
    "dose.new_vial": "A new vial of the chosen batch is opened now",
    "app.help": "This help (F1 again closes it)",
    "app.quit": "Quit (asks first if a dose is not confirmed)",
    "app.outbox": "Doses the registry has not confirmed",
    "app.lock": "Lock the screen now",
    "app.contrast": "High contrast on or off",
    "app.training": "Training panel",
    "app.support": "Support: version, server, your reference, the log",
}

PALETTE = "Every action of the screen, by name (for terminals that drop F-keys)"
EDITING = ("In a text field: the arrow keys, Home, End and Backspace edit as usual; Tab "
           "moves to the next field.")


def for_screen(name: str, fallback: str = "") -> ScreenHelp:
    """The help of the screen class `name`; a screen without its own says what it can."""
    return SCREENS.get(name) or ScreenHelp("Help", (fallback,) if fallback else ())


def key_name(key: str) -> str:
    """"ctrl+q" as a person reads it on the keyboard: Ctrl+Q."""
    names = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "up": "↑", "down": "↓"}
    return "+".join(names.get(part, part.capitalize() if len(part) > 1 else part.upper())
                    for part in key.split("+"))
