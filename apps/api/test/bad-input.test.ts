// Bad input over HTTP: BAD_REQUEST with the field-level zod issues, or NOT_FOUND for a queue that
// does not exist. Nothing is queued for any of them.
import type { NotifyClient } from "@notify/client";
import { Queue } from "@notify/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trpcError } from "./support/errors.ts";
import { type Harness, startHarness } from "./support/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

type Call = (c: { service: NotifyClient; admin: NotifyClient }) => Promise<unknown>;
const welcome = { user_name: "Ann" };

const badRequests: [string, Call, string][] = [
  [
    "wrong type for to",
    ({ service }) => service.email.send.mutate({ template: "welcome", to: 42 as unknown as string, data: welcome }),
    "to",
  ],
  [
    "bad email address",
    ({ service }) => service.email.send.mutate({ template: "welcome", to: "not-an-email", data: welcome }),
    "to",
  ],
  [
    "unknown email template",
    ({ service }) => service.email.send.mutate({ template: "nope", to: "a@example.com", data: {} }),
    "template",
  ],
  [
    "template data missing a field",
    // welcome renders without a name (seed 004's own sample sends data {}); an order needs its number.
    ({ service }) =>
      service.email.send.mutate({ template: "order_confirmation", to: "a@example.com", data: { total_amount: 5 } }),
    "data.order_number",
  ],
  [
    "wrong type in template data",
    ({ service }) =>
      service.email.send.mutate({
        template: "welcome",
        to: "a@example.com",
        data: { user_name: 7 as unknown as string },
      }),
    "data.user_name",
  ],
  [
    "delayMs and runAt together",
    ({ service }) =>
      service.email.send.mutate({
        template: "welcome",
        to: "a@example.com",
        data: welcome,
        options: { delayMs: 10, runAt: Date.now() + 1000 },
      }),
    "options.runAt",
  ],
  [
    "negative delay",
    ({ service }) =>
      service.email.send.mutate({ template: "welcome", to: "a@example.com", data: welcome, options: { delayMs: -1 } }),
    "options.delayMs",
  ],
  [
    "bad phone number",
    ({ service }) => service.sms.send.mutate({ template: "otp", to: "98765", data: { otp: "1234" } }),
    "to",
  ],
  [
    "bad OTP",
    ({ service }) => service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "12" } }),
    "data.otp",
  ],
  [
    "unknown SMS template",
    ({ service }) => service.sms.send.mutate({ template: "welcome", to: "+919876543210", data: {} }),
    "template",
  ],
  [
    "empty batch",
    ({ service }) => service.email.sendBatch.mutate({ template: "welcome", recipients: [] }),
    "recipients",
  ],
  [
    "oversize batch",
    ({ service }) =>
      service.email.sendBatch.mutate({
        template: "welcome",
        data: welcome,
        recipients: Array.from({ length: 100_001 }, (_, i) => ({ to: `u${i}@example.com` })),
      }),
    "recipients",
  ],
  [
    "one bad recipient in a batch",
    ({ service }) =>
      service.email.sendBatch.mutate({
        template: "welcome",
        data: welcome,
        recipients: [{ to: "ok@example.com" }, { to: "broken" }],
      }),
    "recipients.1.to",
  ],
  ["invalid queue name", ({ admin }) => admin.queues.stats.query({ queue: "no such queue!" }), "queue"],
  ["page size out of range", ({ admin }) => admin.dlq.list.query({ queue: "email", limit: 0 }), "limit"],
  [
    "bad cron expression",
    ({ admin }) =>
      admin.schedules.create.mutate({
        queue: "email",
        name: "x",
        cron: "every tuesday",
        job: { type: "welcome", to: "a@example.com", data: welcome },
      }),
    "cron",
  ],
  [
    "scheduled email job with a bad address",
    ({ admin }) =>
      admin.schedules.create.mutate({
        queue: "email",
        name: "x",
        cron: "* * * * *",
        job: { type: "welcome", to: "nobody", data: welcome },
      }),
    "job.to",
  ],
  [
    "preview of an unknown template",
    ({ admin }) => admin.templates.preview.query({ channel: "email", template: "nope", data: {} }),
    "template",
  ],
  ["drain limit too large", ({ admin }) => admin.workers.drain.mutate({ queue: "email", limit: 1_000_000 }), "limit"],
];

describe("BAD_REQUEST with field-level issues", () => {
  it.each(badRequests)("%s", async (_, call, path) => {
    const error = await trpcError(call(h));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.httpStatus).toBe(400);
    expect(error.issues?.map((i) => i.path)).toContain(path);
    // The flattened form names the top-level field too, for forms that show errors per input.
    expect(Object.keys(error.zodError?.fieldErrors ?? {})).toContain(path.split(".")[0]);
  });

  it("queued nothing for any of them", async () => {
    for (const name of ["email", "sms"]) {
      expect((await new Queue(name, { connection: h.redis }).stats()).pending).toBe(0);
    }
  });
});

describe("unknown queue", () => {
  it.each([
    ["queues.stats", () => h.admin.queues.stats.query({ queue: "no_such_queue" })],
    ["queues.pause", () => h.admin.queues.pause.mutate({ queue: "no_such_queue" })],
    ["dlq.list", () => h.admin.dlq.list.query({ queue: "no_such_queue" })],
    ["jobs.get", () => h.service.jobs.get.query({ queue: "no_such_queue", id: "x" })],
  ])("%s answers NOT_FOUND", async (_, call) => {
    const error = await trpcError(call());
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toMatch(/unknown queue "no_such_queue"/);
  });
});
