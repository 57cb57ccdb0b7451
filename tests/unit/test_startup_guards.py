from __future__ import annotations

import resource

from vaxterm.tui import TEXTUAL_LEAKS, disable_core_dumps, neutralise_textual_env


def test_textual_logging_and_screenshot_variables_are_removed() -> None:
    env = {name: "x" for name in TEXTUAL_LEAKS} | {"TEXTUAL_ANIMATIONS": "none", "HOME": "/h"}
    removed = neutralise_textual_env(env, debug_training=False)
    assert sorted(removed) == sorted(TEXTUAL_LEAKS)
    assert env == {"TEXTUAL_ANIMATIONS": "none", "HOME": "/h"}


def test_they_stay_only_for_a_debug_run_of_training() -> None:
    env = {"TEXTUAL_LOG": "/tmp/log"}
    assert neutralise_textual_env(env, debug_training=True) == []
    assert env == {"TEXTUAL_LOG": "/tmp/log"}


def test_core_dumps_are_disabled() -> None:
    before = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        disable_core_dumps()
        assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    finally:
        # Lowering the hard limit cannot be undone without privilege; restore the soft one.
        resource.setrlimit(resource.RLIMIT_CORE, (min(before[0], 0), 0))
