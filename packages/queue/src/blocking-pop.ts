// The worker's wait on an empty queue: a blocking move (BLMOVE) of the next job into the worker's
// landing list, on a connection of its own so a blocked pop never delays other commands. A
// watchdog ends a pop that outlives its timeout (the silent hang after a network cut), and the
// connection is replaced after any failure.
import type { RedisConnection } from "./connection.ts";
import type { Logger } from "./logger.ts";
import { within } from "./timeout.ts";

const WATCHDOG_SLACK_MS = 5_000;

export class BlockingPop {
  private connection: RedisConnection | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly queue: { name: string; pending: string },
    private readonly log: Logger,
    /** Told when the connection closes: a pop's reply may have been lost with it. */
    private readonly onClose: () => void,
  ) {}

  /** Waits up to `timeoutSeconds` for a job to land in `landing`; true when one did. */
  async pop(landing: string, timeoutSeconds: number): Promise<boolean> {
    const connection = this.connection ?? this.open();
    try {
      const popped = await within(
        connection.blmove(this.queue.pending, landing, "LEFT", "RIGHT", timeoutSeconds),
        timeoutSeconds * 1000 + WATCHDOG_SLACK_MS,
      );
      if (!popped.done) {
        this.log.warn({ queue: this.queue.name }, "blocking pop did not return in time; reconnecting");
        this.reset(connection);
        return false;
      }
      return popped.value !== null;
    } catch (error) {
      this.reset(connection);
      throw error;
    }
  }

  /** Ends a pop under way: a blocked command ends only with disconnect(), quit() would wait behind it. */
  close(): void {
    this.connection?.disconnect();
  }

  private open(): RedisConnection {
    const connection = this.redis.duplicate();
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
