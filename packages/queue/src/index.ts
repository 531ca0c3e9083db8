// Public entry of the engine. Apps import from here (and from ./notifications), never from files.
export { ADMIN_AUDIT_CAP, AdminAudit, type AuditEntry, type AuditInput } from "./admin-audit.ts";
export {
  type AdminRole,
  type AdminSession,
  AdminSessions,
  isAdminSessionId,
  MAX_ADMIN_SESSION_MS,
} from "./admin-sessions.ts";
export {
  addItemsToBatch,
  type BatchItem,
  type BatchItemFailures,
  type BatchItemsResult,
  batchItemFailures,
} from "./batch-items.ts";
export {
  type CreateRedisOptions,
  createRedis,
  DEFAULT_REDIS_URL,
  DEFAULT_SENTINEL_NAME,
  parseNodes,
  type RedisConnection,
  redisUrlFromEnv,
} from "./connection.ts";
export { type Continuity, checkContinuity } from "./continuity.ts";
export { type DelayedKind, type DelayedKindPage, isRetryWait, MAX_DELAYED_SCANNED } from "./delayed-kinds.ts";
export type { DeadLetter, EditedRetry } from "./dlq.ts";
export { type DrainFailure, MAX_DRAIN_FAILURES } from "./drain-failures.ts";
export { errorMessage, HaltQueueError, isOutOfMemoryError, PermanentError, RetryableError } from "./errors.ts";
export { decideFailure, type FailureOutcome, type RetryPolicy } from "./failure.ts";
export type { Handler, JobContext } from "./flight.ts";
export type { GroupCommit } from "./group-commit.ts";
export {
  DEFAULT_HEALTH_THRESHOLDS,
  type HealthStatus,
  type HealthThresholds,
  type QueueHealth,
  type QueueReport,
} from "./health.ts";
export type { FoundJob, JobPage, JobState } from "./inspect.ts";
export {
  type Backoff,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_ATTEMPTS,
  type Job,
  jobCreatedAt,
  jobEnvelopeSchema,
  newJobId,
  parseRawJob,
} from "./job.ts";
export {
  DEFAULT_MAX_JOB_BYTES,
  jsonTextDepth,
  MAX_JOB_DEPTH,
  TOO_LARGE_PREFIX_BYTES,
  utf8Bytes,
  valueDepth,
} from "./json-bounds.ts";
export { assertQueueName, type QueueKeys, queueKeys } from "./keys.ts";
export { type Logger, stderrLogger } from "./logger.ts";
export {
  DEFAULT_LOGIN_LIMITS,
  type LoginDecision,
  type LoginLimits,
  LoginThrottle,
} from "./login-throttle.ts";
export type { DeadLetterEntry, DeadLetterReason } from "./outcomes.ts";
export {
  PARTITIONS_VARIABLE,
  partitionsEnvironmentProblem,
  partitionsFromEnv,
  resolvePartitions,
} from "./partition-env.ts";
export { PartitionCountError, registeredPartitions } from "./partition-registry.ts";
export { createWorker, drain, PartitionedWorker, type PartitionedWorkerOptions } from "./partitioned-worker.ts";
export { MAX_PARTITIONS, partitionFor, partitionNames, slotOf } from "./partitions.ts";
export {
  PROCESSING_BUCKETS_SECONDS,
  type ProcessingHistogram,
  quantileOf,
} from "./processing-time.ts";
export type { BatchPush, BulkOptions, BulkResult, JobInput, PushOptions, PushResult } from "./producer.ts";
export { type BatchProgress, type CleanableState, Queue, type QueueOptions } from "./queue.ts";
export { RateLimiter, rateLimiterFor } from "./rate-limiter.ts";
export { redisEnvironmentProblem } from "./redis-env.ts";
export {
  evictionWarning,
  listQueues,
  type RedisInfo,
  type RedisUsage,
  redisInfo,
  redisUsage,
  warnOnEvictionPolicy,
} from "./redis-info.ts";
export { execReplicated, NotReplicatedError, type ReplicationOptions, replicationFromEnv } from "./replication.ts";
export { nextRun, type Schedule, type ScheduleInput, scheduleInputSchema } from "./schedules.ts";
export type { SourceList } from "./source-lists.ts";
export type { FailureRecord, QueueStats, SeriesPoint, WorkerInfo } from "./stats.ts";
export { type DrainResult, Worker } from "./worker.ts";
export type { WorkerListener } from "./worker-events.ts";
export type { RateLimit, WorkerOptions } from "./worker-settings.ts";
