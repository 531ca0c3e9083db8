// Renders an email job into subject, HTML and text. MJML compiles each template once (and is
// cached across starts); each job then only runs a precompiled Handlebars template, which
// HTML-escapes every value (a render is tens of microseconds, an MJML compile hundreds of ms).

import type { EmailContent, EmailTemplate } from "@notify/queue/notifications";
import { signTrackingToken } from "@notify/queue/notifications";
import Handlebars from "handlebars";
import { oneLineText } from "../text-safety.ts";
import { compileMjml, compileMjmlDocument } from "./compile-mjml.ts";
import { type EmailTemplateSource, emailLayout, emailTemplateSources } from "./email-templates.ts";
import { formatMoney } from "./money.ts";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface RenderInput {
  type: string;
  data: Record<string, unknown>;
  jobId: string;
  to: string;
  batchId?: string;
  /** A category other than transactional gets an unsubscribe link (`{{unsubscribe_url}}`, headers). */
  category?: string;
  /** The message's signed unsubscribe URL (from unsubscribeUrl()), so body and headers carry one link. */
  unsubscribeUrl?: string;
}

export interface EmailRendererOptions {
  appName: string;
  appUrl: string;
  /** When set, links are wrapped in signed click redirects and an open pixel is added. */
  tracking?: { baseUrl: string; secret: string };
}

interface Compiled {
  subject: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
}

const PIXEL_PLACEHOLDER = "<!--open-pixel-->";

/** Compiled stored templates kept in memory, by name, version and locale (oldest dropped first). */
const MAX_STORED_COMPILED = 200;

function compile(
  hbs: typeof Handlebars,
  source: Pick<EmailTemplateSource, "subject" | "text">,
  html: string,
): Compiled {
  const withPixel = html.replace("</body>", `${PIXEL_PLACEHOLDER}</body>`);
  return {
    subject: hbs.compile(source.subject, { noEscape: true }),
    html: hbs.compile(withPixel),
    text: hbs.compile(source.text, { noEscape: true }),
  };
}

export class EmailRenderer {
  private readonly stored = new Map<string, Promise<Compiled>>();

  private constructor(
    private readonly options: EmailRendererOptions,
    private readonly compiled: Map<string, Compiled>,
    private readonly hbs: typeof Handlebars,
  ) {}

  static async create(options: EmailRendererOptions): Promise<EmailRenderer> {
    const hbs = Handlebars.create();
    const sources = Object.entries(emailTemplateSources);
    const html = await compileMjml(
      Object.fromEntries(sources.map(([name, source]) => [name, emailLayout(source.body)])),
    );
    const compiled = new Map<string, Compiled>();
    for (const [name, source] of sources) compiled.set(name, compile(hbs, source, html[name] ?? ""));
    return new EmailRenderer(options, compiled, hbs);
  }

  /**
   * Compiles one locale of a stored template (MJML once per version, cached) or throws with MJML's
   * or Handlebars' message; the admin's save calls this too, so what is stored compiles.
   */
  compileStored(cacheKey: string, content: EmailContent): Promise<Compiled> {
    let compiled = this.stored.get(cacheKey);
    if (!compiled) {
      compiled = compileMjmlDocument(content.mjml).then((html) => {
        const template = compile(this.hbs, content, html);
        // Handlebars compiles lazily: run each part once so a syntax error surfaces here.
        for (const part of [template.subject, template.html, template.text])
          part({}, { helpers: { link: () => "", money: () => "", unsubscribe_url: () => "" } });
        return template;
      });
      compiled.catch(() => this.stored.delete(cacheKey));
      if (this.stored.size >= MAX_STORED_COMPILED) {
        const oldest = this.stored.keys().next().value;
        if (oldest !== undefined) this.stored.delete(oldest);
      }
      this.stored.set(cacheKey, compiled);
    }
    return compiled;
  }

  async renderStored(cacheKey: string, content: EmailContent, input: RenderInput): Promise<RenderedEmail> {
    return this.renderWith(await this.compileStored(cacheKey, content), input);
  }

  /** The signed one-click unsubscribe URL of a message, when tracking (its base URL and secret) is on. */
  unsubscribeUrl(input: Pick<RenderInput, "jobId" | "to" | "category" | "batchId">): string | undefined {
    const { tracking } = this.options;
    if (!tracking || !input.category || input.category === "transactional") return undefined;
    const token = signTrackingToken(
      { k: "u", j: input.jobId, r: input.to, g: input.category, b: input.batchId, t: Date.now() },
      tracking.secret,
    );
    return `${tracking.baseUrl.replace(/\/$/, "")}/u/${token}`;
  }

  has(type: string): type is EmailTemplate {
    return this.compiled.has(type);
  }

  render(input: RenderInput): RenderedEmail {
    const template = this.compiled.get(input.type);
    if (!template) throw new Error(`unknown email template ${JSON.stringify(input.type)}`);
    return this.renderWith(template, input);
  }

  private renderWith(template: Compiled, input: RenderInput): RenderedEmail {
    const { tracking, appUrl, appName } = this.options;
    const base = appUrl.replace(/\/$/, "");
    const issuedAt = Date.now();
    const link = (path: unknown) => {
      const target = `${base}${String(path)}`;
      if (!tracking) return target;
      const token = signTrackingToken(
        { k: "c", j: input.jobId, r: input.to, b: input.batchId, u: target, t: issuedAt },
        tracking.secret,
      );
      return `${tracking.baseUrl.replace(/\/$/, "")}/t/c/${token}`;
    };
    const money = (amount: unknown, currency: unknown) =>
      formatMoney(amount, typeof currency === "string" ? currency : undefined);
    const context = { ...input.data, app_name: appName };
    const unsubscribe = input.unsubscribeUrl ?? `${base}/settings/notifications`;
    const runtime = { helpers: { link, money, unsubscribe_url: () => unsubscribe } };

    let html = template.html(context, runtime);
    if (tracking) {
      const token = signTrackingToken(
        { k: "o", j: input.jobId, r: input.to, b: input.batchId, t: issuedAt },
        tracking.secret,
      );
      const src = `${tracking.baseUrl.replace(/\/$/, "")}/t/o/${token}`;
      html = html.replace(
        PIXEL_PLACEHOLDER,
        `<img src="${src}" width="1" height="1" alt="" style="display:block;border:0" />`,
      );
    } else {
      html = html.replace(PIXEL_PLACEHOLDER, "");
    }
    // A subject is a header: one line, and no control or bidi characters, whatever the data holds.
    const subject = oneLineText(template.subject(context, runtime)).slice(0, 250);
    return { subject, html, text: template.text(context, runtime) };
  }
}
