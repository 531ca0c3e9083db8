"""On Redis Cluster (three masters, as packages/testing starts one): every key of a queue shares its
hash tag, so the pushes, the engine's scripts, the stats and the DLQ retry work unchanged."""

from __future__ import annotations

import json
import subprocess
from typing import Iterator

import pytest
from redis.cluster import RedisCluster

from notify_queue import NotifyQueue, connect

from .conftest import RedisServer, redis_binary, wait_for


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[RedisServer]]:
    servers: list[RedisServer] = []
    try:
        for _ in range(3):
            servers.append(RedisServer(("--cluster-enabled", "yes", "--cluster-node-timeout", "2000")))
        addresses = [f"127.0.0.1:{s.port}" for s in servers]
        subprocess.run(
            [redis_binary("redis-cli"), "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=30,
        )

        def ok() -> bool:
            infos = [
                subprocess.run([redis_binary("redis-cli"), "-p", str(s.port), "cluster", "info"],
                               capture_output=True, text=True).stdout
                for s in servers
            ]
            return all("cluster_state:ok" in info for info in infos)

        wait_for(ok, 15, "cluster_state:ok")
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def rc(cluster: list[RedisServer], monkeypatch) -> Iterator[RedisCluster]:
    # The engine's own variable selects the cluster.
    monkeypatch.setenv("REDIS_CLUSTER_NODES", ",".join(f"127.0.0.1:{s.port}" for s in cluster))
    connection = connect()
    assert isinstance(connection, RedisCluster)
    connection.flushall()
    yield connection
    connection.close()


def test_pushes_stats_and_dlq_retry_on_a_cluster(rc: RedisCluster) -> None:
    nq = NotifyQueue(rc)
    bulk = nq.push_sms("order_confirmation", "9876543210", {"order_number": "O-1"})
    otp = nq.push_sms("otp", "9876543210", {"otp": "123456"})
    assert [json.loads(raw)["id"] for raw in rc.lrange("queue:{sms}", 0, -1)] == [otp.id, bulk.id]
    first = nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="k", delay=60)
    assert nq.push_email("welcome", "a@example.com", {"user_name": "A"}, idempotency_key="k") == (first.id, True)
    assert rc.zcard("queue:{email}:delayed") == 1
    assert rc.smembers("queue:registry") == {"sms", "email"}

    entry = {"id": "x", "reason": "failed", "error": "boom", "attempts": 3, "failedAt": 1, "queue": "sms",
             "job": {"id": "x", "type": "otp", "to": "+919876543210", "data": {"otp": "1"}, "attempts": 3}}
    rc.lpush("queue:{sms}:dlq", json.dumps(entry))
    assert nq.queue_stats() == {
        "email": {"pending": 0, "processing": 0, "dead_letter": 0},
        "sms": {"pending": 2, "processing": 0, "dead_letter": 1},
    }
    assert nq.dead_letters("sms")[0]["id"] == "x"
    assert nq.retry_dead_letter("sms", 0) is True
    assert json.loads(rc.rpop("queue:{sms}"))["attempts"] == 0
    assert rc.llen("queue:{sms}:dlq") == 0
