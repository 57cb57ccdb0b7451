"""Drive a real terminal: the app runs in a private tmux server, keys are sent with
send-keys and the screen is read with capture-pane, as a person types and reads."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


class Terminal:
    def __init__(self, server: str, session: str = "t1") -> None:
        self.server, self.session = server, session

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.server, *args], capture_output=True,
                                text=True, timeout=10)
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def scrollback(self) -> str:
        """The visible screen and every line that scrolled off it."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-t", self.session)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:
        """Poll the screen until `pattern` (a regex) appears; never a fixed sleep."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.screen())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen:\n{self.screen()}")
            time.sleep(0.05)

    def wait_for_focus(self, label: str, timeout: float = 15.0) -> None:
        """Poll until the focused field is on the line that shows `label`. Textual keeps the
        terminal's (hidden) cursor at the focused input, for input methods."""
        deadline = time.monotonic() + timeout
        while True:
            row = int(self.tmux("display-message", "-p", "-t", self.session,
                                "#{cursor_y}").strip() or -1)
            lines = self.screen().splitlines()
            if 0 <= row < len(lines) and label in lines[row]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the focus never reached {label!r}; cursor on line "
                                     f"{row} of:\n{self.screen()}")
            time.sleep(0.05)


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        # As the Secret Service test: skipped (and reported so) on a developer's machine
        # without tmux, a failure in CI.
        message = "tmux is missing: install it to run the end-to-end tests (.ci/run does)"
        if os.environ.get("CI"):
            raise AssertionError(message)
        import pytest

        pytest.skip(message)
    return path


@contextmanager
def terminal(command: list[str], env: Mapping[str, str], cwd: Path,
             size: tuple[int, int] = (100, 30)) -> Iterator[Terminal]:
    require_tmux()
    term = Terminal(f"vt-e2e-{os.getpid()}-{time.monotonic_ns()}")
    env_words = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    shell = f"cd {shlex.quote(str(cwd))} && env -i {env_words} {shlex.join(command)}; " \
            f"echo EXIT=$?; sleep 60"
    term.tmux("new-session", "-d", "-s", term.session, "-x", str(size[0]), "-y", str(size[1]),
              shell)
    try:
        yield term
    finally:
        term.tmux("kill-server")
