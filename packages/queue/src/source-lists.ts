// Lists other producers write to (the seed systems' own keys, such as seed 004's `queue:email`),
// consumed with the same guarantees as the queue's own list: each job moves from the source list
// to the tail of the queue's pending list in one Redis operation (BLMOVE), so it is always in
// exactly one list, and from there it is claimed, de-duplicated and acked like any other. A
// blocking move per list means no polling delay.
//
// On Redis Cluster a key without the queue's hash tag lives in another slot, where no single
// command can move it: such lists are not consumed there, and the worker says so at start.
import { isCluster, type RedisConnection } from "./connection.ts";
import { errorMessage } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { within } from "./timeout.ts";

export interface SourceList {
  key: string;
  /** How its producers add jobs: RPUSH puts the newest at the tail, LPUSH at the head. */
  pushedWith: "RPUSH" | "LPUSH";
}

const BLOCK_SECONDS = 1;
const SWEEP_LIMIT = 100_000;

export class SourceForwarder {
  private readonly lists: SourceList[];
  private readonly connections: RedisConnection[] = [];
  private loops: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly queue: { name: string; pending: string },
    lists: SourceList[],
    private readonly log: Logger,
  ) {
    this.lists = lists.filter((list) => this.movable(list));
  }

  /** Starts one blocking mover per list. */
  start(): void {
    for (const list of this.lists) {
      const connection = this.redis.duplicate();
      connection.on("error", (error: Error) => this.log.debug({ list: list.key, err: error.message }, "source list"));
      this.connections.push(connection);
      this.loops.push(this.forward(list, connection));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A blocked move ends only with disconnect().
    for (const connection of this.connections) connection.disconnect();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Moves everything waiting in the source lists now, without blocking (drains use this). */
  async sweep(): Promise<number> {
    let moved = 0;
    for (const list of this.lists) {
      while (moved < SWEEP_LIMIT && (await moveOldest(this.redis, list, this.queue.pending))) moved++;
    }
    return moved;
  }

  private async forward(list: SourceList, connection: RedisConnection): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const moved = await within(
          moveOldest(connection, list, this.queue.pending, BLOCK_SECONDS),
          BLOCK_SECONDS * 1000 + 5_000,
        );
        if (!moved.done) connection.disconnect(true); // the watchdog: a hung move after a network cut
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        failures++;
        if (failures === 1 || failures % 20 === 0) {
          this.log.warn(
            { queue: this.queue.name, list: list.key, err: errorMessage(error) },
            "source list move failed",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * failures, 2_000)));
      }
    }
  }

  private movable(list: SourceList): boolean {
    if (!isCluster(this.redis) || list.key.includes(`{${this.queue.name}}`)) return true;
    this.log.warn(
      { queue: this.queue.name, list: list.key },
      `on Redis Cluster ${list.key} lives in another slot and cannot be moved atomically: producers must push to ${this.queue.pending}`,
    );
    return false;
  }
}

/** Moves the oldest job of `list` to the tail of `pending`; blocks up to `blockSeconds` when given. */
function moveOldest(
  redis: RedisConnection,
  list: SourceList,
  pending: string,
  blockSeconds?: number,
): Promise<string | null> {
  // RPUSH producers leave the oldest at the head, LPUSH producers at the tail.
  if (blockSeconds === undefined) {
    return list.pushedWith === "RPUSH"
      ? redis.lmove(list.key, pending, "LEFT", "RIGHT")
      : redis.lmove(list.key, pending, "RIGHT", "RIGHT");
  }
  return list.pushedWith === "RPUSH"
    ? redis.blmove(list.key, pending, "LEFT", "RIGHT", blockSeconds)
    : redis.blmove(list.key, pending, "RIGHT", "RIGHT", blockSeconds);
}
