// Group commit for the hot enqueue paths (tracking events, plain email.send): jobs that arrive in
// the same event-loop turn go to Redis as ONE multi-value RPUSH instead of one command each, which
// is what lets the API keep up with a bare HTTP server under load. Every caller still waits until
// its job is in Redis (or gets the error): nothing is acknowledged before it is stored.
//
// The jobs are written in the engine's wire format (DESIGN.md: "RPUSH <pending list> <json>" is a
// supported way to produce), with the key from the engine's own key builder. Jobs with options
// (delay, urgent, idempotency, batch) never come here: they go through Queue.push.
import { type JobInput, newJobId, queueKeys } from "@notify/queue";
import type { RedisConnection } from "./redis-guard.ts";

/** Above this many waiting jobs a turn's batch is sent at once rather than at the end of the turn. */
const MAX_BATCH = 500;

interface Waiting {
  payload: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class PushBatcher {
  private readonly pending: string;
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: RedisConnection,
    queue: string,
  ) {
    this.pending = queueKeys(queue).pending;
  }

  /** Resolves with the job id once the job is in the queue's pending list. */
  push(input: JobInput): Promise<string> {
    const id = newJobId();
    // The engine's waiting-job shape: "id" first (the claim script reads it from the head of the
    // payload), no attempts while 0, the creation time inside the id.
    const job: Record<string, unknown> = { id, type: input.type };
    if (input.to !== undefined) job.to = input.to;
    job.data = input.data ?? {};
    const payload = JSON.stringify(job);
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ payload, resolve: () => resolve(id), reject });
      if (this.waiting.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    this.redis.rpush(this.pending, ...batch.map((w) => w.payload)).then(
      () => {
        for (const w of batch) w.resolve();
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  }
}
