"""Dead letters read and retried as the engine's DeadLetterQueue does, on states put in place by hand."""

from __future__ import annotations

import json

import redis

from notify_queue import NotifyQueue

from .conftest import engine

# An entry as the engine's deadLetter-8.lua writes it.
ENTRY = {
    "id": "0mx4aaaaabbbbcccc",
    "reason": "exhausted",
    "error": "provider timed out",
    "attempts": 3,
    "failedAt": 1764590000000,
    "queue": "email",
    "job": {
        "id": "0mx4aaaaabbbbcccc",
        "type": "welcome",
        "to": "a@example.com",
        "data": {"user_name": "Zoë", "2": 1.0, "1": [0.5]},
        "attempts": 3,
        "lastError": "provider timed out",
        "failedAt": 1764590000000,
        "maxAttempts": 3,
    },
}


def test_retry_writes_what_the_engine_retry_writes(nq: NotifyQueue, r: redis.Redis, redis_server) -> None:
    entry = json.dumps(ENTRY)
    r.lpush("queue:{mine}:dlq", entry)
    r.lpush("queue:{theirs}:dlq", entry)
    assert nq.retry_dead_letter("mine", 0) is True
    assert engine("retry", {"queue": "theirs", "id": ENTRY["id"]}, redis_server.url) is True
    [mine] = r.lrange("queue:{mine}", 0, -1)
    [theirs] = r.lrange("queue:{theirs}", 0, -1)
    # Identical but for the moment of the retry.
    stamp = json.loads(mine)["retriedFromDeadLetterAt"]
    assert mine == theirs.replace(str(json.loads(theirs)["retriedFromDeadLetterAt"]), str(stamp))
    assert json.loads(mine)["attempts"] == 0 and "lastError" not in json.loads(mine)
    assert r.llen("queue:{mine}:dlq") == 0
    assert r.hget("queue:{mine}:stats", "deadRetried") == r.hget("queue:{theirs}:stats", "deadRetried") == "1"


def test_an_entry_taken_by_another_retry_is_not_retried_twice(nq: NotifyQueue, r: redis.Redis) -> None:
    r.lpush("queue:{email}:dlq", json.dumps(ENTRY))
    assert nq.retry_dead_letter("email", 0) is True
    assert nq.retry_dead_letter("email", 0) is False
    assert r.llen("queue:{email}") == 1


def test_unreadable_entries_stay_visible_and_go_back_verbatim(nq: NotifyQueue, r: redis.Redis) -> None:
    r.lpush("queue:{email}:dlq", "not json {")
    [entry] = nq.dead_letters("email")
    assert entry["error"] == "unreadable dead-letter entry" and entry["raw"] == "not json {"
    assert nq.retry_dead_letter("email", 0) is True
    assert r.lrange("queue:{email}", 0, -1) == ["not json {"]


def test_dead_letters_pages_newest_first(nq: NotifyQueue, r: redis.Redis) -> None:
    for i in range(15):
        r.lpush("queue:{sms}:dlq", json.dumps({**ENTRY, "id": f"job-{i}", "queue": "sms"}))
    assert [e["id"] for e in nq.dead_letters("sms")] == [f"job-{i}" for i in range(14, 4, -1)]
    assert [e["id"] for e in nq.dead_letters("sms", start=10, limit=10)] == [f"job-{i}" for i in range(4, -1, -1)]
    assert nq.dead_letters("sms", start=-1) == [] and nq.dead_letters("sms", limit=0) == []


def test_queue_stats_count_what_workers_hold_as_the_engine_does(nq: NotifyQueue, r: redis.Redis, redis_server) -> None:
    # A live worker holding two jobs (one still in its landing list) and a dead one holding one.
    r.zadd("queue:{email}:workers", {"live-1": 9_999_999_999_999, "gone-1": 1})
    r.hset("queue:{email}:active:live-1", mapping={"a": "{}", "b": "{}"})
    r.rpush("queue:{email}:landing:live-1", "{}")
    r.hset("queue:{email}:active:gone-1", mapping={"c": "{}"})
    r.rpush("queue:{email}", "{}", "{}", "{}")
    r.rpush("queue:email", "{}", "{}")  # written by the seed's own producer
    r.lpush("queue:{email}:dlq", json.dumps(ENTRY))
    [theirs] = engine("stats", ["email"], redis_server.url)
    ours = nq.queue_stats(["email"])["email"]
    assert ours == {"pending": theirs["pending"] + 2, "processing": theirs["active"], "dead_letter": theirs["dead"]}
    assert ours == {"pending": 5, "processing": 4, "dead_letter": 1}
