"""api_client stands alone: pytest has loaded Textual already, so check in a subprocess."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str, modules: list[str]) -> list[str]:
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout.split()


def test_api_client_loads_no_textual_nor_vaxterm() -> None:
    statement = ("import api_client, api_client.models, api_client.rules, "
                 "api_client.validators, api_client.contract, api_client.codes, "
                 "api_client.client, api_client.errors")
    # Not `rich`: httpx imports its optional CLI (click, pygments, rich) when installed.
    assert loaded_after(statement, ["textual", "vaxterm", "screens", "starlette",
                                    "pyotp"]) == []


def test_the_client_loads_neither_the_mock_nor_cryptography_until_a_pin_is_set() -> None:
    assert loaded_after("import api_client.client", ["starlette", "uvicorn", "pyotp",
                                                    "cryptography"]) == []


def test_the_mock_loads_no_textual_nor_vaxterm() -> None:
    assert loaded_after("import api_client.mock", ["textual", "vaxterm", "screens"]) == []


def test_settings_can_share_the_timeout_defaults_without_loading_httpx() -> None:
    statement = ("import api_client.timeouts, api_client.dates, api_client.errors, "
                 "api_client.addresses")
    assert loaded_after(statement, ["httpx", "msgspec", "anyio"]) == []
