"""The vaccinator's password in the OS keyring: opt-in, encrypted backends only.

Every call may block on D-Bus, so the screens call these from thread workers. A backend that
keeps the password in plain text (keyrings.alt) or cannot keep it at all (fail, null) is
refused with a reason the login screen shows; the password is then simply typed each time.
No TOTP secret is ever stored: the code is typed at every login.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SERVICE_PREFIX = "vaxterm"
# The keyring entry of `--mock` runs: the built-in mock has no host name of its own.
TRAINING_HOST = "training"
# Backends that keep secrets encrypted by the OS. Tests add an in-memory one.
ENCRYPTED_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})


class CredentialError(Exception):
    """The keyring cannot be used; the message says why and what happens instead."""


# Backends that keep nothing: "no keyring here", said in words.
NO_KEYRING_BACKENDS = frozenset({"keyring.backends.fail.Keyring",
                                 "keyring.backends.null.Keyring"})
NO_KEYRING = ("No secure keyring on this computer: the password will not be kept. Type it "
              "each time.")
NOT_ENCRYPTED = ("The keyring on this computer does not encrypt passwords: the password will "
                 "not be kept there. Type it each time.")


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    """The backends' class names: for doctor and support staff, never for the vaccinator."""
    reason: str = ""
    """Why it cannot be used, in the vaccinator's words (no class names)."""


def _name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def service_host(server_url: str, *, mock: bool) -> str:
    """The host a password is kept under: one rule for every command that touches it."""
    if mock:
        return TRAINING_HOST
    from urllib.parse import urlsplit

    return urlsplit(server_url).hostname or "default"


class CredentialStore:
    def __init__(self, server_host: str, allowed: frozenset[str] = ENCRYPTED_BACKENDS,
                 backend: Any = None) -> None:
        self.service = f"{SERVICE_PREFIX}:{server_host or 'default'}"
        self.allowed = allowed
        self._backend = backend

    @classmethod
    def for_server(cls, server_url: str, *, mock: bool, **options: Any) -> CredentialStore:
        """The store for a registry address (or the mock); `options` go to the constructor."""
        return cls(service_host(server_url, mock=mock), **options)

    def _keyring(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def status(self) -> KeyringStatus:
        backend = self._keyring()
        members = getattr(backend, "backends", None)
        # A chainer falls through to its next member when one fails, so all must be safe.
        names = [_name(b) for b in members] if members is not None else [_name(backend)]
        unsafe = [n for n in names if n not in self.allowed]
        if not names or unsafe:
            shown = ", ".join(unsafe or names) or "none"
            nothing = not names or all(n in NO_KEYRING_BACKENDS for n in unsafe)
            return KeyringStatus(False, shown, NO_KEYRING if nothing else NOT_ENCRYPTED)
        return KeyringStatus(True, ", ".join(names))

    def _usable(self) -> Any:
        status = self.status()
        if not status.usable:
            raise CredentialError(status.reason)
        return self._keyring()

    def get(self, username: str) -> str | None:
        try:
            value = self._usable().get_password(self.service, username)
        except CredentialError:
            raise
        except Exception as exc:  # keyring raises many types: locked, no D-Bus, denied
            raise CredentialError(f"The keyring could not be read ({type(exc).__name__}); "
                                  f"type the password.") from None
        return value if isinstance(value, str) else None

    def set(self, username: str, password: str) -> None:
        try:
            self._usable().set_password(self.service, username, password)
        except CredentialError:
            raise
        except Exception as exc:
            raise CredentialError(f"The password could not be saved ({type(exc).__name__}); "
                                  f"it will be asked for each time.") from None

    def delete(self, username: str) -> bool:
        """Remove the stored password; False when there was none."""
        try:
            self._usable().delete_password(self.service, username)
        except CredentialError:
            raise
        except Exception as exc:
            if type(exc).__name__ == "PasswordDeleteError":
                return False
            raise CredentialError(f"The keyring could not be changed ({type(exc).__name__})."
                                  ) from None
        return True
