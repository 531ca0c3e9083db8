"""JSON text exactly as JavaScript's JSON.stringify writes it.

The engine de-duplicates and fences jobs by their payload, and its fast path expects envelopes
shaped like its own, so a Python producer writes the same bytes the engine's producer would for the
same value: numbers in JavaScript's notation (500.0 -> 500, 1e-07 -> 1e-7), integer-like object
keys first in ascending order (JavaScript's property order), non-ASCII text as is, lone surrogates
escaped. Values JSON cannot hold raise instead of being written as something else.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from decimal import Decimal
from typing import Any

#: Deepest nesting of objects and arrays the engine accepts (packages/queue/src/json-bounds.ts).
MAX_JOB_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
# JavaScript orders keys that are canonical array indices (0 .. 2**32 - 2) first, ascending.
_ARRAY_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")
_MAX_ARRAY_INDEX = 2**32 - 2


def _string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), quoted)


def _float(value: float) -> str:
    """ECMAScript Number::toString for a finite double (the shortest round-trip digits)."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be written as JSON")
    if value == 0:
        return "0"  # -0 included, as JSON.stringify does
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    exponent += len(digits) - len(text)
    k = len(text)
    n = k + int(exponent)  # value = 0.text * 10**n
    prefix = "-" if sign else ""
    if k <= n <= 21:
        return prefix + text + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + text[:n] + "." + text[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * (-n) + text
    e = n - 1
    mantissa = text if k == 1 else text[0] + "." + text[1:]
    return f"{prefix}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or not isinstance(key, int):
        raise TypeError(f"object keys must be strings, not {type(key).__name__}")
    return str(key)


def _ordered(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    indices = [(k, v) for k, v in items if _ARRAY_INDEX.match(k) and int(k) <= _MAX_ARRAY_INDEX]
    if not indices:
        return items
    indices.sort(key=lambda kv: int(kv[0]))
    named = [(k, v) for k, v in items if not (_ARRAY_INDEX.match(k) and int(k) <= _MAX_ARRAY_INDEX)]
    return indices + named


def _write(value: Any, depth: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, Decimal):
        # Money from a database: its exact text (the templates take "500.00" as an amount).
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be written as JSON")
        out.append(_string(str(value)))
    elif isinstance(value, (_dt.datetime, _dt.date)):
        out.append(_string(value.isoformat()))
    elif isinstance(value, dict):
        if depth >= MAX_JOB_DEPTH:
            raise ValueError(f"job data is nested deeper than {MAX_JOB_DEPTH} levels")
        out.append("{")
        for i, (key, item) in enumerate(_ordered([(_key(k), v) for k, v in value.items()])):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(item, depth + 1, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if depth >= MAX_JOB_DEPTH:
            raise ValueError(f"job data is nested deeper than {MAX_JOB_DEPTH} levels")
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, depth + 1, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def stringify(value: Any) -> str:
    """JSON.stringify(value), compact. Raises ValueError/TypeError for what JSON cannot hold."""
    out: list[str] = []
    _write(value, 0, out)
    return "".join(out)
