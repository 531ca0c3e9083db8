// A campaign's content as one body for every recipient of a provider batch: each {{variable}} is
// replaced by a token, and each recipient gets the token's value (HTML-escaped where Handlebars
// would escape it), which the provider substitutes (SendGrid substitutions, SES template data).
// Only plain variables can be done this way; a campaign using blocks ({{#if}}, {{#each}}),
// helpers or partials yields null and its recipients are rendered and sent one by one as before.
// The subject is rendered per recipient: every provider batch takes a subject per recipient.
import type { RedisConnection } from "@notify/queue";
import { loadCampaign } from "@notify/queue/notifications";
import Handlebars from "handlebars";
import { oneLineText } from "../text-safety.ts";

const TOKEN = /\[%nq(\d+)%\]/g;
const tokenOf = (slot: number) => `[%nq${slot}%]`;
const MAX_CACHED = 200;

interface Slot {
  path: string[];
  /** HTML-escape the value (a {{double}} mustache in the HTML part). */
  escape: boolean;
}

export interface CampaignBatchTemplate {
  html: string;
  text: string;
  slots: Slot[];
  subject: HandlebarsTemplateDelegate;
}

type Statement = hbs.AST.Statement;

/** The template with a token for each variable, or null when it uses more than plain variables. */
function tokenize(source: string, slots: Slot[], escapeHtml: boolean): string | null {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch {
    return null;
  }
  let out = "";
  for (const statement of program.body as Statement[]) {
    if (statement.type === "ContentStatement") out += (statement as hbs.AST.ContentStatement).value;
    else if (statement.type === "CommentStatement") continue;
    else if (statement.type === "MustacheStatement") {
      const mustache = statement as hbs.AST.MustacheStatement & { escaped?: boolean };
      const path = mustache.path as hbs.AST.PathExpression;
      if (path.type !== "PathExpression" || path.data || path.depth > 0 || path.parts.length === 0) return null;
      if (mustache.params.length > 0 || mustache.hash) return null;
      out += tokenOf(slots.length);
      slots.push({ path: [...path.parts], escape: escapeHtml && mustache.escaped !== false });
    } else return null;
  }
  return out;
}

/** The per-recipient text fallback of campaign-renderer.ts, applied once to the tokenized HTML. */
function textFromHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(head|style|script)[\s\S]*?<\/\1>/gi, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export function buildBatchTemplate(content: {
  subject: string;
  html: string;
  text?: string;
}): CampaignBatchTemplate | null {
  if (`${content.html}${content.text ?? ""}`.includes("[%nq")) return null;
  const slots: Slot[] = [];
  const html = tokenize(content.html, slots, true);
  if (html === null) return null;
  let text: string | null;
  if (content.text) text = tokenize(content.text, slots, false);
  else {
    // Unescaped HTML values would have their tags stripped from the text: render those one by one.
    if (slots.some((slot) => !slot.escape)) return null;
    text = textFromHtml(html);
  }
  if (text === null) return null;
  try {
    return { html, text, slots, subject: Handlebars.create().compile(content.subject, { noEscape: true }) };
  } catch {
    return null;
  }
}

function lookup(context: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const part of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** One recipient's subject and token values; `context` is what the campaign renders with. */
export function recipientValues(
  template: CampaignBatchTemplate,
  context: Record<string, unknown>,
): { subject: string; substitutions: Record<string, string> } {
  const substitutions: Record<string, string> = {};
  template.slots.forEach((slot, index) => {
    const value = lookup(context, slot.path);
    substitutions[tokenOf(index)] = slot.escape
      ? Handlebars.escapeExpression(value as string)
      : value == null
        ? ""
        : String(value);
  });
  return { subject: oneLineText(template.subject(context)).slice(0, 250), substitutions };
}

/** The recipient's own html or text: what a provider that cannot batch is sent. */
export function substitute(text: string, substitutions: Record<string, string>): string {
  return text.replace(TOKEN, (token) => substitutions[token] ?? "");
}

/** Batch templates by campaign id, read from Redis once each (a few hundred kept). */
export class CampaignBatchTemplates {
  private readonly cached = new Map<string, Promise<CampaignBatchTemplate | null>>();

  constructor(private readonly redis: RedisConnection) {}

  get(campaignId: string): Promise<CampaignBatchTemplate | null> {
    let found = this.cached.get(campaignId);
    if (!found) {
      found = loadCampaign(this.redis, campaignId).then((stored) => (stored ? buildBatchTemplate(stored) : null));
      // A failed read is not kept: the next job reads again.
      found.catch(() => this.cached.delete(campaignId));
      if (this.cached.size >= MAX_CACHED) {
        const oldest = this.cached.keys().next().value;
        if (oldest !== undefined) this.cached.delete(oldest);
      }
      this.cached.set(campaignId, found);
    }
    return found;
  }
}
