// Group commit for hot enqueue paths (tracking events, plain email.send): jobs pushed in the same
// event-loop turn go to Redis as ONE multi-value RPUSH instead of one command each. Every caller
// still waits until its job is stored (or gets the error): nothing is acknowledged before it is in
// Redis. Envelopes are the producer's own (buildJob), so a grouped job is any other job to a
// worker. Jobs with options (delay, urgent, idempotency, batch) go through Queue.push instead.
// With waitReplicas, a group is acknowledged only once WAIT sees it on the replicas, like a push.
import type { RedisConnection } from "./connection.ts";
import { serializeJob } from "./job.ts";
import type { QueueKeys } from "./keys.ts";
import { buildJob, type JobInput, type PushOptions } from "./producer.ts";
import { execReplicated, type ReplicationOptions } from "./replication.ts";
import { tracedSend } from "./tracing.ts";

/** Above this many waiting jobs a turn's batch is sent at once rather than at the end of the turn. */
const MAX_GROUP = 500;

interface Waiting {
  id: string;
  payload: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: QueueKeys,
    /** Makes the queue visible to listQueues; Queue passes its own registration. */
    private readonly register: () => Promise<unknown>,
    private readonly replication: ReplicationOptions = {},
  ) {}

  /** Resolves with the job id once the job is in the queue's pending list. `tenant` names its owner. */
  push(input: JobInput, options: Pick<PushOptions, "tenant"> = {}): Promise<string> {
    return tracedSend(this.keys.name, 1, (traceparent) => this.enqueue(input, options, traceparent));
  }

  private enqueue(input: JobInput, options: Pick<PushOptions, "tenant">, traceparent?: string): Promise<string> {
    const job = buildJob(
      input,
      options.tenant === undefined ? {} : { tenant: options.tenant },
      Date.now(),
      traceparent,
    );
    const payload = serializeJob(job);
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ id: job.id, payload, resolve: () => resolve(job.id), reject });
      if (this.waiting.length >= MAX_GROUP) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    const payloads = group.map((w) => w.payload);
    const store = (): Promise<unknown> =>
      (this.replication.waitReplicas ?? 0) > 0
        ? execReplicated(
            this.redis,
            (pipeline) => pipeline.rpush(this.keys.pending, ...payloads),
            group.map((w) => w.id),
            this.replication,
          )
        : this.redis.rpush(this.keys.pending, ...payloads);
    this.register()
      .then(store)
      .then(
        () => {
          for (const w of group) w.resolve();
        },
        (error: unknown) => {
          for (const w of group) w.reject(error);
        },
      );
  }
}
