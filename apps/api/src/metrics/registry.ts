// Prometheus metrics of one app instance (own registry, so several apps in one process never clash).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ApiMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<"route" | "method" | "status">;
  readonly enqueueDuration: Histogram<"queue">;
  readonly trackingEvents: Counter<"kind" | "outcome">;
  readonly webhookEvents: Counter<"provider" | "outcome">;
  readonly redisUp: Gauge;
  /** 1 while Redis refuses writes at maxmemory. */
  readonly redisOutOfMemory: Gauge;
  /** 1 when maxmemory-policy may evict queued jobs (anything but noeviction). */
  readonly redisEvictingPolicy: Gauge;
  readonly queueJobs: Gauge<"queue" | "state">;
  readonly queueWorkers: Gauge<"queue">;
  /** 1 for a queue holding more dead letters than DLQ_ALERT_THRESHOLD (seed 004's "alert if > 100"). */
  readonly deadLetterAlert: Gauge<"queue">;
  readonly deadLetterAlertThreshold: Gauge;
  /** Totals kept by the engine in Redis; copied in on every scrape. */
  readonly queueTotals: Record<QueueTotal, Counter<"queue">>;
  /** Email events counted by the events worker, by type (seed 000's distribution); from Redis. */
  readonly emailEvents: Counter<"type">;
  /** New users seed 000's events announced, by outcome (added, updated, overflow); from Redis. */
  readonly newUsers: Counter<"outcome">;
  /** SMS delivery reports (Twilio, MSG91) counted by the events worker, by type; from Redis. */
  readonly smsEvents: Counter<"type">;
  /** 1 for each provider's current breaker state (closed, open, half_open), as the workers last reported it. */
  readonly providerBreaker: Gauge<"channel" | "provider" | "state">;
  /** 1 while a provider's breaker is open because it rejected the credentials: alert on this. */
  readonly providerCredentialsRejected: Gauge<"channel" | "provider">;
}

export type QueueTotal = "processed" | "failed" | "retried" | "deadLettered";

export function createMetrics({ defaults = false }: { defaults?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: "notify_api_" });
  const registers = [registry];
  const total = (name: string, help: string) => new Counter({ name, help, labelNames: ["queue"] as const, registers });
  return {
    registry,
    httpDuration: new Histogram({
      name: "notify_http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["route", "method", "status"] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    enqueueDuration: new Histogram({
      name: "notify_enqueue_duration_seconds",
      help: "Time to hand jobs to Redis (one push or one batch)",
      labelNames: ["queue"] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    trackingEvents: new Counter({
      name: "notify_tracking_requests_total",
      help: "Tracking pixel and click requests by outcome",
      labelNames: ["kind", "outcome"] as const,
      registers,
    }),
    webhookEvents: new Counter({
      name: "notify_webhook_events_total",
      help: "Provider webhook events by outcome",
      labelNames: ["provider", "outcome"] as const,
      registers,
    }),
    redisUp: new Gauge({ name: "notify_redis_up", help: "1 when the last scrape reached Redis", registers }),
    redisOutOfMemory: new Gauge({
      name: "notify_redis_out_of_memory",
      help: "1 while Redis is at maxmemory and refuses writes",
      registers,
    }),
    redisEvictingPolicy: new Gauge({
      name: "notify_redis_evicting_policy",
      help: "1 when maxmemory-policy is not noeviction (queued jobs may be evicted)",
      registers,
    }),
    queueJobs: new Gauge({
      name: "notify_queue_jobs",
      help: "Jobs per queue and state",
      labelNames: ["queue", "state"] as const,
      registers,
    }),
    queueWorkers: new Gauge({
      name: "notify_queue_workers",
      help: "Workers holding a live lease",
      labelNames: ["queue"] as const,
      registers,
    }),
    deadLetterAlert: new Gauge({
      name: "notify_dead_letter_alert",
      help: "1 when the queue holds more dead letters than DLQ_ALERT_THRESHOLD",
      labelNames: ["queue"] as const,
      registers,
    }),
    deadLetterAlertThreshold: new Gauge({
      name: "notify_dead_letter_alert_threshold",
      help: "DLQ_ALERT_THRESHOLD: dead letters a queue may hold before it is flagged (0 = off)",
      registers,
    }),
    queueTotals: {
      processed: total("notify_queue_processed_total", "Jobs completed"),
      failed: total("notify_queue_failed_total", "Job attempts that failed"),
      retried: total("notify_queue_retried_total", "Jobs scheduled for another attempt"),
      deadLettered: total("notify_queue_dead_lettered_total", "Jobs moved to the dead-letter list"),
    },
    emailEvents: new Counter({
      name: "notify_email_events_total",
      help: "Email events counted by the events worker, by type",
      labelNames: ["type"] as const,
      registers,
    }),
    newUsers: new Counter({
      name: "notify_email_event_new_users_total",
      help: "New users announced by email events, by outcome",
      labelNames: ["outcome"] as const,
      registers,
    }),
    smsEvents: new Counter({
      name: "notify_sms_events_total",
      help: "SMS delivery reports counted by the events worker, by type",
      labelNames: ["type"] as const,
      registers,
    }),
    providerBreaker: new Gauge({
      name: "notify_provider_breaker_state",
      help: "1 for each provider's circuit breaker state (closed, open, half_open) as last reported by a worker",
      labelNames: ["channel", "provider", "state"] as const,
      registers,
    }),
    providerCredentialsRejected: new Gauge({
      name: "notify_provider_credentials_rejected",
      help: "1 while a provider's breaker is open because it rejected the credentials (401/403)",
      labelNames: ["channel", "provider"] as const,
      registers,
    }),
  };
}

/** Times `work` into `histogram` with the given labels, whether it succeeds or throws. */
export async function timed<T, L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  work: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    return await work();
  } finally {
    end();
  }
}
