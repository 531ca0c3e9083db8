"""The client runs the engine's own Lua scripts: its copies must be the engine's files, byte for byte."""

from __future__ import annotations

import pytest

from notify_queue.scripts import SCRIPT_NAMES, script_source

from .conftest import REPO

ENGINE_LUA = REPO / "packages" / "queue" / "src" / "lua"


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_vendored_script_is_the_engine_file(name: str) -> None:
    engine_file = ENGINE_LUA / f"{name}.lua"
    assert engine_file.exists(), f"the engine has no {engine_file.name} any more: update notify_queue/scripts.py"
    assert script_source(name) == engine_file.read_text(encoding="utf-8"), (
        f"{name}.lua changed in the engine: copy it to clients/python/src/notify_queue/lua/"
    )
    # Shared snippets are inlined by the engine's loader; a vendored copy would need them too.
    assert "-- include:" not in script_source(name)
