from __future__ import annotations

import pytest
from keyring.backends import chainer, fail, null

from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialError, CredentialStore

ALLOWED = ENCRYPTED_BACKENDS | {MEMORY_BACKEND}


def test_store_get_delete_in_an_allowed_backend() -> None:
    store = CredentialStore("registry.example", ALLOWED, MemoryKeyring())
    assert store.get("demo.north1") is None
    store.set("demo.north1", "Train@2026")
    assert store.get("demo.north1") == "Train@2026"
    assert store.delete("demo.north1") is True
    assert store.delete("demo.north1") is False
    assert store.get("demo.north1") is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), MemoryKeyring()],
                         ids=["fail", "null", "not allowed"])
def test_unsafe_backends_are_refused_with_a_reason(backend: object) -> None:
    store = CredentialStore("registry.example", ENCRYPTED_BACKENDS, backend)
    status = store.status()
    assert not status.usable and "Type it each time" in status.reason
    assert "keyring.backends" not in status.reason and "MemoryKeyring" not in status.reason
    with pytest.raises(CredentialError):
        store.set("demo.north1", "Train@2026")
    assert getattr(backend, "store", {}) == {}


def test_a_chainer_is_allowed_only_if_every_member_is() -> None:
    class Mixed(chainer.ChainerBackend):
        backends = [MemoryKeyring(), fail.Keyring()]  # type: ignore[assignment]

    class Safe(chainer.ChainerBackend):
        backends = [MemoryKeyring()]  # type: ignore[assignment]

    assert not CredentialStore("h", ALLOWED, Mixed()).status().usable
    assert CredentialStore("h", ALLOWED, Safe()).status().usable


def test_a_failing_keyring_becomes_a_credential_error() -> None:
    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("Prompt dismissed")

    name = f"{Locked.__module__}.{Locked.__qualname__}"
    store = CredentialStore("h", ENCRYPTED_BACKENDS | {name}, Locked())
    with pytest.raises(CredentialError, match="could not be read"):
        store.get("demo.north1")
