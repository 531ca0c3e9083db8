"""Python producer for the notify queue: seed 004's helpers plus a small client class."""

from .client import (
    DEFAULT_OTP_TTL_SECONDS,
    DEFAULT_REDIS_URL,
    EMAIL_QUEUE,
    SMS_QUEUE,
    NotifyQueue,
    PushResult,
    connect,
)
from .phone import to_e164
from .seed import (
    configure,
    get_dead_letter_jobs,
    get_queue_stats,
    push_email_job,
    push_sms_job,
    retry_dead_letter_job,
)

__all__ = [
    "DEFAULT_OTP_TTL_SECONDS",
    "DEFAULT_REDIS_URL",
    "EMAIL_QUEUE",
    "SMS_QUEUE",
    "NotifyQueue",
    "PushResult",
    "configure",
    "connect",
    "get_dead_letter_jobs",
    "get_queue_stats",
    "push_email_job",
    "push_sms_job",
    "retry_dead_letter_job",
    "to_e164",
]
