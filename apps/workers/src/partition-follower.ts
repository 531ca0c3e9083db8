// A worker process whose queue QUEUE_PARTITIONS does not name follows the count registered in
// Redis. Started before any producer registered one, it would consume partition 0 only and leave
// the jobs producers later spread over the other partitions stranded until a restart; so it checks
// the registry every few seconds and reports a new count. Registration is set-once (HSETNX), so a
// count only ever changes from "not partitioned" to N: one report, then the check stops.
import { errorMessage, type RedisConnection, registeredPartitions } from "@notify/queue";

export const PARTITION_CHECK_MS = 3_000;

export function followRegisteredPartitions(
  redis: RedisConnection,
  queue: string,
  current: number,
  onChange: (partitions: number) => Promise<void>,
  onError: (message: string) => void,
): () => void {
  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    try {
      const registered = await registeredPartitions(redis, queue);
      if (registered === current) return;
      await onChange(registered);
      clearInterval(timer);
    } catch (error) {
      // Redis away, or the new workers did not start: the next check tries again.
      onError(errorMessage(error));
    } finally {
      checking = false;
    }
  }, PARTITION_CHECK_MS);
  return () => clearInterval(timer);
}
