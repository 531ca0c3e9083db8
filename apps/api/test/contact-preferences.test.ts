// Issue 14's leftovers through the real API and real email, SMS, events and webhooks workers, built
// as the worker processes build them (SendGrid's and MSG91's clients against the stand-in; in this
// process, as process start-up is the workers' own suites' concern): a stored template's locale
// variant and quiet hours follow the CONTACT's locale and time zone when the job names none, and
// the unsubscribe page puts an `unsubscribed` event on the message's timeline and tells the
// application's status webhook, once however often the form is sent.
import { createNotifyClient, verifyWebhook } from "@notify/client";
import { type Channel, createDeliveryTarget, createTemplateRenderer } from "@notify/delivery";
import { createWorker, type JobState, Queue, type Worker } from "@notify/queue";
import { EMAIL_EVENTS_QUEUE, EMAIL_QUEUE, SMS_QUEUE, WEBHOOKS_QUEUE } from "@notify/queue/notifications";
import { ProviderStandIn, WebhookReceiver, waitFor } from "@notify/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, OTHER_SERVICE_KEY, startHarness } from "./support/harness.ts";

let h: Harness;
const standIn = new ProviderStandIn({ sendgridApiKey: "SG.contacts", msg91AuthKey: "m91-contacts" });
const receiver = new WebhookReceiver();
const workers: Worker[] = [];
/** The API reads the unsubscribe links the email worker seals with it (32 characters at least). */
const TRACKING_SECRET = "contact-preferences-tracking-secret";

beforeAll(async () => {
  h = await startHarness({
    // Saving a stored template compiles it.
    templates: createTemplateRenderer({ appName: "Acme" }),
    config: { trackingSecret: TRACKING_SECRET },
  });
  await standIn.start();
  await receiver.start();
  const env = {
    REDIS_URL: h.redisServer.url,
    SENDGRID_API_KEY: "SG.contacts",
    SENDGRID_BASE_URL: standIn.url,
    MSG91_AUTH_KEY: "m91-contacts",
    MSG91_BASE_URL: standIn.url,
    TRACKING_BASE_URL: h.app.url,
    TRACKING_SECRET,
    SEED_KEYS: "false",
    LOG_LEVEL: "silent",
  };
  for (const channel of ["email", "sms", "events", "webhooks"] satisfies Channel[]) {
    const target = await createDeliveryTarget(channel, { redis: h.redis, env });
    workers.push(createWorker(target.queue, target.handler, { connection: h.redis, ...target.options }));
  }

  await h.admin.templates.save.mutate({
    channel: "email",
    name: "autumn_sale",
    category: "marketing",
    locales: {
      default: { subject: "Autumn sale", mjml: mjml("Autumn sale {{unsubscribe_url}}"), text: "Autumn sale" },
      de: { subject: "Herbstangebote", mjml: mjml("Herbstangebote {{unsubscribe_url}}"), text: "Herbstangebote" },
    },
  });
  await h.admin.templates.save.mutate({
    channel: "sms",
    name: "pickup_ready",
    locales: { default: { text: "Your parcel is ready" }, de: { text: "Ihr Paket liegt bereit" } },
  });
  await h.admin.templates.publish.mutate({ channel: "email", name: "autumn_sale" });
  await h.admin.templates.publish.mutate({ channel: "sms", name: "pickup_ready" });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close({ graceMs: 1_000 })));
  await receiver.stop();
  await standIn.stop();
  await h?.close();
});

function mjml(text: string): string {
  return `<mjml><mj-body><mj-section><mj-column><mj-text>${text}</mj-text></mj-column></mj-section></mj-body></mjml>`;
}

const subjectsTo = (to: string) =>
  standIn.deliveries
    .filter((d) => d.provider === "sendgrid" && d.to === to)
    .map((d) => (d.body as { subject: string }).subject);
const smsTexts = () =>
  standIn.deliveries
    .filter((d) => d.provider === "msg91")
    .map((d) => (d.body as { sms: { message: string }[] }).sms[0]?.message);

const stateOf = async (queue: string, id: string): Promise<JobState | undefined> =>
  (await new Queue(queue, { connection: h.redis }).getJob(id))?.state;

describe("a stored template's locale variant", () => {
  it("is the contact's locale when the job names none, for email (by address) and SMS (by number)", async () => {
    await h.service.contacts.upsert.mutate({
      id: "greta",
      email: "Greta@example.com",
      phone: "+4915123456789",
      locale: "de-DE",
    });
    await h.service.contacts.upsert.mutate({ id: "ann", email: "ann@example.com", locale: "en" });
    // Another tenant's contact is not this tenant's to use.
    await createNotifyClient({ url: h.app.url, apiKey: OTHER_SERVICE_KEY }).contacts.upsert.mutate({
      id: "otto",
      email: "otto@example.com",
      locale: "de",
    });

    await h.service.email.send.mutate({ template: "autumn_sale", to: "greta@example.com" });
    await h.service.email.send.mutate({ template: "autumn_sale", to: "ann@example.com" });
    await h.service.email.send.mutate({ template: "autumn_sale", to: "otto@example.com" });
    // The job's own locale wins over the contact's.
    await h.service.email.send.mutate({ template: "autumn_sale", to: "greta@example.com", data: { locale: "en" } });
    await h.service.sms.send.mutate({ template: "pickup_ready", to: "+4915123456789" });

    await waitFor(() => subjectsTo("greta@example.com").length === 2 && smsTexts().length === 1, {
      message: "greta's mails and SMS sent",
    });
    await waitFor(() => subjectsTo("ann@example.com").length === 1 && subjectsTo("otto@example.com").length === 1, {
      message: "ann's and otto's mail sent",
    });
    expect(subjectsTo("greta@example.com").sort()).toEqual(["Autumn sale", "Herbstangebote"]);
    expect(subjectsTo("ann@example.com")).toEqual(["Autumn sale"]);
    expect(subjectsTo("otto@example.com")).toEqual(["Autumn sale"]);
    expect(smsTexts()).toEqual(["Ihr Paket liegt bereit"]);
  });
});

/** HH:MM:SS in a zone, `offsetMs` from now. */
const clockIn = (timeZone: string, offsetMs: number) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(Date.now() + offsetMs);

describe("quiet hours in the contact's time zone", () => {
  it("hold a marketing email and a non-OTP SMS to a contact inside the window; OTP and critical go at once", async () => {
    // A window around Kolkata's present hour, whatever the hour: UTC (the default zone) and New
    // York are outside it, so only the contact's zone can hold a message.
    const hour = 3_600_000;
    h.config.quietHours = { start: clockIn("Asia/Kolkata", -hour), end: clockIn("Asia/Kolkata", hour) };
    try {
      await h.service.contacts.upsert.mutate({
        id: "kiran",
        email: "kiran@example.com",
        phone: "+919876543210",
        timeZone: "Asia/Kolkata",
      });
      await h.service.contacts.upsert.mutate({ id: "nora", email: "nora@example.com", timeZone: "America/New_York" });

      const held = await h.service.email.send.mutate({ template: "autumn_sale", to: "kiran@example.com" });
      expect(held.heldUntil).toBeGreaterThan(Date.now() + hour - 5 * 60_000);
      expect(held.heldUntil).toBeLessThanOrEqual(Date.now() + hour);
      expect(await stateOf(EMAIL_QUEUE, held.jobId)).toBe("delayed");
      const heldSms = await h.service.sms.send.mutate({
        template: "order_confirmation",
        to: "+919876543210",
        data: { order_number: "A-1" },
      });
      expect(heldSms.heldUntil).toBe(held.heldUntil);
      expect(await stateOf(SMS_QUEUE, heldSms.jobId)).toBe("delayed");
      // The job's own zone wins over the contact's.
      const zoned = await h.service.email.send.mutate({
        template: "autumn_sale",
        to: "kiran@example.com",
        data: { timeZone: "America/New_York" },
      });
      expect(zoned.heldUntil).toBeUndefined();

      const otp = await h.service.sms.send.mutate({ template: "otp", to: "+919876543210", data: { otp: "4821" } });
      const critical = await h.service.email.send.mutate({
        template: "autumn_sale",
        to: "kiran@example.com",
        options: { critical: true },
      });
      expect([otp.heldUntil, critical.heldUntil]).toEqual([undefined, undefined]);

      // A campaign: Kiran's copy waits, Nora's (New York, outside the window) goes now.
      const campaign = await h.service.email.sendBatch.mutate({
        template: "autumn_sale",
        recipients: [{ to: "kiran@example.com" }, { to: "nora@example.com" }],
      });
      expect(campaign.count).toBe(2);
      // A newsletter with its own content (seed 002's campaigns) waits the same way.
      const newsletter = await h.service.campaigns.send.mutate({
        subject: "Autumn letter",
        html: "<p>Autumn letter</p>",
        recipients: [{ to: "kiran@example.com" }, { to: "nora@example.com" }],
      });
      expect(newsletter.count).toBe(2);

      await waitFor(() => smsTexts().some((text) => text?.includes("4821")), { message: "OTP sent at once" });
      await waitFor(() => subjectsTo("kiran@example.com").length === 2 && subjectsTo("nora@example.com").length === 2, {
        message: "critical, self-zoned and nora's campaign mails sent",
      });
      const batch = await new Queue(EMAIL_QUEUE, { connection: h.redis }).batch(campaign.batchId);
      expect(batch).toMatchObject({ total: 2 });
      const delayed = await h.admin.jobs.list.query({ queue: EMAIL_QUEUE, state: "delayed", limit: 10 });
      expect(delayed.jobs.filter((found) => found.job?.to === "kiran@example.com")).toHaveLength(3);
      expect(subjectsTo("nora@example.com").sort()).toEqual(["Autumn letter", "Autumn sale"]);
      expect(smsTexts().some((text) => text?.includes("A-1"))).toBe(false);
    } finally {
      delete h.config.quietHours;
    }
  });
});

describe("the unsubscribe page", () => {
  it("adds `unsubscribed` to the message's timeline and calls the status webhook once", async () => {
    const endpoint = await h.service.webhooks.create.mutate({
      url: `${receiver.url}/unsubscribes`,
      events: ["message.unsubscribed"],
    });
    const { batchId } = await h.service.email.sendBatch.mutate({
      template: "autumn_sale",
      recipients: [{ to: "uma@example.com" }],
    });
    const sent = await waitFor(
      async () => {
        const page = await h.service.messages.search.query({ batchId });
        return page.messages[0]?.status === "sent" ? page.messages[0] : null;
      },
      { message: "campaign mail sent and logged" },
    );
    const mail = standIn.deliveries.find((d) => d.key === sent.id)?.body as { headers?: Record<string, string> };
    const link = /^<(.+)>$/.exec(mail.headers?.["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(link.startsWith(`${h.app.url}/u/`)).toBe(true);

    const events = new Queue(EMAIL_EVENTS_QUEUE, { connection: h.redis });
    const processedBefore = (await events.stats()).processed;
    expect((await fetch(link)).status).toBe(200); // a GET only asks
    // Gmail's one-click POST, then the page's own form: one unsubscribe, told once.
    const oneClick = { "content-type": "application/x-www-form-urlencoded" };
    expect((await fetch(link, { method: "POST", headers: oneClick, body: "List-Unsubscribe=One-Click" })).status).toBe(
      200,
    );
    expect((await fetch(link, { method: "POST", headers: oneClick, body: "confirm=1" })).status).toBe(200);

    const message = await waitFor(
      async () => {
        const current = await h.service.messages.get.query({ id: sent.id });
        return current.status === "unsubscribed" ? current : null;
      },
      { message: "unsubscribed on the timeline" },
    );
    // Both events were handled, and every webhook call they caused has been made.
    await waitFor(async () => (await events.stats()).processed >= processedBefore + 2, {
      message: "both events handled",
    });
    const webhooks = new Queue(WEBHOOKS_QUEUE, { connection: h.redis });
    await waitFor(
      async () => {
        const stats = await webhooks.stats();
        return stats.pending + stats.active + stats.delayed === 0;
      },
      { message: "webhook calls made" },
    );
    const unsubscribed = message.events.filter((event) => event.type === "unsubscribed");
    expect(unsubscribed).toHaveLength(1);
    expect(unsubscribed[0]).toMatchObject({ category: "marketing" });
    const calls = receiver.to("/unsubscribes");
    expect(calls).toHaveLength(1);
    const call = verifyWebhook(endpoint.secret, calls[0]?.body ?? "", calls[0]?.headers ?? {});
    expect(call.type).toBe("message.unsubscribed");
    expect(call.data.message).toMatchObject({ id: sent.id, status: "unsubscribed", to: "uma@example.com" });
    expect(call.data.event).toMatchObject({ type: "unsubscribed", category: "marketing" });

    // One category stopped, not the address: the event is not a suppression.
    const preferences = await h.admin.preferences.recipient.query({ recipient: "uma@example.com" });
    expect(Object.keys(preferences.unsubscribed)).toEqual(["marketing"]);
    expect(preferences.suppressed).toBeNull();
  });
});
