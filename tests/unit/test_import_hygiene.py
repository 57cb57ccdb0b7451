"""The layers hold: screens (the UI, the App among them) → vaxterm (the shell without UI) →
api_client. Checked twice: what each module's source imports anywhere (lazy imports inside
functions included), and what importing it loads (in a subprocess: pytest loaded Textual
already)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# The one module of vaxterm/ that hands over to the UI: the entry point starts the App.
ENTRY_POINT = "vaxterm/tui.py"


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in the module the import stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", modules("vaxterm"), ids=lambda p: p.name)
def test_the_shell_imports_no_ui(path: Path) -> None:
    if path.relative_to(ROOT).as_posix() == ENTRY_POINT:
        assert "textual" not in imported_packages(path)  # only `screens.app`, inside run()
        return
    assert imported_packages(path) & {"textual", "screens", "rich"} == set()


@pytest.mark.parametrize("path", modules("api_client"), ids=lambda p: dotted(p))
def test_the_api_client_imports_neither_the_shell_nor_the_ui(path: Path) -> None:
    assert imported_packages(path) & {"textual", "rich", "screens", "vaxterm"} == set()


def loaded_after(statement: str, modules: list[str]) -> list[str]:
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True, cwd=ROOT)
    return result.stdout.split()


def test_importing_the_shell_and_the_client_loads_no_ui() -> None:
    shell = [dotted(p) for p in modules("vaxterm")
             if p.relative_to(ROOT).as_posix() != ENTRY_POINT and p.name != "__main__.py"]
    client = [dotted(p) for p in modules("api_client") if "mock" not in p.parts]
    statement = "import " + ", ".join(shell + client)
    # Not `rich`: httpx imports its optional CLI (click, pygments, rich) when installed.
    assert loaded_after(statement, ["textual", "screens"]) == []


def test_api_client_loads_nothing_of_the_shell() -> None:
    client = [dotted(p) for p in modules("api_client") if "mock" not in p.parts]
    assert loaded_after("import " + ", ".join(client),
                        ["textual", "vaxterm", "screens", "starlette", "pyotp"]) == []


def test_the_client_loads_neither_the_mock_nor_cryptography_until_a_pin_is_set() -> None:
    assert loaded_after("import api_client.client", ["starlette", "uvicorn", "pyotp",
                                                    "cryptography"]) == []


def test_the_mock_loads_no_textual_nor_vaxterm() -> None:
    assert loaded_after("import api_client.mock", ["textual", "vaxterm", "screens"]) == []


def test_settings_can_share_the_timeout_defaults_without_loading_httpx() -> None:
    statement = ("import api_client.timeouts, api_client.dates, api_client.errors, "
                 "api_client.addresses")
    assert loaded_after(statement, ["httpx", "msgspec", "anyio"]) == []


def test_the_first_screen_loads_neither_the_client_nor_the_wire_models() -> None:
    """The login form paints before httpx, msgspec and the models load (start-up)."""
    assert loaded_after("import screens.app, screens.login",
                        ["httpx", "msgspec", "api_client.models"]) == []
