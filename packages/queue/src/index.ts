// Public entry of the engine. Apps import from here (and from ./notifications), never from files.
export { type CreateRedisOptions, createRedis, DEFAULT_REDIS_URL, type RedisConnection } from "./connection.ts";
export type { DeadLetter } from "./dead-letters.ts";
export { errorMessage, HaltQueueError, PermanentError, RetryableError } from "./errors.ts";
export type { FoundJob, JobPage, JobState } from "./inspect.ts";
export {
  type Backoff,
  DEFAULT_MAX_ATTEMPTS,
  type Job,
  jobCreatedAt,
  jobEnvelopeSchema,
  newJobId,
  parseRawJob,
} from "./job.ts";
export { assertQueueName, type QueueKeys, queueKeys } from "./keys.ts";
export type { Logger } from "./logger.ts";
export type { DeadLetterEntry, DeadLetterReason } from "./outcomes.ts";
export type { BulkOptions, BulkResult, JobInput, PushOptions, PushResult } from "./producer.ts";
export { type BatchProgress, Queue, type QueueOptions } from "./queue.ts";
export { RateLimiter, rateLimiterFor } from "./rate-limiter.ts";
export { listQueues, type RedisInfo, redisInfo } from "./redis-info.ts";
export { nextRun, type Schedule, type ScheduleInput, scheduleInputSchema } from "./schedules.ts";
export type { FailureRecord, QueueStats, SeriesPoint, WorkerInfo } from "./stats.ts";
export { createWorker, type DrainResult, drain, type Handler, type JobContext, Worker } from "./worker.ts";
export type { RateLimit, WorkerOptions } from "./worker-settings.ts";
