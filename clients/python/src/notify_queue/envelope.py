"""The job envelope, built field for field as packages/queue/src/producer.ts buildJob builds it.

id first (the engine's claim script reads it from the head of the payload), then type, to, data
and only the options that were given. ``attempts`` is left out while it is 0, as the engine does
to keep waiting jobs small; a worker reads a missing count as 0.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Mapping, Union

from .ids import check_job_id, new_job_id
from .jsjson import stringify

#: Largest serialized job a worker accepts by default (packages/queue/src/json-bounds.ts).
DEFAULT_MAX_JOB_BYTES = 256 * 1024
#: Most runs a job may have (packages/queue/src/job.ts MAX_ATTEMPTS_CAP).
MAX_ATTEMPTS_CAP = 100

Seconds = Union[int, float, _dt.timedelta]
Moment = Union[int, float, _dt.datetime]


def seconds_to_ms(value: Seconds, what: str) -> int:
    seconds = value.total_seconds() if isinstance(value, _dt.timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"{what} must be a number of seconds or a timedelta")
    return round(seconds * 1000)


def moment_to_ms(value: Moment, what: str) -> int:
    """A datetime (naive ones are local time, as datetime.timestamp() reads them) or ms since the epoch."""
    if isinstance(value, _dt.datetime):
        return round(value.timestamp() * 1000)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a datetime or milliseconds since the epoch")
    return round(value)


def build_job(
    job_type: str,
    to: str | None,
    data: Mapping[str, Any] | None,
    *,
    now: int,
    job_id: str | None = None,
    max_attempts: int | None = None,
    urgent: bool = False,
    idempotency_key: str | None = None,
    expires_at: int | None = None,
    engine_id: str | None = None,
) -> dict[str, Any]:
    """``engine_id`` replaces the generated id without counting as the caller's own (tests use it)."""
    if not isinstance(job_type, str) or not 1 <= len(job_type) <= 100:
        raise ValueError("job type must be a string of 1-100 characters")
    if to is not None and (not isinstance(to, str) or len(to) > 320):
        raise ValueError("recipient must be a string of at most 320 characters")
    if data is not None and not isinstance(data, Mapping):
        raise ValueError("data must be a dict")
    if job_id is not None:
        check_job_id(job_id)
    job: dict[str, Any] = {"id": job_id if job_id is not None else (engine_id or new_job_id(now)), "type": job_type}
    if to is not None:
        job["to"] = to
    job["data"] = dict(data) if data is not None else {}
    if job_id is not None:
        job["createdAt"] = now
    if max_attempts is not None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int):
            raise ValueError("max_attempts must be an integer")
        if not 1 <= max_attempts <= MAX_ATTEMPTS_CAP:
            raise ValueError(f"max_attempts must be between 1 and {MAX_ATTEMPTS_CAP}")
        job["maxAttempts"] = max_attempts
    if urgent:
        job["urgent"] = True
    if idempotency_key is not None:
        if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 200:
            raise ValueError("idempotency_key must be a string of 1-200 characters")
        job["idempotencyKey"] = idempotency_key
    if expires_at is not None:
        job["expiresAt"] = expires_at
    return job


def serialize_job(job: Mapping[str, Any], max_bytes: int = DEFAULT_MAX_JOB_BYTES) -> str:
    """The payload as the engine writes it; too large or too deep raises ValueError before any write."""
    payload = stringify(job)
    size = len(payload.encode("utf-8"))
    if size > max_bytes:
        raise ValueError(f"job is {size} bytes, over the {max_bytes}-byte limit")
    return payload
