// QUEUE_PARTITIONS: the one rule every process of a deployment reads, and how it meets the count
// registered in Redis (Queue.open, drain, resolvePartitions).
import { describe, expect, it } from "vitest";
import {
  drain,
  PartitionCountError,
  partitionsEnvironmentProblem,
  partitionsFromEnv,
  Queue,
  redisEnvironmentProblem,
  resolvePartitions,
} from "../src/index.ts";
import { aggregateCampaign, EMAIL_QUEUE, pushSmsJob, SMS_QUEUE, sendCampaign } from "../src/notifications/index.ts";
import { queueName, useRedis } from "./setup.ts";

const t = useRedis();

describe("QUEUE_PARTITIONS", () => {
  it("reads queue=count pairs and names itself in every refusal", () => {
    expect([...partitionsFromEnv({ QUEUE_PARTITIONS: " email=3, sms = 2 " })]).toEqual([
      ["email", 3],
      ["sms", 2],
    ]);
    expect(partitionsFromEnv({}).size).toBe(0);
    for (const bad of ["email", "email=0", "email=65", "email=3,email=2", "e mail=2", "email=2=3", "email=x"]) {
      expect(partitionsEnvironmentProblem({ QUEUE_PARTITIONS: bad })).toMatch(/^QUEUE_PARTITIONS: /);
    }
    // Entry points check it with the other engine variables.
    expect(redisEnvironmentProblem({ QUEUE_PARTITIONS: "email=0" })).toMatch(/^QUEUE_PARTITIONS: /);
  });

  it("gives its count, else the registered one, and refuses a count Redis registered differently", async () => {
    const name = queueName("env");
    const env = { QUEUE_PARTITIONS: `${name}=3` };
    expect(await resolvePartitions(t.redis, name, { env })).toBe(3);
    expect(await resolvePartitions(t.redis, name, { env: {} })).toBe(1);
    await new Queue(name, { connection: t.redis, partitions: 3 }).push({ type: "t" });
    expect(await resolvePartitions(t.redis, name, { env: {} })).toBe(3);
    expect((await Queue.open(name, { connection: t.redis, env })).partitions).toHaveLength(3);
    await expect(resolvePartitions(t.redis, name, { env: { QUEUE_PARTITIONS: `${name}=2` } })).rejects.toBeInstanceOf(
      PartitionCountError,
    );
  });

  it("drain() covers every registered partition", async () => {
    const name = queueName("env-drain");
    await new Queue(name, { connection: t.redis, partitions: 3 }).pushBulk(
      Array.from({ length: 9 }, () => ({ type: "t" })),
    );
    const result = await drain(name, async () => {}, { connection: t.connect(), limit: 9, env: {} });
    expect(result).toMatchObject({ processed: 9, remaining: 0 });
  });

  it("spreads a campaign over the email queue's partitions and reports it whole", async () => {
    const email = new Queue(EMAIL_QUEUE, { connection: t.redis, partitions: 3 });
    await email.pause(); // registers the count, as a worker with QUEUE_PARTITIONS=email=3 would
    await email.resume();
    const recipients = Array.from({ length: 6 }, (_, i) => ({ to: `c${i}@example.com` }));
    const { campaignId } = await sendCampaign(t.redis, {
      content: { subject: "News", html: "<p>news</p>" },
      recipients,
    });
    expect(await Promise.all(email.partitions.map((part) => t.redis.llen(part.keys.pending)))).toEqual([2, 2, 2]);
    await drain(EMAIL_QUEUE, async () => {}, { connection: t.connect(), limit: 6, env: {} });
    expect(await aggregateCampaign(t.redis, campaignId)).toMatchObject({ total: 6, done: 6, complete: true });
  });

  it("the seed push helpers spread over the registered partitions, as the API does", async () => {
    const sms = new Queue(SMS_QUEUE, { connection: t.redis, partitions: 2 });
    await sms.pause(); // registers the count
    await sms.resume();
    for (let i = 0; i < 4; i++)
      await pushSmsJob(t.redis, { type: "otp", to: "+919876543210", data: { otp: `${i}1234` } });
    const perPartition = await Promise.all(sms.partitions.map((part) => t.redis.llen(part.keys.pending)));
    expect(perPartition.reduce((a, b) => a + b, 0)).toBe(4);
    expect(perPartition.every((n) => n > 0)).toBe(true);
  });
});
