"""Job ids as the engine makes them (packages/queue/src/job.ts newJobId): sortable, compact."""

from __future__ import annotations

import re
import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ENGINE_ID = re.compile(r"^[0-9a-z]{17}$")
# Control characters (Unicode Cc) and surrogates would not encode the same in every language.
_UNSAFE_ID = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = _ALPHABET[r] + digits
        if n == 0:
            return digits


def now_ms() -> int:
    return int(time.time() * 1000)


def new_job_id(now: int | None = None) -> str:
    """9 characters of time (ms, base 36) and 8 random ones: ids sort by creation time."""
    stamp = _base36(now_ms() if now is None else now).rjust(9, "0")
    return stamp + "".join(_ALPHABET[b % 36] for b in secrets.token_bytes(8))


def created_at_of(job_id: str) -> int | None:
    """The creation time inside an engine-made id, or None for any other id."""
    return int(job_id[:9], 36) if _ENGINE_ID.match(job_id) else None


def check_job_id(job_id: str) -> None:
    if not isinstance(job_id, str) or not 1 <= len(job_id) <= 200 or _UNSAFE_ID.search(job_id):
        raise ValueError("job id must be 1-200 characters of printable text (no control characters)")
