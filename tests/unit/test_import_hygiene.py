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
                 "api_client.validators, api_client.contract, api_client.codes")
    assert loaded_after(statement, ["textual", "rich", "vaxterm", "screens", "starlette",
                                    "pyotp"]) == []


def test_the_mock_loads_no_textual_nor_vaxterm() -> None:
    assert loaded_after("import api_client.mock", ["textual", "vaxterm", "screens"]) == []
