"""End to end: the seed's own calls, pushed from Python, delivered by the real Bun workers.

One redis-server, one email and one SMS worker (console provider writing to OUTBOX_DIR) for the
whole module. A job is delivered when its message is in the outbox; it failed when it is in the
dead-letter list, and the test then names the worker's reason.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

from notify_queue import (
    configure,
    get_dead_letter_jobs,
    get_queue_stats,
    push_email_job,
    push_sms_job,
    retry_dead_letter_job,
)

from .conftest import RedisServer, WorkerProcess, engine, wait_for


class Stack:
    def __init__(self) -> None:
        self.redis = RedisServer()
        self.outbox = Path(tempfile.mkdtemp(prefix="notify-py-outbox-"))
        env = {"REDIS_URL": self.redis.url, "OUTBOX_DIR": str(self.outbox), "SHUTDOWN_GRACE_MS": "2000"}
        self.workers = [WorkerProcess("email", env), WorkerProcess("sms", env)]
        for worker in self.workers:
            worker.wait_started()
        self.client = configure(url=self.redis.url)

    def message(self, channel: str, job_id: str) -> dict[str, Any] | None:
        path = self.outbox / channel / f"{job_id}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def dead(self, queue: str, job_id: str) -> dict[str, Any] | None:
        return next((e for e in get_dead_letter_jobs(queue, 0, 1000) if e.get("id") == job_id), None)

    def delivered(self, channel: str, job_id: str) -> dict[str, Any]:
        def outcome() -> Any:
            return self.message(channel, job_id) or self.dead(channel, job_id)

        found = wait_for(outcome, 20, f"{channel} job {job_id} to be delivered or dead-lettered")
        if "reason" in found and "jobId" not in found:
            raise AssertionError(f"{channel} job {job_id} was dead-lettered: {found['reason']}: {found['error']}")
        return found

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()
        shutil.rmtree(self.outbox, ignore_errors=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    started = Stack()
    yield started
    started.stop()


# Every push_email_job call in seed 004's text, with the data its code passes (values filled in).
SEED_EMAILS = [
    pytest.param("welcome", {"user_name": "John", "referral_code": "ABC123"}, id="welcome (auth.py)"),
    pytest.param("welcome", {"user_name": "Test User", "referral_code": "TEST123"}, id="welcome (test)"),
    pytest.param("withdrawal_requested", {"amount": 500.0, "method": "upi"}, id="withdrawal_requested"),
    pytest.param("cashback_confirmed", {"amount": Decimal("120.50"), "new_balance": 620.5}, id="cashback_confirmed"),
    pytest.param(
        "withdrawal_processed",
        {"amount": Decimal("500.00"), "transaction_id": "TXN123456", "status": "approved"},
        id="withdrawal_processed",
    ),
    pytest.param(
        "withdrawal_rejected",
        {"amount": 500.0, "reason": "Bank details did not match", "refunded_amount": 500.0},
        id="withdrawal_rejected",
    ),
    pytest.param("order_confirmation", {"order_number": "ORD-2025-0001", "total_amount": 1499.0}, id="order_confirmation"),
]


@pytest.mark.parametrize(("email_type", "data"), SEED_EMAILS)
def test_every_seed_email_is_delivered(stack: Stack, email_type: str, data: dict[str, Any]) -> None:
    job_id = push_email_job(email_type, "user@example.com", data)
    message = stack.delivered("email", job_id)
    assert message["to"] == "user@example.com" and message["category"] == email_type


# Data the seed's producers pass with fields left out: the seed's own redis-cli sample job has
# data {}, and an admin may reject with no notes (None). Templates need only what they cannot
# render without.
SEED_EMAILS_WITH_GAPS = [
    pytest.param("welcome", {}, id="welcome with data {} (the seed's redis-cli sample)"),
    pytest.param(
        "withdrawal_rejected",
        {"amount": 500.0, "reason": None, "refunded_amount": 500.0},
        id="withdrawal_rejected without admin notes",
    ),
]


@pytest.mark.parametrize(("email_type", "data"), SEED_EMAILS_WITH_GAPS)
def test_seed_data_with_fields_left_out_is_delivered(stack: Stack, email_type: str, data: dict[str, Any]) -> None:
    job_id = push_email_job(email_type, "user@example.com", data)
    stack.delivered("email", job_id)


SEED_SMS = [
    pytest.param("otp", "+919876543210", {"otp": "123456"}, id="otp"),
    pytest.param("otp", "9876543210", {"otp": "654321"}, id="otp to a 10-digit Indian number"),
    pytest.param("withdrawal_processed", "+919876543210", {"amount": Decimal("500.00")}, id="withdrawal_processed"),
    pytest.param("order_confirmation", "+919876543210", {"order_number": "ORD-2025-0001"}, id="order_confirmation"),
    pytest.param("cashback_credited", "+919876543210", {"amount": 120.5}, id="cashback_credited"),
    pytest.param("withdrawal_rejected", "+919876543210", {"amount": 500}, id="withdrawal_rejected"),
]


@pytest.mark.parametrize(("sms_type", "mobile", "data"), SEED_SMS)
def test_every_seed_sms_is_delivered_to_mobile(stack: Stack, sms_type: str, mobile: str, data: dict[str, Any]) -> None:
    job_id = push_sms_job(sms_type, mobile, data)
    message = stack.delivered("sms", job_id)
    assert message["to"] == "+919876543210" and message["category"] == sms_type
    if sms_type == "otp":
        assert data["otp"] in message["text"]


def test_queue_stats_after_delivery(stack: Stack) -> None:
    ids = [push_email_job("welcome", f"u{i}@example.com", {"user_name": f"U{i}"}) for i in range(5)]
    for job_id in ids:
        stack.delivered("email", job_id)

    def settled() -> Any:
        stats = get_queue_stats()
        return stats if stats["email"]["pending"] == 0 and stats["email"]["processing"] == 0 else None

    stats = wait_for(settled, 10, "the email queue to drain")
    assert set(stats) == {"email", "sms"}
    assert all(set(s) == {"pending", "processing", "dead_letter"} for s in stats.values())
    # The engine's own view of the same queue: acked, and the same counts.
    engine_email, engine_sms = wait_for(
        lambda: (lambda s: s if s[0]["processed"] >= len(ids) else None)(
            engine("stats", ["email", "sms"], stack.redis.url)
        ),
        10,
        "the acks to be counted",
    )
    assert stats["email"]["dead_letter"] == engine_email["dead"]
    assert stats["sms"] == {"pending": engine_sms["pending"], "processing": engine_sms["active"],
                            "dead_letter": engine_sms["dead"]}


def test_failed_job_reaches_the_dlq_and_is_retried_by_index(stack: Stack) -> None:
    address = "blocked@example.com"
    assert engine("suppress", address, stack.redis.url) is True
    first = push_email_job("welcome", address, {"user_name": "First"})
    wait_for(lambda: stack.dead("email", first), 20, "the first job to be dead-lettered")
    second = push_email_job("welcome", address, {"user_name": "Second"})
    wait_for(lambda: stack.dead("email", second), 20, "the second job to be dead-lettered")

    dead = get_dead_letter_jobs("email")
    # Newest first; each entry says why, with the job as it was.
    assert [entry["id"] for entry in dead[:2]] == [second, first]
    assert dead[0]["reason"] == "suppressed" and dead[0]["job"]["data"] == {"user_name": "Second"}
    assert get_dead_letter_jobs("email", start=1, limit=1)[0]["id"] == first
    before = get_queue_stats()["email"]["dead_letter"]

    assert engine("unsuppress", address, stack.redis.url) is True
    # Index 1 is the older one: only it comes back, and it is delivered.
    assert retry_dead_letter_job("email", 1) is True
    assert stack.delivered("email", first)["to"] == address
    assert get_queue_stats()["email"]["dead_letter"] == before - 1
    assert [entry["id"] for entry in get_dead_letter_jobs("email")][:1] == [second]
    assert stack.message("email", second) is None

    assert retry_dead_letter_job("email", 0) is True
    stack.delivered("email", second)
    assert retry_dead_letter_job("email", 1000) is False
    [email_stats, _] = engine("stats", ["email", "sms"], stack.redis.url)
    assert email_stats["dead"] == before - 2
