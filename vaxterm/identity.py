"""The photo-ID check before a dose: the vaccinator confirms what the card shows."""

from __future__ import annotations

from api_client import models as m
from vaxterm.validators import Checked


def check_id_seen(person: m.BeneficiarySummary, id_type: str, last4: str) -> Checked:
    """The card must be the registered one: same type, same last 4 digits. The expected
    digits are not shown on the ID screen, so the vaccinator reads them off the card."""
    digits = last4.strip()
    if id_type != person.photo_id_type:
        return Checked(message=f"This person registered with a {person.photo_id_type}. Ask "
                               f"for that card.")
    if len(digits) != 4 or not digits.isdigit():
        return Checked(message="Type the last 4 digits printed on the card.")
    if digits != person.photo_id_number[-4:]:
        return Checked(message="These digits do not match the registered ID. Check the card "
                               "again; do not vaccinate on a different ID.")
    return Checked(value=digits)
