import type { AdminClient } from "./api.server.ts";

/** Every queue that has keys, plus the built-in ones, sorted. */
export function queueNames(client: AdminClient): Promise<string[]> {
  return client.queues.list.query();
}
