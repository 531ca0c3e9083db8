// How long every connection of the engine waits before its next reconnect: growing 100 ms a
// try, capped at 2 s, forever (workers must come back by themselves after an outage). One rule
// for data nodes, sentinels and the switch-master watch, so they come back together.
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * attempt, 2_000);
}
