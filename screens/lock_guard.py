"""The lock stays on top of everything. While the screen is locked, a worker that finishes
underneath (a dose recorded, a failed call's dialog, a dialog closing itself) must not open
or close a screen: it would be drawn over the lock and usable without the password, or pop
the lock itself. So screen changes asked for while locked are held, in order, and carried
out once the password has opened the lock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.await_complete import AwaitComplete
from textual.screen import Screen


def _nothing() -> AwaitComplete:
    """What a held change returns: there is nothing to wait for until the lock opens."""
    return AwaitComplete.nothing()  # type: ignore[no-untyped-call, no-any-return]


class LockGuard(App[int]):
    """Holds push, pop and switch of screens while `locked` is true. A screen with
    `ABOVE_LOCK = True` (the lock itself) passes."""

    def __init__(self) -> None:
        super().__init__()
        self.locked = False
        self._held: list[Callable[[], object]] = []

    def _holding(self, screen: object = None) -> bool:
        return self.locked and not getattr(screen, "ABOVE_LOCK", False)

    # Textual types these with overloads; the override keeps their behaviour and arguments.
    def push_screen(self, screen: Any, callback: Any = None,
                    wait_for_dismiss: bool = False, *, mode: str | None = None) -> Any:
        if not self._holding(screen):
            if wait_for_dismiss:
                return super().push_screen(screen, callback, wait_for_dismiss=True, mode=mode)
            return super().push_screen(screen, callback, mode=mode)
        result: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def answered(value: Any) -> None:
            if callback is not None:
                callback(value)
            if not result.done():
                result.set_result(value)

        def push() -> None:
            super(LockGuard, self).push_screen(screen, answered, mode=mode)

        self._held.append(push)
        if wait_for_dismiss:
            return result  # the worker waits on, until the screen is shown and answered
        return _nothing()

    def pop_screen(self) -> AwaitComplete:
        if self._holding(self.screen_stack[-1] if self.screen_stack else None):
            self._held.append(super().pop_screen)
            return _nothing()
        return super().pop_screen()

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        if self._holding(screen):
            self._held.append(lambda: super(LockGuard, self).switch_screen(screen))
            return _nothing()
        return super().switch_screen(screen)

    def release_lock(self) -> None:
        """The password opened the lock: close it, then do what waited, in order."""
        self.locked = False
        if self.screen_stack and getattr(self.screen, "ABOVE_LOCK", False):
            super().pop_screen()
        held, self._held = self._held, []
        for step in held:
            step()
