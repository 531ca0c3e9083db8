"""Every Redis key this client touches, spelled as packages/queue/src/keys.ts spells it.

All keys of one queue share the hash tag ``{name}``, so the Lua scripts also run on Redis Cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PREFIX = "queue"
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def assert_queue_name(name: str) -> None:
    if not isinstance(name, str) or not _QUEUE_NAME.match(name):
        raise ValueError(f"invalid queue name {name!r}: use 1-64 letters, digits, '_', '-' or '.'")


@dataclass(frozen=True)
class QueueKeys:
    name: str
    prefix: str = DEFAULT_PREFIX

    @property
    def base(self) -> str:
        return f"{self.prefix}:{{{self.name}}}"

    @property
    def pending(self) -> str:
        """Waiting jobs, oldest at the head; urgent jobs are pushed to the head."""
        return self.base

    @property
    def delayed(self) -> str:
        """Sorted set of jobs by due time (ms since the epoch)."""
        return f"{self.base}:delayed"

    @property
    def prioritized(self) -> str:
        """Sorted set of jobs with a priority level (the engine's prioritized lane)."""
        return f"{self.base}:prioritized"

    @property
    def dlq(self) -> str:
        """Dead letters, newest first."""
        return f"{self.base}:dlq"

    @property
    def stats(self) -> str:
        return f"{self.base}:stats"

    @property
    def workers(self) -> str:
        """Lease expiry of every worker, by worker id."""
        return f"{self.base}:workers"

    def active(self, worker_id: str) -> str:
        return f"{self.base}:active:{worker_id}"

    def landing(self, worker_id: str) -> str:
        return f"{self.base}:landing:{worker_id}"

    def idempotency(self, key: str) -> str:
        return f"{self.base}:idem:{key}"

    @property
    def seed_pending(self) -> str:
        """The list seed 004's own producer RPUSHes to (``queue:email``); the engine consumes it too."""
        return f"{self.prefix}:{self.name}"


def queue_keys(name: str, prefix: str = DEFAULT_PREFIX) -> QueueKeys:
    assert_queue_name(name)
    return QueueKeys(name, prefix)


def registry_key(prefix: str = DEFAULT_PREFIX) -> str:
    """Set of known queue names (listQueues in the engine, the admin's queue list)."""
    return f"{prefix}:registry"
