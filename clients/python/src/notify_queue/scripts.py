"""The engine's own Lua scripts, vendored byte for byte from packages/queue/src/lua.

tests/test_vendored_lua.py fails when a copy here drifts from the engine's file: copy it again.
"""

from __future__ import annotations

from importlib import resources

SCRIPT_NAMES = ("pushUnique-4", "retryDeadLetter-3")


def script_source(name: str) -> str:
    if name not in SCRIPT_NAMES:
        raise KeyError(f"unknown script {name}")
    return resources.files(__package__).joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")
