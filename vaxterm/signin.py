"""The vaccinator's two-step login without a screen: the password (step 1, which opens a
login transaction) and the authenticator's code (step 2). Used by the login screen, the
re-login over an expired form, and the lock screen (which checks the password only).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from api_client import errors as e

if TYPE_CHECKING:
    from api_client import models as m
    from api_client.client import ApiClient


def _fingerprint(username: str, password: str) -> bytes:
    # Enough to tell "the same username and password as the open transaction"; the password
    # itself is not kept.
    return hashlib.sha256(f"{username}\0{password}".encode()).digest()


class SignIn:
    """One login in progress. A wrong code keeps the step-1 transaction, so the vaccinator
    types only a new code; a new password, an expired transaction or a lock starts over."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api
        self._open: tuple[bytes, str] | None = None  # (fingerprint, txnId)

    @property
    def code_sent(self) -> bool:
        """The password was accepted, so a failure since was the code's (step 2)."""
        return self._open is not None

    async def sign_in(self, username: str, password: str, code: str) -> m.User:
        fingerprint = _fingerprint(username, password)
        if self._open is None or not hmac.compare_digest(self._open[0], fingerprint):
            self._open = (fingerprint, await self._api.login(username, password))
        try:
            user = await self._api.confirm_login(self._open[1], code)
        except (e.OtpExpired, e.WrongPassword, e.AccountLocked):
            self._open = None  # the transaction is dead: the next try starts at step 1
            raise
        self._open = None
        return user


async def check_password(api: ApiClient, username: str, password: str) -> None:
    """The registry checks the password (login step 1) without opening a new session: what
    the lock screen needs. Raises `WrongPassword` or `AccountLocked`."""
    await api.login(username, password)


# The registry locks an account for 15 minutes after 5 wrong passwords, counted across
# logins and cleared only by a whole sign-in (password and code): a successful unlock clears
# nothing. At an unattended terminal anyone can type at the lock, so vaxterm signs out after
# 3 wrong ones: the vaccinator keeps 2 to sign in again before the registry would lock.
WRONG_PASSWORDS_BEFORE_SIGN_OUT = 3


class PasswordTries:
    """Wrong passwords typed for the signed-in vaccinator (at the lock or the re-login) since
    their last whole sign-in. A new sign-in brings a new user object, which starts the count
    again, as the registry does."""

    def __init__(self, limit: int = WRONG_PASSWORDS_BEFORE_SIGN_OUT) -> None:
        self.limit = limit
        self._login: object | None = None
        self._wrong = 0

    def wrong(self, login: object) -> int:
        """Count one wrong password for this login; the tries left before signing out."""
        if login is not self._login:
            self._login, self._wrong = login, 0
        self._wrong += 1
        return max(self.limit - self._wrong, 0)


def wrong_password_words(left: int) -> str:
    """For a screen that asks only the password (the username is known)."""
    if left <= 0:
        return "The password is not right."
    tries = "1 try" if left == 1 else f"{left} tries"
    return f"The password is not right. {tries} left before you are signed out."
