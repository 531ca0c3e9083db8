// Stored templates in Redis: one hash per template holding the draft being edited, the published
// versions (v:<n>, at most TEMPLATE_LIMITS.maxVersions) and `live`, a copy of the version that is
// sent now, so a worker reads what it sends with one HGET. An index sorted set lists them and caps
// their number. Admin edits are rare and single-writer in practice; a version number comes from
// HINCRBY, so two publishes at once still get distinct versions.
import { randomBytes } from "node:crypto";
import type { RedisConnection } from "../connection.ts";
import { templateKeys } from "./keys.ts";
import {
  type LiveTemplate,
  type StoredTemplate,
  type StoredTemplateInput,
  storedTemplateSchema,
  TEMPLATE_LIMITS,
  TEMPLATE_NAME,
} from "./stored-templates.ts";

export type Channel = StoredTemplate["channel"];

export class TemplateStoreError extends Error {
  override readonly name = "TemplateStoreError";
  constructor(
    message: string,
    readonly code: "not_found" | "limit" | "invalid",
  ) {
    super(message);
  }
}

export interface VersionInfo {
  version: number;
  at: number;
  note?: string;
}

export interface TemplateSummary {
  channel: Channel;
  name: string;
  category: string;
  description?: string;
  /** The version sent now; null while only a draft exists. */
  published: number | null;
  latest: number;
  updatedAt: number;
  /** The draft differs from the published version. */
  unpublishedChanges: boolean;
}

export interface TemplateDetail extends TemplateSummary {
  draft: StoredTemplate;
  versions: VersionInfo[];
}

interface StoredVersion {
  template: StoredTemplate;
  at: number;
  note?: string;
}

const member = (channel: Channel, name: string) => `${channel}:${name}`;

function parse<T>(raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** Saves the draft of a template (creating it when new); it is sent only once published. */
export async function saveTemplateDraft(
  redis: RedisConnection,
  input: StoredTemplateInput,
): Promise<{ created: boolean }> {
  const parsed = storedTemplateSchema.safeParse(input);
  if (!parsed.success)
    throw new TemplateStoreError(parsed.error.issues.map((issue) => issue.message).join("; "), "invalid");
  const template = parsed.data;
  const keys = templateKeys();
  const id = member(template.channel, template.name);
  const [known, count] = await Promise.all([redis.zscore(keys.index, id), redis.zcard(keys.index)]);
  if (known === null && count >= TEMPLATE_LIMITS.maxTemplates)
    throw new TemplateStoreError(`at most ${TEMPLATE_LIMITS.maxTemplates} stored templates; delete one first`, "limit");
  const now = Date.now();
  await redis
    .multi()
    .hset(keys.template(template.channel, template.name), { draft: JSON.stringify(template), updatedAt: now })
    .zadd(keys.index, now, id)
    .exec();
  return { created: known === null };
}

/** Publishes the draft as a new version, which workers send from then on. */
export async function publishTemplate(
  redis: RedisConnection,
  channel: Channel,
  name: string,
  note?: string,
): Promise<VersionInfo> {
  const key = templateKeys().template(channel, name);
  const draft = await redis.hget(key, "draft");
  const template = parse<StoredTemplate>(draft);
  if (!template) throw new TemplateStoreError(`no stored ${channel} template "${name}"`, "not_found");
  const version = await redis.hincrby(key, "latest", 1);
  const at = Date.now();
  const stored: StoredVersion = { template, at, ...(note ? { note: note.slice(0, 200) } : {}) };
  const live: LiveTemplate = { ...template, version };
  const tx = redis.multi().hset(key, {
    [`v:${version}`]: JSON.stringify(stored),
    live: JSON.stringify(live),
    published: version,
    updatedAt: at,
  });
  // Oldest versions beyond the cap go; the one just published is the newest, so it stays.
  const oldest = version - TEMPLATE_LIMITS.maxVersions;
  if (oldest >= 1) tx.hdel(key, ...Array.from({ length: Math.min(oldest, 50) }, (_, i) => `v:${oldest - i}`));
  await tx.zadd(templateKeys().index, at, member(channel, name)).set(templateKeys().liveVersion, newToken()).exec();
  forgetLiveTemplates(redis);
  return { version, at, ...(stored.note ? { note: stored.note } : {}) };
}

/** Makes an earlier published version live again (and the draft, so the next edit starts from it). */
export async function rollbackTemplate(
  redis: RedisConnection,
  channel: Channel,
  name: string,
  version: number,
): Promise<void> {
  const key = templateKeys().template(channel, name);
  const stored = parse<StoredVersion>(await redis.hget(key, `v:${version}`));
  if (!stored) throw new TemplateStoreError(`${channel} template "${name}" has no version ${version}`, "not_found");
  const live: LiveTemplate = { ...stored.template, version };
  const now = Date.now();
  await redis
    .multi()
    .hset(key, {
      live: JSON.stringify(live),
      published: version,
      draft: JSON.stringify(stored.template),
      updatedAt: now,
    })
    .zadd(templateKeys().index, now, member(channel, name))
    .set(templateKeys().liveVersion, newToken())
    .exec();
  forgetLiveTemplates(redis);
}

/** The published version workers send, or null (then a built-in of that name, if any, is used). */
export async function liveTemplate(
  redis: RedisConnection,
  channel: Channel,
  name: string,
): Promise<LiveTemplate | null> {
  // Job types are anyone's text: only a well-formed name is worth a Redis read.
  if (!TEMPLATE_NAME.test(name)) return null;
  return parse<LiveTemplate>(await redis.hget(templateKeys().template(channel, name), "live"));
}

/** A change of the live templates is seen by cachedLiveTemplate in other processes within this. */
export const LIVE_RECHECK_MS = 250;
/** Names remembered at once; names are bounded by the store's cap, this bounds junk names. */
const MAX_CACHED = 1_000;
const newToken = () => randomBytes(9).toString("base64url");

interface LiveCache {
  token: string | null;
  checkedAt: number;
  recheck: Promise<void> | null;
  entries: Map<string, Promise<LiveTemplate | null>>;
}
const liveCaches = new WeakMap<RedisConnection, LiveCache>();

/** Drops what this connection cached: a write through it is seen by its next read. */
function forgetLiveTemplates(redis: RedisConnection): void {
  liveCaches.delete(redis);
}

/**
 * liveTemplate for a hot path (the API checks every send against its template): results are
 * cached per connection and trusted while the live-version token (replaced by every publish,
 * rollback and delete) is unchanged. The token is read at most once every LIVE_RECHECK_MS, that
 * read shared by every call meanwhile, so a change made elsewhere is seen within LIVE_RECHECK_MS
 * and one made through this connection at once. A random token, not a counter: a Redis that lost
 * its data and counted again could repeat one.
 */
export async function cachedLiveTemplate(
  redis: RedisConnection,
  channel: Channel,
  name: string,
): Promise<LiveTemplate | null> {
  if (!TEMPLATE_NAME.test(name)) return null;
  let cache = liveCaches.get(redis);
  if (!cache) {
    cache = { token: null, checkedAt: Number.NEGATIVE_INFINITY, recheck: null, entries: new Map() };
    liveCaches.set(redis, cache);
  }
  if (Date.now() - cache.checkedAt >= LIVE_RECHECK_MS) await recheckToken(redis, cache);
  const key = `${channel}:${name}`;
  const hit = cache.entries.get(key);
  if (hit) return hit;
  const entries = cache.entries;
  const read = liveTemplate(redis, channel, name);
  // A failed read is not remembered: the next call asks Redis again.
  read.catch(() => entries.delete(key));
  if (entries.size >= MAX_CACHED) entries.clear();
  entries.set(key, read);
  return read;
}

function recheckToken(redis: RedisConnection, cache: LiveCache): Promise<void> {
  cache.recheck ??= redis
    .get(templateKeys().liveVersion)
    .then((token) => {
      // Reads issued before this one ran before it in Redis: they may predate the change, so go.
      if (token !== cache.token) cache.entries = new Map();
      cache.token = token;
      cache.checkedAt = Date.now();
    })
    .finally(() => {
      cache.recheck = null;
    });
  return cache.recheck;
}

function summaryOf(channel: Channel, name: string, fields: Record<string, string>): TemplateSummary | null {
  const draft = parse<StoredTemplate>(fields.draft);
  if (!draft) return null;
  const live = parse<LiveTemplate>(fields.live);
  const published = fields.published ? Number(fields.published) : null;
  const { version: _version, ...liveTemplate } = live ?? { version: 0 };
  return {
    channel,
    name,
    category: draft.category,
    ...(draft.description ? { description: draft.description } : {}),
    published,
    latest: Number(fields.latest ?? 0),
    updatedAt: Number(fields.updatedAt ?? 0),
    unpublishedChanges: !live || JSON.stringify(liveTemplate) !== JSON.stringify(draft),
  };
}

export async function getTemplate(
  redis: RedisConnection,
  channel: Channel,
  name: string,
): Promise<TemplateDetail | null> {
  const fields = await redis.hgetall(templateKeys().template(channel, name));
  const summary = summaryOf(channel, name, fields);
  const draft = parse<StoredTemplate>(fields.draft);
  if (!summary || !draft) return null;
  const versions: VersionInfo[] = [];
  for (const [field, raw] of Object.entries(fields)) {
    if (!field.startsWith("v:")) continue;
    const stored = parse<StoredVersion>(raw);
    if (stored)
      versions.push({ version: Number(field.slice(2)), at: stored.at, ...(stored.note ? { note: stored.note } : {}) });
  }
  versions.sort((a, b) => b.version - a.version);
  return { ...summary, draft, versions };
}

/** Every stored template (at most TEMPLATE_LIMITS.maxTemplates), most recently changed first. */
export async function listTemplates(redis: RedisConnection, channel?: Channel): Promise<TemplateSummary[]> {
  const keys = templateKeys();
  const members = await redis.zrevrange(keys.index, 0, TEMPLATE_LIMITS.maxTemplates - 1);
  const wanted = members
    .map((id) => {
      const at = id.indexOf(":");
      return { channel: id.slice(0, at) as Channel, name: id.slice(at + 1) };
    })
    .filter(
      (entry) => (entry.channel === "email" || entry.channel === "sms") && (!channel || entry.channel === channel),
    );
  const pipeline = redis.pipeline();
  for (const entry of wanted) pipeline.hgetall(keys.template(entry.channel, entry.name));
  const results = (await pipeline.exec()) ?? [];
  const summaries: TemplateSummary[] = [];
  wanted.forEach((entry, i) => {
    const fields = results[i]?.[1] as Record<string, string> | undefined;
    const summary = fields ? summaryOf(entry.channel, entry.name, fields) : null;
    if (summary) summaries.push(summary);
  });
  return summaries;
}

/** Deletes a stored template and its versions; a built-in of that name is sent again. */
export async function deleteTemplate(redis: RedisConnection, channel: Channel, name: string): Promise<boolean> {
  const keys = templateKeys();
  const [[, removed]] = ((await redis
    .multi()
    .del(keys.template(channel, name))
    .zrem(keys.index, member(channel, name))
    .set(keys.liveVersion, newToken())
    .exec()) ?? [[null, 0]]) as [[unknown, number]];
  forgetLiveTemplates(redis);
  return removed === 1;
}

export const templateStore = {
  saveDraft: saveTemplateDraft,
  publish: publishTemplate,
  rollback: rollbackTemplate,
  live: liveTemplate,
  get: getTemplate,
  list: listTemplates,
  delete: deleteTemplate,
};
