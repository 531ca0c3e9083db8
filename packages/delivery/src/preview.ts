// Template previews for the API (templates.preview): the templates the workers send, with
// tracking off so a preview produces no tokens that would count as real opens and clicks. The
// renderers load on the first preview; MJML compiles every template once (hundreds of ms).

import { createHash } from "node:crypto";
import {
  chooseLocale,
  describeIssues,
  type EmailTemplate,
  type SmsTemplate,
  type SmsTemplateData,
  type StoredTemplate,
  storedDataIssues,
  templateDataIssues,
} from "@notify/queue/notifications";
import type { EmailRenderer } from "./templates/email-renderer.ts";

export interface TemplateRendererOptions {
  appName?: string;
  appUrl?: string;
}

export interface RenderedPreview {
  subject: string;
  html: string;
  text: string;
}

export interface PreviewRenderer {
  renderEmail(template: string, data: Record<string, unknown>): Promise<RenderedPreview>;
  renderSms(template: string, data: Record<string, unknown>): Promise<{ text: string }>;
  /** A stored template (e.g. a draft) in the variant `locale` selects; data is checked against its variables. */
  renderStored(
    template: StoredTemplate,
    data: Record<string, unknown>,
    locale?: string,
  ): Promise<
    { locale: string } & (
      | { channel: "email"; subject: string; html: string; text: string }
      | { channel: "sms"; text: string }
    )
  >;
  /** Throws with MJML's or Handlebars' message when a locale of the template does not compile. */
  checkStored(template: StoredTemplate): Promise<void>;
}

/** Draft previews compile under a key of their content, so an edit is never served from cache. */
const contentKey = (name: string, locale: string, content: unknown) =>
  `${name}/${locale}#${createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16)}`;

function checked(channel: "email" | "sms", template: string, data: unknown): void {
  const issues = templateDataIssues(channel, template, data);
  if (!issues) throw new Error(`unknown ${channel} template ${JSON.stringify(template)}`);
  if (issues.length > 0) throw new Error(`invalid data for ${channel} template ${template}: ${describeIssues(issues)}`);
}

export function createTemplateRenderer(options: TemplateRendererOptions = {}): PreviewRenderer {
  const appName = options.appName ?? "Notify";
  const appUrl = options.appUrl ?? "http://localhost:3000";
  let renderer: Promise<EmailRenderer> | undefined;
  const emailRenderer = () => {
    renderer ??= import("./templates/email-renderer.ts")
      .then(({ EmailRenderer }) => EmailRenderer.create({ appName, appUrl }))
      .catch((error: unknown) => {
        renderer = undefined;
        throw error;
      });
    return renderer;
  };
  return {
    async renderEmail(template, data) {
      checked("email", template, data);
      const type = template as EmailTemplate;
      return (await emailRenderer()).render({ type, data, jobId: "preview", to: "preview@example.com" });
    },
    async renderSms(template, data) {
      checked("sms", template, data);
      const { renderSms } = await import("./templates/sms-templates.ts");
      const type = template as SmsTemplate;
      return { text: renderSms(type, data as SmsTemplateData<typeof type>, appName) };
    },
    async renderStored(template, data, locale) {
      const issues = storedDataIssues(template, data);
      if (issues.length > 0) throw new Error(`invalid data for template ${template.name}: ${describeIssues(issues)}`);
      const chosen = chooseLocale(template.locales, locale);
      if (template.channel === "sms") {
        const content = template.locales[chosen] ?? template.locales.default;
        const { renderStoredSms } = await import("./templates/stored-sms.ts");
        const text = renderStoredSms(contentKey(template.name, chosen, content), content?.text ?? "", data, appName);
        return { channel: "sms", locale: chosen, text };
      }
      const content = template.locales[chosen] ?? template.locales.default;
      if (!content) throw new Error(`template ${template.name} has no default locale`);
      const rendered = await (await emailRenderer()).renderStored(contentKey(template.name, chosen, content), content, {
        type: template.name,
        data,
        jobId: "preview",
        to: "preview@example.com",
      });
      return { channel: "email", locale: chosen, ...rendered };
    },
    async checkStored(template) {
      if (template.channel === "sms") {
        const { compileStoredSms } = await import("./templates/stored-sms.ts");
        for (const [locale, content] of Object.entries(template.locales)) {
          try {
            compileStoredSms(content.text);
          } catch (error) {
            throw new Error(`locale ${locale}: ${(error as Error).message}`);
          }
        }
        return;
      }
      const renderer = await emailRenderer();
      for (const [locale, content] of Object.entries(template.locales)) {
        await renderer.compileStored(contentKey(template.name, locale, content), content).catch((error: unknown) => {
          throw new Error(`locale ${locale}: ${(error as Error).message}`);
        });
      }
    },
  };
}
