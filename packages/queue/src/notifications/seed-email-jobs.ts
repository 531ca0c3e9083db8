// Seed 003's EmailJob, as its Go producer LPUSHes it to `email_queue`:
// {"client_id","contact_ids":[...],"template_id","batch_id"}. It has no `type`, so the email
// worker gives it SEED_EMAIL_JOB_TYPE (the engine's defaultType) and expands it here into one email
// per contact: the contact from the contact store, the template from template_id through a
// pluggable resolver (built-in names today; stored templates can plug in later). Each contact is
// added to the batch once by its id (addItemsToBatch), so a re-run sends nobody twice; a contact
// that cannot be mailed (unknown, no address, bad id) fails alone, with its reason, in the
// progress of the producer's batch_id. Only a job whose template is unknown fails as a whole.
import { z } from "zod";
import { addItemsToBatch, type BatchItem, type BatchItemsResult } from "../batch-items.ts";
import type { RedisConnection } from "../connection.ts";
import { PermanentError } from "../errors.ts";
import { type Job, newJobId } from "../job.ts";
import { queueKeys } from "../keys.ts";
import { type Contact, contactIdSchema } from "./contact-schema.ts";
import { getContacts } from "./contacts.ts";
import { EMAIL_QUEUE, EMAIL_TEMPLATES, type EmailTemplate } from "./email-jobs.ts";
import { describeIssues } from "./template-data.ts";

/** The type an untyped payload on the email queue gets (the email worker's defaultType). */
export const SEED_EMAIL_JOB_TYPE = "email_job";
export const MAX_CONTACTS_PER_EMAIL_JOB = 10_000;

const idText = z.union([z.string(), z.number().int()]).transform(String);

export const seedEmailJobSchema = z.looseObject({
  client_id: idText.pipe(z.string().max(200)).optional(),
  contact_ids: z
    .array(idText.pipe(z.string().max(200)))
    .min(1)
    .max(MAX_CONTACTS_PER_EMAIL_JOB),
  template_id: z.string().trim().min(1).max(200),
  batch_id: z.string().trim().min(1).max(200).optional(),
});

export type SeedEmailJob = z.infer<typeof seedEmailJobSchema>;

export interface ResolvedTemplate {
  template: EmailTemplate;
  /** Data every message of the job gets, under the contact's own attributes. */
  data?: Record<string, unknown>;
}

/** Finds the template a template_id names; null when there is none. */
export type EmailTemplateResolver = (templateId: string) => ResolvedTemplate | null | Promise<ResolvedTemplate | null>;

/** The built-in templates by name, spelled as Go code tends to: `welcome`, `welcome-email`, `Order-Confirmation`. */
export const builtInTemplates: EmailTemplateResolver = (templateId) => {
  const name = templateId
    .trim()
    .toLowerCase()
    .replace(/-/g, "_")
    .replace(/_(email|template)$/, "");
  return (EMAIL_TEMPLATES as string[]).includes(name) ? { template: name as EmailTemplate } : null;
};

/** The batch an EmailJob reports to: its own batch_id, else the job's. */
export function seedEmailJobBatchId(job: Job): string {
  const given = job.batch_id;
  return typeof given === "string" && given.trim() ? given.trim() : (job.batchId ?? job.id);
}

export interface ExpandOptions {
  templates?: EmailTemplateResolver;
  prefix?: string;
}

export interface ExpandResult extends BatchItemsResult {
  batchId: string;
  template: EmailTemplate;
}

function messageFor(contact: Contact, job: Job, seed: SeedEmailJob, resolved: ResolvedTemplate, batchId: string): Job {
  const message: Job = {
    id: newJobId(),
    type: resolved.template,
    to: contact.email ?? "",
    data: {
      ...resolved.data,
      ...contact.attributes,
      user_name: contact.attributes.user_name ?? contact.name,
      name: contact.name,
      locale: contact.locale,
      timeZone: contact.timeZone,
    },
    attempts: 0,
    batchId,
    contactId: contact.id,
  };
  if (seed.client_id !== undefined) message.clientId = seed.client_id;
  if (typeof job.tenant === "string") message.tenant = job.tenant;
  if (job.trace !== undefined) message.trace = job.trace;
  return message;
}

function itemFor(
  id: string,
  contact: Contact | null | undefined,
  build: (contact: Contact) => Job,
  tenant: unknown,
): BatchItem {
  if (!contactIdSchema.safeParse(id).success) return { key: id, failure: "not a valid contact id" };
  // Another tenant's contact is as unknown to this job as one that does not exist.
  if (!contact || (typeof tenant === "string" && contact.tenant !== tenant))
    return { key: id, failure: "unknown contact" };
  if (!contact.email) return { key: id, failure: "contact has no email address" };
  return { key: id, job: build(contact) };
}

export async function expandSeedEmailJob(
  redis: RedisConnection,
  job: Job,
  options: ExpandOptions = {},
): Promise<ExpandResult> {
  const parsed = seedEmailJobSchema.safeParse(job);
  if (!parsed.success)
    throw new PermanentError(`invalid EmailJob: ${describeIssues(parsed.error.issues)}`, { reason: "invalid" });
  const seed = parsed.data;
  const resolved = await (options.templates ?? builtInTemplates)(seed.template_id);
  if (!resolved) {
    throw new PermanentError(`unknown template_id "${seed.template_id}" (built-in: ${EMAIL_TEMPLATES.join(", ")})`, {
      reason: "invalid",
    });
  }
  const batchId = seedEmailJobBatchId(job);
  const ids = [...new Set(seed.contact_ids.map((id) => id.trim()))];
  const lookable = ids.filter((id) => contactIdSchema.safeParse(id).success);
  const contacts = await getContacts(redis, lookable);
  const found = new Map(lookable.map((id, i) => [id, contacts[i] ?? null]));
  const build = (contact: Contact) => messageFor(contact, job, seed, resolved, batchId);
  const items = ids.map((id) => itemFor(id, found.get(id), build, job.tenant));
  const result = await addItemsToBatch(
    redis,
    queueKeys(EMAIL_QUEUE, options.prefix),
    batchId,
    items,
    typeof job.tenant === "string" ? { tenant: job.tenant } : {},
  );
  return { ...result, batchId, template: resolved.template };
}
