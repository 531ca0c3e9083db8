// The worker's wait on an empty queue: a blocking move (BLMOVE) of the next job into the worker's
// landing list, on a connection of its own so a blocked pop never delays other commands. A
// watchdog ends a pop that outlives its timeout (the silent hang after a network cut), and the
// connection is replaced after any failure.
import { duplicateForBlocking, type RedisConnection } from "./connection.ts";
import type { Logger } from "./logger.ts";
import { within } from "./timeout.ts";

const WATCHDOG_SLACK_MS = 5_000;

/** The latest a pop of `timeoutSeconds` (and a command sent behind it) can answer before the watchdog ends it. */
export function popDeadlineMs(timeoutSeconds: number): number {
  return timeoutSeconds * 1000 + WATCHDOG_SLACK_MS;
}

/** Whether a job landed, and the answer of the command sent behind the pop (none when it failed or hung). */
export interface Popped<T> {
  landed: boolean;
  next: Promise<T> | undefined;
}

export class BlockingPop {
  private connection: RedisConnection | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly queue: { name: string; pending: string },
    private readonly log: Logger,
    /** Told when the connection closes: a pop's reply may have been lost with it. */
    private readonly onClose: () => void,
  ) {}

  /**
   * Waits up to `timeoutSeconds` for a job to land in `landing`. `next` is sent right behind the
   * pop on the same connection: Redis holds it until the pop returns and then runs it at once, so
   * the claim that takes the landed job in costs no second round trip (it runs after a timeout
   * too). `next` is undefined when the pop failed or hung; its outcome then is unknown, and the
   * connection's close tells the worker to reconcile.
   */
  async pop<T>(
    landing: string,
    timeoutSeconds: number,
    next?: (connection: RedisConnection) => Promise<T>,
  ): Promise<Popped<T>> {
    const connection = this.connection ?? this.open();
    const popping = connection.blmove(this.queue.pending, landing, "LEFT", "RIGHT", timeoutSeconds);
    const following = next?.(connection);
    // Awaited only once the pop is back: until then a failure must not count as unhandled.
    following?.catch(() => {});
    try {
      const popped = await within(popping, popDeadlineMs(timeoutSeconds));
      if (!popped.done) {
        this.log.warn({ queue: this.queue.name }, "blocking pop did not return in time; reconnecting");
        this.reset(connection);
        return { landed: false, next: undefined };
      }
      return { landed: popped.value !== null, next: following && this.answeredSoon(following, connection) };
    } catch (error) {
      this.reset(connection);
      throw error;
    }
  }

  /**
   * Redis runs the command behind the pop as soon as the pop returns, so its reply follows at once;
   * one that does not come means a connection gone silent between the two replies.
   */
  private async answeredSoon<T>(following: Promise<T>, connection: RedisConnection): Promise<T> {
    const answered = await within(following, WATCHDOG_SLACK_MS);
    if (answered.done) return answered.value;
    this.log.warn({ queue: this.queue.name }, "the claim behind the blocking pop did not answer; reconnecting");
    this.reset(connection);
    throw new Error("the claim behind the blocking pop did not answer in time");
  }

  /** Ends a pop under way: a blocked command ends only with disconnect(), quit() would wait behind it. */
  close(): void {
    this.connection?.disconnect();
  }

  private open(): RedisConnection {
    const connection = duplicateForBlocking(this.redis);
    // Outages are reported by the command path; the reconnect loop would only repeat them here.
    connection.on("error", (error: Error) =>
      this.log.debug({ queue: this.queue.name, err: error.message }, "blocking connection error"),
    );
    connection.on("close", this.onClose);
    this.connection = connection;
    return connection;
  }

  private reset(connection: RedisConnection): void {
    connection.disconnect();
    if (this.connection === connection) this.connection = null;
  }
}
