"""What the app still holds: every object reachable from the app and from the modules of the
app and its UI stack (whose caches outlive any screen), found through the garbage collector's
own references. The mock registry shares this process in the tests; it is the server's
memory, not the app's, so the walk does not enter it."""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Modules whose globals (lru caches, registries, class attributes) the app may fill.
APP_MODULES = ("vaxterm", "screens", "api_client", "textual", "rich")
# The mock registry and its command (`vaxterm mock-server`, which prints the demo password),
# with the server stack: imported by other tests of this process, never by the app.
SERVER_MODULES = ("api_client.mock", "vaxterm.mock_server", "starlette", "uvicorn", "anyio",
                  "asyncio")


@dataclass(frozen=True)
class Found:
    value: object
    path: str  # how the app reaches it, for the failure message


def _module_of(obj: object) -> str:
    return getattr(type(obj), "__module__", "") or ""


def _is_server(obj: object) -> bool:
    return _module_of(obj).startswith(SERVER_MODULES) or type(obj).__name__ == "ASGITransport"


def app_roots(app: object) -> list[tuple[str, object]]:
    roots: list[tuple[str, object]] = [("app", app)]
    for name, module in sorted(sys.modules.items()):
        if module is None or not name.startswith(APP_MODULES) or name.startswith(
                SERVER_MODULES):
            continue
        roots.append((f"module {name}", vars(module)))
    return roots


def walk(roots: Iterable[tuple[str, object]]) -> Iterator[Found]:
    """Breadth first, so the reported path is short. Other modules' globals, frames of
    code outside the app (the test's own) and the server's objects are not entered."""
    roots = list(roots)
    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    root_ids = {id(obj) for _, obj in roots}
    seen: set[int] = set()
    queue: list[tuple[str, object]] = list(roots)
    while queue:
        batch, queue = queue, []
        for path, obj in batch:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, types.ModuleType | types.FrameType) or _is_server(obj):
                continue
            if id(obj) in module_dicts and id(obj) not in root_ids:
                continue
            yield Found(obj, path)
            label = type(obj).__name__
            children = gc.get_referents(obj)
            if isinstance(obj, dict):  # a dict of str keys does not report its keys
                children.extend(list(obj))
            queue.extend((f"{path} > {label}", child) for child in children)


def holding(app: object, needles: Iterable[str], types_: tuple[type, ...]
            ) -> list[str]:
    """Paths to every reachable object of `types_` and every string containing a needle."""
    wanted = [n.casefold() for n in needles if n]
    hits = []
    for found in walk(app_roots(app)):
        value = found.value
        if isinstance(value, types_):
            hits.append(f"{type(value).__name__} via {found.path}")
        elif isinstance(value, str) and any(n in value.casefold() for n in wanted):
            hits.append(f"{value[:40]!r} via {found.path}")
    return hits


def collect() -> None:
    """Drop what is already unreachable, so only what the app holds is left."""
    for _ in range(3):
        gc.collect()

