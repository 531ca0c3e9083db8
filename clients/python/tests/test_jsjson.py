"""The client writes JSON exactly as JavaScript's JSON.stringify does (checked against Bun itself)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from notify_queue.jsjson import stringify

from .conftest import engine

# Values whose JSON text differs between Python's json module and JavaScript.
TRICKY = [
    500.0,
    -0.0,
    0.1,
    123.456,
    1e-7,
    0.000001,
    1e21,
    1.5e16,
    123456789012345680000.0,
    5e-324,
    1.7976931348623157e308,
    2**53,
    {"b": 1, "10": 2, "2": 3, "01": 4, "a": 5, "4294967294": 6, "4294967295": 7, "-1": 8},
    {"nested": {"9": [1, 2.5, {"x": None}], "amount": 99.0}},
    "héllo ✓ 🎉",
    'quote " backslash \\ slash /',
    "\x00\x01\x1f\x7f\x9f \b\f\n\r\t",
    "\u2028\u2029",
    "lone \ud800 surrogate \udfff",
    [],
    {},
    [True, False, None],
]


def test_matches_javascript_for_tricky_values() -> None:
    # Python's standard json carries each value to Bun, which writes it back with JSON.stringify.
    expected = engine("stringify", TRICKY)
    assert [stringify(value) for value in TRICKY] == expected


def test_writes_big_integers_exactly() -> None:
    # JavaScript cannot hold 2**53 + 1; the text stays exact and the engine reads it as a double.
    assert stringify(2**53 + 1) == "9007199254740993"


def test_writes_database_types_as_text() -> None:
    assert stringify({"amount": Decimal("500.00")}) == '{"amount":"500.00"}'


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), {1.5: "x"}, {"s": {1, 2}}, object()])
def test_refuses_what_json_cannot_hold(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        stringify(value)


def test_refuses_nesting_past_the_engine_limit() -> None:
    deep: object = {}
    for _ in range(64):
        deep = {"a": deep}
    with pytest.raises(ValueError, match="nested deeper than 64"):
        stringify(deep)
    cyclic: list[object] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="nested deeper"):
        stringify(cyclic)


def test_output_is_compact_json() -> None:
    value = {"id": "x", "data": {"a": [1, 2]}}
    assert stringify(value) == json.dumps(value, separators=(",", ":"))
