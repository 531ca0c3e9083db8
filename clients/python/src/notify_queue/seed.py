"""Seed 004's queue helpers (its backend/app/queue.py) by their names and arguments.

They share one client made from REDIS_URL on first use; ``configure()`` sets another. Seed 004's
backend switches channels off with ``EMAIL_ENABLED=false`` / ``SMS_ENABLED=false``: the push then
does nothing and returns None.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Mapping

from .client import EMAIL_QUEUE, SMS_QUEUE, Connection, NotifyQueue

_log = logging.getLogger("notify_queue")
_lock = threading.Lock()
_client: NotifyQueue | None = None
_OFF = {"0", "false", "no", "off"}


def configure(connection: Connection | None = None, **options: Any) -> NotifyQueue:
    """Replaces the shared client, e.g. ``configure(url="redis://...")`` or ``configure(my_redis)``."""
    global _client
    with _lock:
        _client = NotifyQueue(connection, **options)
        return _client


def client() -> NotifyQueue:
    global _client
    with _lock:
        if _client is None:
            _client = NotifyQueue()
        return _client


def _enabled(variable: str) -> bool:
    return os.environ.get(variable, "true").strip().lower() not in _OFF


def push_email_job(email_type: str, to_email: str, data: Mapping[str, Any] | None = None, **options: Any) -> str | None:
    """Queues an email; returns its job id (the first job's id for a repeated idempotency key)."""
    if not _enabled("EMAIL_ENABLED"):
        _log.info("EMAIL_ENABLED is off: %s email not queued", email_type)
        return None
    return client().push_email(email_type, to_email, data, **options).id


def push_sms_job(sms_type: str, mobile: str | int, data: Mapping[str, Any] | None = None, **options: Any) -> str | None:
    """Queues an SMS to ``mobile`` (E.164, or an Indian number without +91); OTPs go first."""
    if not _enabled("SMS_ENABLED"):
        _log.info("SMS_ENABLED is off: %s sms not queued", sms_type)
        return None
    return client().push_sms(sms_type, mobile, data, **options).id


def get_queue_stats() -> dict[str, dict[str, int]]:
    """``{'email': {'pending': 0, 'processing': 0, 'dead_letter': 0}, 'sms': {...}}``."""
    return client().queue_stats((EMAIL_QUEUE, SMS_QUEUE))


def get_dead_letter_jobs(queue: str, start: int = 0, limit: int = 10) -> list[dict[str, Any]]:
    """Dead letters of ``queue`` ("email" or "sms"), newest first."""
    return client().dead_letters(queue, start, limit)


def retry_dead_letter_job(queue: str, index: int) -> bool:
    """Retries the dead letter at ``index`` of get_dead_letter_jobs(queue) (0 = newest)."""
    return client().retry_dead_letter(queue, index)
