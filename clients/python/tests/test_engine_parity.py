"""For the same input, the client writes the very bytes the engine's own producer writes.

The engine pushes through its public entries (Queue.push, pushEmailJob, pushSmsJob) under Bun; the
client then pushes the same input with the engine's id and clock, and both payloads are compared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis

import notify_queue.client as client_module
import notify_queue.envelope as envelope_module
from notify_queue import NotifyQueue
from notify_queue.ids import created_at_of

from .conftest import engine

# (engine case, the client's call for the same input)
CASES: list[tuple[dict[str, Any], Any]] = [
    (
        {"kind": "email", "input": {"type": "welcome", "to": "user@example.com",
                                    "data": {"user_name": "John", "referral_code": "ABC123"}}},
        lambda nq: nq.push_email("welcome", "user@example.com", {"user_name": "John", "referral_code": "ABC123"}),
    ),
    (
        {"kind": "email", "input": {"type": "withdrawal_processed", "to": "user@example.com",
                                    "data": {"amount": 500, "transaction_id": "TXN-1", "status": "approved"}},
         "options": {"id": "withdrawal-77"}},
        lambda nq: nq.push_email("withdrawal_processed", "user@example.com",
                                 {"amount": 500.0, "transaction_id": "TXN-1", "status": "approved"},
                                 job_id="withdrawal-77"),
    ),
    (
        # The client gives OTPs a five-minute expiry by default; the engine takes it as ttlMs.
        {"kind": "sms", "input": {"type": "otp", "to": "+919876543210", "data": {"otp": "123456"}},
         "options": {"ttlMs": 300000}},
        lambda nq: nq.push_sms("otp", "9876543210", {"otp": "123456"}),
    ),
    (
        {"kind": "sms", "input": {"type": "withdrawal_processed", "to": "+919876543210", "data": {"amount": 250.5}}},
        lambda nq: nq.push_sms("withdrawal_processed", "+919876543210", {"amount": 250.5}),
    ),
    (
        {"kind": "queue", "queue": "reports",
         "input": {"type": "daily", "data": {"b": 1, "10": "ten", "2": [0.1, 1e-7, 1e21], "name": "Zoë ✓"}},
         "options": {"delayMs": 60000, "attempts": 5}},
        lambda nq: nq.push("reports", "daily", data={"b": 1, "10": "ten", "2": [0.1, 1e-7, 1e21], "name": "Zoë ✓"},
                           delay=60, max_attempts=5),
    ),
    (
        {"kind": "email", "input": {"type": "cashback_confirmed", "to": "user@example.com",
                                    "data": {"amount": 120, "new_balance": 620}},
         "options": {"idempotencyKey": "cashback-9", "urgent": True, "expiresAt": 1893456000000}},
        lambda nq: nq.push_email("cashback_confirmed", "user@example.com", {"amount": 120, "new_balance": 620},
                                 idempotency_key="cashback-9", urgent=True, expires_at=1893456000000),
    ),
]


def only_payload(r: redis.Redis) -> tuple[str, float | None]:
    """The one job a case wrote, wherever it went, and its due time when delayed."""
    for key in r.scan_iter("queue:{*}"):
        if r.type(key) == "list":
            [payload] = r.lrange(key, 0, -1)
            return payload, None
    [(payload, score)] = r.zrange(next(r.scan_iter("queue:{*}:delayed")), 0, -1, withscores=True)
    return payload, score


@pytest.mark.parametrize(("case", "call"), CASES, ids=[c["input"]["type"] for c, _ in CASES])
def test_same_bytes_as_the_engine(case, call, r: redis.Redis, redis_server, monkeypatch) -> None:
    [result] = engine("push", [case], redis_server.url)
    engine_payload, engine_due = only_payload(r)
    job = json.loads(engine_payload)
    assert job["id"] == result["id"]
    # Replay with the engine's clock and id: the time is inside its id, or in createdAt for own ids.
    now = job.get("createdAt") or created_at_of(job["id"])
    delay_ms = case.get("options", {}).get("delayMs", 0)
    if engine_due is not None:
        now = int(engine_due) - delay_ms
    monkeypatch.setattr(client_module, "now_ms", lambda: now)
    monkeypatch.setattr(envelope_module, "new_job_id", lambda _now: job["id"])

    r.flushdb()
    pushed = call(NotifyQueue(r))
    payload, due = only_payload(r)
    assert pushed.id == job["id"]
    assert payload == engine_payload
    assert due == engine_due
    assert r.smembers("queue:registry") == {case.get("queue", case["kind"])}
