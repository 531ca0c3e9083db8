// The variables the engine reads by itself (node lists, durable pushes, partition counts), checked in one call
// so an entry point can stop at start with one line instead of failing on first use.
import { parseNodes, redisAddrProblem } from "./connection.ts";
import { errorMessage } from "./errors.ts";
import { partitionsEnvironmentProblem } from "./partition-env.ts";
import { replicationFromEnv } from "./replication.ts";

/** The first problem with REDIS_ADDR, REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_WAIT_* or QUEUE_PARTITIONS, or null. */
export function redisEnvironmentProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const addrProblem = redisAddrProblem(env.REDIS_ADDR);
  if (addrProblem) return addrProblem;
  try {
    parseNodes(env.REDIS_CLUSTER_NODES, "REDIS_CLUSTER_NODES");
    parseNodes(env.REDIS_SENTINELS, "REDIS_SENTINELS");
    replicationFromEnv(env);
    return partitionsEnvironmentProblem(env);
  } catch (error) {
    return errorMessage(error);
  }
}
