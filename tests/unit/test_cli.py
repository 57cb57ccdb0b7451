"""The command line, run as a user runs it: a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def vaxterm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vaxterm", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def test_help_lists_every_command_and_option() -> None:
    result = vaxterm("--help")
    assert result.returncode == 0
    for word in ("mock-server", "doctor", "forget", "--server", "--mock", "--debug",
                 "--version", "VAXTERM_<SECTION>__<KEY>"):
        assert word in result.stdout


def test_version_does_not_load_textual() -> None:
    code = ("import sys\nfrom vaxterm.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('textual' in sys.modules, 'httpx' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip().endswith("False False"), result.stdout


def test_no_server_configured_says_what_to_do() -> None:
    result = vaxterm()
    assert result.returncode == 2
    assert "no registry address is configured" in result.stderr and "--mock" in result.stderr


def test_a_malformed_server_address_is_refused_at_start() -> None:
    result = vaxterm("--server", "ftp://registry.example/api/v2")
    assert result.returncode == 2
    assert "is not a registry address" in result.stderr


def test_bad_config_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[login]\nusernme = 'x'\n")
    result = vaxterm(env={"VAXTERM_CONFIG_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert f"{tmp_path / 'config.toml'}:2: unknown key login.usernme" in result.stderr


def test_mock_server_rejects_a_bad_port() -> None:
    result = vaxterm("mock-server", "--port", "70000")
    assert result.returncode == 2
    assert "--port must be 1 to 65535" in result.stderr


def test_no_option_takes_a_personal_value() -> None:
    """Shell history keeps arguments: the only values taken are addresses and ports. A new
    option must be added here on purpose, never a mobile, ID, OTP or password."""
    import argparse

    from vaxterm.cli import build_parser

    def options(parser: argparse.ArgumentParser, prefix: str) -> set[str]:
        found = set()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found |= options(sub, f"{prefix}{name} ")
            elif action.nargs != 0:  # takes a value
                found |= {prefix + flag for flag in action.option_strings}
        return found

    assert options(build_parser(), "") == {
        "--server", "mock-server --host", "mock-server --port", "mock-server --tls-cert",
        "mock-server --tls-key", "mock-server --clock-offset", "doctor --server",
        "support-bundle --server", "support-bundle --output", "forget --user",
        # Training only: the trainer's own room key (no one's data) and the mock's seed.
        "mock-server --room-key", "mock-server --seed"}
    assert vaxterm("9000000002").returncode == 2  # no positional value either
