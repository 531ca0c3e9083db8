// Renders campaign emails (notifications/campaigns.ts): the content is read from Redis once per
// campaign and compiled once with Handlebars (values HTML-escaped in the HTML, subject one line);
// each recipient then costs one template run. A few hundred campaigns stay compiled; older ones
// are dropped and read again if their jobs still come.
import { PermanentError, type RedisConnection } from "@notify/queue";
import { loadCampaign } from "@notify/queue/notifications";
import Handlebars from "handlebars";
import { oneLineText } from "../text-safety.ts";
import type { RenderedEmail } from "./email-renderer.ts";

const MAX_COMPILED = 200;

interface CompiledCampaign {
  subject: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate | null;
}

export class CampaignRenderer {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<string, Promise<CompiledCampaign>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly appName: string,
  ) {}

  private campaign(id: string): Promise<CompiledCampaign> {
    let found = this.compiled.get(id);
    if (!found) {
      found = this.load(id);
      // A failed load (Redis away, campaign gone) is not kept: the retry reads again.
      found.catch(() => this.compiled.delete(id));
      if (this.compiled.size >= MAX_COMPILED) {
        const oldest = this.compiled.keys().next().value;
        if (oldest !== undefined) this.compiled.delete(oldest);
      }
      this.compiled.set(id, found);
    }
    return found;
  }

  private async load(id: string): Promise<CompiledCampaign> {
    const stored = await loadCampaign(this.redis, id);
    if (!stored)
      throw new PermanentError(`campaign ${id} is not stored (expired or never created)`, { reason: "invalid" });
    try {
      return {
        subject: this.hbs.compile(stored.subject, { noEscape: true, strict: false }),
        html: this.hbs.compile(stored.html),
        text: stored.text ? this.hbs.compile(stored.text, { noEscape: true }) : null,
      };
    } catch (error) {
      throw new PermanentError(`campaign ${id} does not compile: ${(error as Error).message}`, { reason: "invalid" });
    }
  }

  async render(campaignId: string, data: Record<string, unknown>): Promise<RenderedEmail> {
    const template = await this.campaign(campaignId);
    const context = { ...data, app_name: this.appName };
    try {
      const html = template.html(context);
      const subject = oneLineText(template.subject(context)).slice(0, 250);
      // Without a text part, the HTML's text is the fallback: tags stripped, whitespace folded.
      const text = template.text
        ? template.text(context)
        : html
            .replace(/<!--[\s\S]*?-->/g, "")
            .replace(/<(head|style|script)[\s\S]*?<\/\1>/gi, "")
            .replace(/<[^>]+>/g, " ")
            .replace(/\s+/g, " ")
            .trim();
      return { subject, html, text };
    } catch (error) {
      throw new PermanentError(`campaign ${campaignId} failed to render: ${(error as Error).message}`, {
        reason: "invalid",
      });
    }
  }
}
