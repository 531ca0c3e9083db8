// Durable pushes: Redis replication is asynchronous, so a job the master acknowledged can vanish
// in a failover if the replica that takes over never received it. With `waitReplicas` N a push
// resolves only after WAIT reports the write on at least N replicas; otherwise it rejects with
// NotReplicatedError, and the caller knows the job may not survive a failover (push it again with
// the same id: de-duplication by id makes that safe). WAIT narrows the loss, it does not make
// Redis strongly consistent: see docs/ARCHITECTURE.md, "Failover".
import { CLUSTER_FAILOVER_OPTIONS, isCluster, type RedisConnection } from "./connection.ts";

export interface ReplicationOptions {
  /** Replicas that must hold each push before it resolves; 0 (default) does not wait. */
  waitReplicas?: number;
  /** How long one push waits for them (WAIT's timeout). */
  waitTimeoutMs?: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 1_000;
const MAX_WAIT_REPLICAS = 16;
const MAX_WAIT_TIMEOUT_MS = 60_000;

export class NotReplicatedError extends Error {
  override name = "NotReplicatedError";
  constructor(
    /** Ids of the jobs that were written but are not known to be replicated. */
    readonly jobIds: string[],
    readonly replicas: number,
    readonly required: number,
  ) {
    super(
      `job written to the master but confirmed by ${replicas} of ${required} replicas in time: ` +
        "it may be lost in a failover; push it again (the same id or idempotency key makes that safe)",
    );
  }
}

type Commands = ReturnType<RedisConnection["pipeline"]>;

/** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS; a bad value is an error naming the variable. */
export function replicationFromEnv(env: NodeJS.ProcessEnv = process.env): Required<ReplicationOptions> {
  return {
    waitReplicas: boundedInt(env.REDIS_WAIT_REPLICAS, "REDIS_WAIT_REPLICAS", 0, 0, MAX_WAIT_REPLICAS),
    waitTimeoutMs: boundedInt(
      env.REDIS_WAIT_TIMEOUT_MS,
      "REDIS_WAIT_TIMEOUT_MS",
      DEFAULT_WAIT_TIMEOUT_MS,
      1,
      MAX_WAIT_TIMEOUT_MS,
    ),
  };
}

function boundedInt(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;
const MAX_REDIRECTED_ATTEMPTS = 20;

/**
 * Runs the job writes `write` adds to a pipeline, with WAIT as its last command. Same pipeline,
 * same connection (on Cluster, the node that owns the queue's slot): WAIT then covers exactly
 * these writes, even when other pushes share the connection.
 */
export async function execReplicated(
  redis: RedisConnection,
  write: (pipeline: Commands) => void,
  jobIds: string[],
  { waitReplicas = 0, waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_MS }: ReplicationOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const pipeline = redis.pipeline();
    write(pipeline);
    if (waitReplicas > 0) pipeline.wait(waitReplicas, waitTimeoutMs);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error)?.[0];
    if (!failed) {
      const replicas = waitReplicas > 0 ? Number(results.at(-1)?.[1] ?? 0) : 0;
      if (replicas < waitReplicas) throw new NotReplicatedError(jobIds, replicas, waitReplicas);
      return;
    }
    // After a Cluster failover the slot map is stale: every write is redirected, so nothing was
    // written and sending again is safe. ioredis resends such a pipeline by itself only when
    // every command failed alike, and WAIT, which has no key, did not.
    const writes = waitReplicas > 0 ? results.slice(0, -1) : results;
    const redirected = writes.every(([error]) => error && REDIRECTED.test(error.message));
    if (!isCluster(redis) || !redirected || waitReplicas === 0 || attempt >= MAX_REDIRECTED_ATTEMPTS) throw failed;
    redis.refreshSlotsCache();
    await new Promise((r) => setTimeout(r, CLUSTER_FAILOVER_OPTIONS.retryDelayOnFailover));
  }
}

/**
 * For a push made by a script on its own (the idempotent push): proves the key it wrote is on the
 * current master and that the master's replicas have caught up with it. The EXPIRE is the write
 * WAIT measures from; it resets the key's lifetime to the same length, which is harmless. Were the
 * push made on a master that failed over since, GET finds the key only if the new master has it.
 */
export async function confirmReplicated(
  redis: RedisConnection,
  key: string,
  expected: string,
  ttlSeconds: number,
  options: ReplicationOptions,
): Promise<void> {
  const { waitReplicas = 0, waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_MS } = options;
  if (waitReplicas <= 0) return;
  const results =
    (await redis.pipeline().get(key).expire(key, ttlSeconds).wait(waitReplicas, waitTimeoutMs).exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  const replicas = Number(results[2]?.[1] ?? 0);
  if (results[0]?.[1] !== expected || replicas < waitReplicas) {
    throw new NotReplicatedError([expected], replicas, waitReplicas);
  }
}
