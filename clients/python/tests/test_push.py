"""Pushes land where the engine reads them, with the engine's commands, against a real redis-server."""

from __future__ import annotations

import json
import time

import pytest
import redis

import notify_queue
from notify_queue import NotifyQueue, configure, push_email_job, push_sms_job
from notify_queue.ids import created_at_of

EMAIL = "queue:{email}"
SMS = "queue:{sms}"


@pytest.fixture
def seed_client(r: redis.Redis, redis_server) -> NotifyQueue:
    return configure(url=redis_server.url)


def now_ms() -> int:
    return int(time.time() * 1000)


def test_push_email_job_writes_the_engine_envelope(seed_client: NotifyQueue, r: redis.Redis) -> None:
    before = now_ms()
    job_id = push_email_job("welcome", "user@example.com", {"user_name": "John", "referral_code": "ABC123"})
    assert r.lrange(EMAIL, 0, -1) == [
        '{"id":"%s","type":"welcome","to":"user@example.com","data":{"user_name":"John","referral_code":"ABC123"}}'
        % job_id
    ]
    # A sortable id like the engine's: 9 characters of time, 8 random ones.
    created = created_at_of(job_id)
    assert created is not None and before <= created <= now_ms()
    assert r.smembers("queue:registry") == {"email"}


def test_ids_sort_by_creation_time(nq: NotifyQueue, r: redis.Redis) -> None:
    ids = [nq.push_email("welcome", "a@example.com", {"user_name": "A"}).id for _ in range(20)]
    assert len(set(ids)) == 20
    assert [created_at_of(i) for i in ids] == sorted(created_at_of(i) for i in ids)


def test_push_sms_job_takes_mobile_as_e164_to(seed_client: NotifyQueue, r: redis.Redis) -> None:
    for mobile in ("+919876543210", "9876543210", "098765 43210", "91-98765-43210", 9876543210):
        job_id = push_sms_job("withdrawal_processed", mobile, {"amount": 500})
        job = json.loads(r.rpop(SMS))
        assert job == {"id": job_id, "type": "withdrawal_processed", "to": "+919876543210", "data": {"amount": 500}}
    push_sms_job("withdrawal_processed", "+14155550100", {"amount": 1})
    assert json.loads(r.rpop(SMS))["to"] == "+14155550100"


@pytest.mark.parametrize("mobile", ["12345", "abc", "+0123456789", "98765432101234567", "", None])
def test_push_sms_job_refuses_what_is_no_phone_number(seed_client: NotifyQueue, r: redis.Redis, mobile) -> None:
    with pytest.raises(ValueError, match="mobile"):
        push_sms_job("otp", mobile, {"otp": "123456"})
    assert r.llen(SMS) == 0


def test_otp_overtakes_the_backlog_and_expires_after_five_minutes(seed_client: NotifyQueue, r: redis.Redis) -> None:
    for i in range(3):
        push_sms_job("order_confirmation", "+919876543210", {"order_number": f"O-{i}"})
    before = now_ms()
    otp_id = push_sms_job("otp", "+919876543210", {"otp": "123456"})
    head = json.loads(r.lindex(SMS, 0))
    assert head["id"] == otp_id and head["urgent"] is True
    assert before + 300_000 <= head["expiresAt"] <= now_ms() + 300_000
    assert list(head) == ["id", "type", "to", "data", "urgent", "expiresAt"]
    # Bulk SMS keep their order behind it and never expire by default.
    tail = [json.loads(raw) for raw in r.lrange(SMS, 1, -1)]
    assert [job["data"]["order_number"] for job in tail] == ["O-0", "O-1", "O-2"]
    assert all("urgent" not in job and "expiresAt" not in job for job in tail)


def test_otp_expiry_and_urgency_can_be_overridden(nq: NotifyQueue, r: redis.Redis) -> None:
    nq.push_sms("otp", "+919876543210", {"otp": "1234"}, urgent=False, ttl=60)
    job = json.loads(r.lindex(SMS, 0))
    assert "urgent" not in job and abs(job["expiresAt"] - (now_ms() + 60_000)) < 5_000


def test_delayed_jobs_wait_in_the_delayed_set_scored_by_due_time(nq: NotifyQueue, r: redis.Redis) -> None:
    before = now_ms()
    job_id = nq.push_email("welcome", "a@example.com", {"user_name": "A"}, delay=90).id
    assert r.llen(EMAIL) == 0
    [(payload, score)] = r.zrange("queue:{email}:delayed", 0, -1, withscores=True)
    assert json.loads(payload)["id"] == job_id
    assert before + 90_000 <= score <= now_ms() + 90_000


def test_an_idempotency_key_enqueues_once(nq: NotifyQueue, r: redis.Redis) -> None:
    first = nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="signup-42")
    again = nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="signup-42")
    assert first.duplicate is False and again == (first.id, True)
    assert r.llen(EMAIL) == 1
    assert json.loads(r.lindex(EMAIL, 0))["idempotencyKey"] == "signup-42"
    assert r.get("queue:{email}:idem:signup-42") == first.id
    assert 86_000 < r.ttl("queue:{email}:idem:signup-42") <= 86_400
    # The seed-style function returns the first job's id too.
    configure(r)
    assert push_email_job("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="signup-42") == first.id


def test_urgent_idempotent_and_delayed_idempotent_pushes_use_the_engine_script(nq: NotifyQueue, r: redis.Redis) -> None:
    nq.push_email("welcome", "a@example.com", {"user_name": "A"})
    urgent = nq.push_email("welcome", "b@example.com", {"user_name": "B"}, urgent=True, idempotency_key="u")
    assert json.loads(r.lindex(EMAIL, 0))["id"] == urgent.id
    later = nq.push_email("welcome", "c@example.com", {"user_name": "C"}, delay=30, idempotency_key="d")
    assert json.loads(r.zrange("queue:{email}:delayed", 0, 0)[0])["id"] == later.id


def test_own_job_ids_carry_their_creation_time(nq: NotifyQueue, r: redis.Redis) -> None:
    nq.push_email("welcome", "a@example.com", {"user_name": "A"}, job_id="order-42-welcome")
    job = json.loads(r.lindex(EMAIL, 0))
    assert job["id"] == "order-42-welcome" and abs(job["createdAt"] - now_ms()) < 5_000


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda nq: nq.push_email("welcome", "not-an-address", {}), "email address"),
        (lambda nq: nq.push_email("", "a@example.com", {}), "job type"),
        (lambda nq: nq.push_email("welcome", "a@example.com", ["not", "a", "dict"]), "data must be a dict"),
        (lambda nq: nq.push_email("welcome", "a@example.com", {"big": "x" * 300_000}), "byte limit"),
        (lambda nq: nq.push_email("welcome", "a@example.com", {"n": float("nan")}), "cannot be written"),
        (lambda nq: nq.push_email("welcome", "a@example.com", {}, job_id="bad\nid"), "job id"),
        (lambda nq: nq.push_email("welcome", "a@example.com", {}, max_attempts=0), "max_attempts"),
        (lambda nq: nq.push("bad queue!", "x"), "queue name"),
    ],
)
def test_bad_input_raises_before_anything_is_written(nq: NotifyQueue, r: redis.Redis, call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(nq)
    assert r.dbsize() == 0


def test_switches_turn_a_channel_off(seed_client: NotifyQueue, r: redis.Redis, monkeypatch) -> None:
    monkeypatch.setenv("EMAIL_ENABLED", "false")
    monkeypatch.setenv("SMS_ENABLED", "0")
    assert push_email_job("welcome", "a@example.com", {"user_name": "A"}) is None
    assert push_sms_job("otp", "+919876543210", {"otp": "123456"}) is None
    assert r.dbsize() == 0
    monkeypatch.setenv("EMAIL_ENABLED", "true")
    assert push_email_job("welcome", "a@example.com", {"user_name": "A"})


def test_connect_reads_redis_url(redis_server, r: redis.Redis, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    NotifyQueue().push("reports", "daily", data={"day": "2025-01-01"})
    assert r.llen("queue:{reports}") == 1
    assert notify_queue.connect().ping()


def test_works_on_a_connection_that_returns_bytes(redis_server, r: redis.Redis) -> None:
    nq = NotifyQueue(redis.Redis.from_url(redis_server.url))  # decode_responses=False, redis-py's default
    first = nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="bytes")
    assert nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="bytes") == (first.id, True)
    r.zadd("queue:{email}:workers", {"w": 9_999_999_999_999})
    r.hset("queue:{email}:active:w", "x", "{}")
    r.lpush("queue:{email}:dlq", json.dumps({"id": "d", "job": {"id": "d", "type": "welcome", "data": {}}}))
    assert nq.queue_stats(["email"]) == {"email": {"pending": 1, "processing": 1, "dead_letter": 1}}
    assert nq.dead_letters("email")[0]["id"] == "d"
    assert nq.retry_dead_letter("email", 0) is True
