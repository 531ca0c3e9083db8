// `push`: test jobs (seed 002's "create test jobs"). For the known email and SMS templates the data
// is valid sample data, so a running worker really processes them; --data overrides it. On the
// email_events queue it pushes valid email events (default EMAIL_DELIVERED), checked before push.
import { type JobInput, Queue } from "../index.ts";
import { EMAIL_EVENT_TYPES, EMAIL_EVENTS_QUEUE, emailEventJobSchema } from "../notifications/email-events.ts";
import { describeIssues } from "../notifications/template-data.ts";
import { type Command, positiveInt, requireQueue, stringOption } from "./command.ts";
import { usageError } from "./errors.ts";

const SAMPLE_DATA: Record<string, (n: number) => Record<string, unknown>> = {
  welcome: (n) => ({ user_name: `Test User ${n}` }),
  order_confirmation: (n) => ({ order_number: `TEST-${n}`, total_amount: "19.99", currency: "USD" }),
  cashback_confirmed: () => ({ amount: "5.00", new_balance: "25.00" }),
  cashback_credited: () => ({ amount: "5.00" }),
  withdrawal_requested: () => ({ amount: "20.00", method: "bank_transfer" }),
  withdrawal_processed: (n) => ({ amount: "20.00", transaction_id: `TX-TEST-${n}` }),
  withdrawal_rejected: () => ({ amount: "20.00", reason: "test rejection" }),
  otp: (n) => ({ otp: String(100000 + (n % 900000)), expires_in_minutes: 10 }),
};

const looksLikeSms = (queue: string) => /sms/i.test(queue);

function recipient(queue: string, n: number, to: string | undefined): string {
  if (to) return to;
  // 555-01xx numbers and example.com are reserved for fiction and tests.
  return looksLikeSms(queue) ? `+1555010${String(n % 100).padStart(2, "0")}` : `test+${n}@example.com`;
}

function parseData(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw usageError("--data must be a JSON object");
  return value as Record<string, unknown>;
}

/** Email events for the events worker: the recipient and time filled in, the whole event checked. */
function emailEvents(count: number, type: string, to: string | undefined, data: Record<string, unknown> | undefined) {
  if (!(EMAIL_EVENT_TYPES as readonly string[]).includes(type))
    throw usageError(`--type must be one of ${EMAIL_EVENT_TYPES.join(", ")} on ${EMAIL_EVENTS_QUEUE}`);
  return Array.from({ length: count }, (_, i) => {
    const event = {
      type,
      data: { recipient: recipient(EMAIL_EVENTS_QUEUE, i + 1, to), timestamp: Date.now(), ...data },
    };
    const checked = emailEventJobSchema.safeParse(event);
    if (!checked.success) throw usageError(`invalid email event: ${describeIssues(checked.error.issues)}`);
    return event;
  });
}

export const push: Command = {
  usage: "push <queue> [--count N] [--type T] [--to addr] [--data json] [--urgent] [--delay ms]",
  summary:
    "enqueue test jobs (default type: otp for sms queues, EMAIL_DELIVERED events on email_events, welcome otherwise)",
  options: {
    count: { type: "string" },
    type: { type: "string" },
    to: { type: "string" },
    data: { type: "string" },
    urgent: { type: "boolean" },
    delay: { type: "string" },
  },
  async run(ctx) {
    const name = requireQueue(ctx, this.usage);
    const count = positiveInt(ctx.values.count, "--count", 1);
    const delayMs = ctx.values.delay === undefined ? undefined : positiveInt(ctx.values.delay, "--delay", 0);
    const events = name === EMAIL_EVENTS_QUEUE;
    const type =
      stringOption(ctx.values, "type") ?? (looksLikeSms(name) ? "otp" : events ? "EMAIL_DELIVERED" : "welcome");
    const data = parseData(stringOption(ctx.values, "data"));
    const to = stringOption(ctx.values, "to");
    const jobs: JobInput[] = events
      ? emailEvents(count, type, to, data)
      : Array.from({ length: count }, (_, i) => ({
          type,
          to: recipient(name, i + 1, to),
          data: data ?? SAMPLE_DATA[type]?.(i + 1) ?? { test: true, n: i + 1 },
        }));
    const options = { urgent: ctx.values.urgent === true, ...(delayMs ? { delayMs } : {}) };
    const queue = await Queue.open(name, { connection: await ctx.redis() });
    if (count === 1 && jobs[0]) {
      const { id } = await queue.push(jobs[0], options);
      ctx.out.result({ queue: name, count: 1, ids: [id] }, () => `${name}: pushed 1 ${type} job ${id}`);
      return;
    }
    const { batchId, ids } = await queue.pushBulk(jobs, options);
    ctx.out.result(
      { queue: name, count, batchId, ids },
      () => `${name}: pushed ${count} ${type} jobs in batch ${batchId}`,
    );
  },
};
