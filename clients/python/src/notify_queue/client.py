"""A producer and DLQ helper for the notify engine, on one redis-py connection.

Pushes write exactly what the engine's own producer writes (see envelope.py) with the same Redis
commands: RPUSH to the queue's pending list, LPUSH for urgent jobs, ZADD to the delayed set for
later ones, and the engine's own pushUnique-4.lua when an idempotency key is given. A dead letter
is retried with the engine's retryDeadLetter-3.lua, which removes the entry and pushes the job in
one step, so a retry can neither lose nor duplicate it.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping, NamedTuple, Union
from urllib.parse import unquote, urlparse

import redis
from redis.cluster import ClusterNode, RedisCluster

from .envelope import (
    DEFAULT_MAX_JOB_BYTES,
    Moment,
    Seconds,
    build_job,
    moment_to_ms,
    seconds_to_ms,
    serialize_job,
)
from .ids import now_ms
from .jsjson import stringify
from .keys import DEFAULT_PREFIX, QueueKeys, queue_keys, registry_key
from .phone import DEFAULT_COUNTRY_CODE, to_e164
from .scripts import script_source

#: The embedded Redis that `npm start` runs, as the workers default to it.
DEFAULT_REDIS_URL = f"redis://127.0.0.1:{os.environ.get('NOTIFY_REDIS_PORT') or 6390}"
EMAIL_QUEUE = "email"
SMS_QUEUE = "sms"
#: SMS templates that overtake a backlog unless the producer says otherwise (the engine's rule).
URGENT_SMS_TEMPLATES = frozenset({"otp"})
#: An OTP nobody can use any more is dead-lettered as expired instead of sent.
DEFAULT_OTP_TTL_SECONDS = 5 * 60
DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400


class PushResult(NamedTuple):
    id: str
    #: True when the idempotency key was seen before and nothing was pushed (id is the first job's).
    duplicate: bool


Connection = Union[redis.Redis, RedisCluster]


def connect(url: str | None = None, cluster_nodes: str | None = None) -> Connection:
    """A connection as the engine's createRedis makes it: REDIS_URL (``redis://`` or ``rediss://``, may
    carry a password), or Redis Cluster when REDIS_CLUSTER_NODES (``host:port,...``) is set, with the
    URL's password and TLS."""
    url = url or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    nodes = [n.strip() for n in (cluster_nodes or os.environ.get("REDIS_CLUSTER_NODES") or "").split(",") if n.strip()]
    if not nodes:
        return redis.Redis.from_url(url, decode_responses=True)
    parsed = urlparse(url if "://" in url else f"redis://{url}")
    startup = [ClusterNode(host or "127.0.0.1", int(port or 6379)) for host, _, port in (n.partition(":") for n in nodes)]
    return RedisCluster(
        startup_nodes=startup,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        ssl=parsed.scheme == "rediss",
        decode_responses=True,
    )


def _text(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fresh_attempts(job: dict[str, Any], now: int) -> dict[str, Any]:
    """As packages/queue/src/dlq.ts retries: no last error, attempts back to 0 with the runs
    before kept in priorAttempts (the job's history survives the retry), the retry's time."""
    fresh = {k: v for k, v in job.items() if k not in ("lastError", "failedAt")}
    prior = job.get("priorAttempts")
    attempts = job.get("attempts")
    fresh["attempts"] = 0
    fresh["priorAttempts"] = (prior if _is_number(prior) else 0) + (attempts if _is_number(attempts) else 0)
    fresh["retriedFromDeadLetterAt"] = now
    return fresh


def _parse_dead_letter(entry: str) -> dict[str, Any]:
    try:
        parsed = json.loads(entry)
        if isinstance(parsed, dict):
            return parsed
    except ValueError:
        pass
    # Written by another tool: keep it visible rather than hide it (as the engine does).
    return {
        "id": "unknown",
        "reason": "invalid",
        "error": "unreadable dead-letter entry",
        "attempts": 0,
        "failedAt": 0,
        "queue": "",
        "job": None,
        "raw": entry,
    }


class NotifyQueue:
    """One client per process is enough: redis-py pools its connections and is thread-safe."""

    def __init__(
        self,
        connection: Connection | None = None,
        *,
        url: str | None = None,
        prefix: str = DEFAULT_PREFIX,
        default_country_code: str | None = DEFAULT_COUNTRY_CODE,
        max_job_bytes: int = DEFAULT_MAX_JOB_BYTES,
    ) -> None:
        self.redis = connection if connection is not None else connect(url)
        self.prefix = prefix
        self.default_country_code = default_country_code
        self.max_job_bytes = max_job_bytes
        self._registered: set[str] = set()
        self._push_unique = self.redis.register_script(script_source("pushUnique-4"))
        self._retry_dead_letter = self.redis.register_script(script_source("retryDeadLetter-3"))

    def keys(self, queue: str) -> QueueKeys:
        return queue_keys(queue, self.prefix)

    def _register(self, queue: str) -> None:
        # Makes the queue visible to the admin and the CLI, once per client, as the engine's Queue does.
        if queue not in self._registered:
            self.redis.sadd(registry_key(self.prefix), queue)
            self._registered.add(queue)

    def push(
        self,
        queue: str,
        job_type: str,
        to: str | None = None,
        data: Mapping[str, Any] | None = None,
        *,
        job_id: str | None = None,
        delay: Seconds | None = None,
        run_at: Moment | None = None,
        max_attempts: int | None = None,
        urgent: bool = False,
        idempotency_key: str | None = None,
        idempotency_ttl: int = DEFAULT_IDEMPOTENCY_TTL_SECONDS,
        expires_at: Moment | None = None,
        ttl: Seconds | None = None,
    ) -> PushResult:
        """Pushes one job to any queue. ``delay``/``ttl`` are seconds (or timedelta); ``run_at``/``expires_at``
        a datetime or ms since the epoch."""
        keys = self.keys(queue)
        now = now_ms()
        if expires_at is not None:
            expiry: int | None = moment_to_ms(expires_at, "expires_at")
        elif ttl is not None:
            expiry = now + seconds_to_ms(ttl, "ttl")
        else:
            expiry = None
        job = build_job(
            job_type,
            to,
            data,
            now=now,
            job_id=job_id,
            max_attempts=max_attempts,
            urgent=urgent,
            idempotency_key=idempotency_key,
            expires_at=expiry,
        )
        payload = serialize_job(job, self.max_job_bytes)
        due_at = self._due_at(now, delay, run_at)
        self._register(queue)
        if idempotency_key is not None:
            if isinstance(idempotency_ttl, bool) or not isinstance(idempotency_ttl, int) or idempotency_ttl < 1:
                raise ValueError("idempotency_ttl must be a positive number of seconds")
            owner, pushed = self._push_unique(
                keys=[keys.idempotency(idempotency_key), keys.pending, keys.delayed, keys.prioritized],
                args=[job["id"], payload, idempotency_ttl, due_at, 1 if urgent else 0, 0],
            )
            return PushResult(_text(owner), int(pushed) != 1)
        if due_at > 0:
            self.redis.zadd(keys.delayed, {payload: due_at})
        elif urgent:
            self.redis.lpush(keys.pending, payload)
        else:
            self.redis.rpush(keys.pending, payload)
        return PushResult(job["id"], False)

    @staticmethod
    def _due_at(now: int, delay: Seconds | None, run_at: Moment | None) -> int:
        """As the engine's dueAtOf: 0 means now; run_at wins over delay."""
        if run_at is not None:
            at = moment_to_ms(run_at, "run_at")
            return at if at > now else 0
        if delay is not None:
            ms = seconds_to_ms(delay, "delay")
            return now + ms if ms > 0 else 0
        return 0

    def push_email(self, email_type: str, to_email: str, data: Mapping[str, Any] | None = None, **options: Any) -> PushResult:
        if not isinstance(to_email, str) or "@" not in to_email.strip()[1:-1]:
            raise ValueError("to_email must be an email address")
        return self.push(EMAIL_QUEUE, email_type, to_email.strip(), data, **options)

    def push_sms(
        self,
        sms_type: str,
        mobile: str | int,
        data: Mapping[str, Any] | None = None,
        *,
        urgent: bool | None = None,
        **options: Any,
    ) -> PushResult:
        """``mobile`` becomes ``to`` in E.164 (see phone.py). OTPs are urgent and expire after 5 minutes
        unless ``urgent``, ``ttl`` or ``expires_at`` say otherwise."""
        to = to_e164(mobile, self.default_country_code)
        is_urgent = urgent if urgent is not None else sms_type in URGENT_SMS_TEMPLATES
        if sms_type in URGENT_SMS_TEMPLATES and options.get("ttl") is None and options.get("expires_at") is None:
            options["ttl"] = DEFAULT_OTP_TTL_SECONDS
        return self.push(SMS_QUEUE, sms_type, to, data, urgent=is_urgent, **options)

    def queue_stats(self, queues: Iterable[str] = (EMAIL_QUEUE, SMS_QUEUE)) -> dict[str, dict[str, int]]:
        """Seed 004's shape: per queue, jobs waiting (the engine's list and the seed's own key), jobs held
        by workers (live or awaiting recovery, as the engine counts ``active``) and dead letters."""
        result: dict[str, dict[str, int]] = {}
        for queue in queues:
            keys = self.keys(queue)
            pipe = self.redis.pipeline(transaction=False)
            pipe.llen(keys.pending).llen(keys.seed_pending).llen(keys.dlq).zrange(keys.workers, 0, -1)
            pending, seed_pending, dead, workers = pipe.execute()
            processing = 0
            if workers:
                pipe = self.redis.pipeline(transaction=False)
                for worker in workers:
                    pipe.hlen(keys.active(_text(worker))).llen(keys.landing(_text(worker)))
                processing = sum(int(n) for n in pipe.execute())
            result[queue] = {
                "pending": int(pending) + int(seed_pending),
                "processing": processing,
                "dead_letter": int(dead),
            }
        return result

    def dead_letters(self, queue: str, start: int = 0, limit: int = 10) -> list[dict[str, Any]]:
        """Newest first. Each entry: id, reason, error, attempts, failedAt (ms), queue, job (or raw)."""
        if start < 0 or limit < 1:
            return []
        entries = self.redis.lrange(self.keys(queue).dlq, start, start + limit - 1)
        return [_parse_dead_letter(_text(entry)) for entry in entries]

    def retry_dead_letter(self, queue: str, index: int) -> bool:
        """Moves the dead letter at ``index`` (0 = newest) back to the end of the pending list with a
        fresh attempt count. False when there is none there, or another retry took it first."""
        keys = self.keys(queue)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError("index must be a non-negative integer")
        entry = _text(self.redis.lindex(keys.dlq, index))
        if entry is None:
            return False
        dead = _parse_dead_letter(entry)
        job = dead.get("job")
        if isinstance(job, dict):
            payload = stringify(_fresh_attempts(job, now_ms()))
        elif isinstance(dead.get("raw"), str):
            # A payload that never parsed goes back verbatim; it fails again unless fixed at the source.
            payload = dead["raw"]
        else:
            return False
        moved = self._retry_dead_letter(keys=[keys.dlq, keys.pending, keys.stats], args=[entry, payload])
        return int(moved) == 1
