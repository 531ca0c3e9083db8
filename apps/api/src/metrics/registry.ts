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
  readonly queueJobs: Gauge<"queue" | "state">;
  readonly queueWorkers: Gauge<"queue">;
  /** Totals kept by the engine in Redis; copied in on every scrape. */
  readonly queueTotals: Record<QueueTotal, Counter<"queue">>;
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
    queueTotals: {
      processed: total("notify_queue_processed_total", "Jobs completed"),
      failed: total("notify_queue_failed_total", "Job attempts that failed"),
      retried: total("notify_queue_retried_total", "Jobs scheduled for another attempt"),
      deadLettered: total("notify_queue_dead_lettered_total", "Jobs moved to the dead-letter list"),
    },
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
