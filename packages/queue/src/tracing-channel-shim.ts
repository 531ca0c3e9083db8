// Bun's diagnostics_channel TracingChannel has no `hasSubscribers` (Node has it since 22). ioredis
// 5.11 reads it before every command and takes "undefined" for "someone is listening", so under
// Bun each command built a sanitised copy of its arguments and went through tracePromise with no
// subscriber at all. This adds the getter as Node defines it: true when any of the tracing
// channel's five channels has a subscriber. Where the runtime has it already, nothing changes.
import diagnostics from "node:diagnostics_channel";

type Channels = Record<"start" | "end" | "asyncStart" | "asyncEnd" | "error", { hasSubscribers: boolean }>;
const probe = diagnostics.tracingChannel("notify:probe");

if (!("hasSubscribers" in probe)) {
  Object.defineProperty(Object.getPrototypeOf(probe), "hasSubscribers", {
    configurable: true,
    // Read before every command: plain property reads, no allocation.
    get(this: Channels) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      );
    },
  });
}
