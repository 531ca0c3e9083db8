// Public entry of @notify/delivery: how notifications are sent (providers, templates, the email,
// SMS and events handlers) and the settings they run with, for the worker processes and for the
// API's previews and drains. Importing it is cheap: MJML, Handlebars and the provider SDKs load
// only when a target or a preview first needs them.
export {
  ConfigError,
  type EmailSettings,
  type Env,
  loadEmailSettings,
  loadSmsSettings,
  parseEnv,
  type SmsSettings,
} from "./config.ts";
export { type DeliveryHandler, type SentMessage, withMessageLog } from "./message-logging.ts";
export { loadMessageSettings, type MessageSettings } from "./message-settings.ts";
export {
  createTemplateRenderer,
  type PreviewRenderer,
  type RenderedPreview,
  type TemplateRendererOptions,
} from "./preview.ts";
export type { EmailMessage, EmailProvider, SendResult, SmsMessage, SmsProvider } from "./providers/types.ts";
export {
  contactDirectory,
  jobDataDirectory,
  localeFor,
  type RecipientDirectory,
  type RecipientProfile,
} from "./recipient-directory.ts";
export { categoryOf, createLiveTemplates, LIVE_TEMPLATE_TTL_MS, type LiveTemplates } from "./stored-lookup.ts";
export {
  checkChannelConfig,
  createDeliveryTarget,
  createDrainTargets,
  type DeliveryTarget,
  type DrainTarget,
  type DrainTargets,
  drainTargetsFor,
  type TargetOptions,
} from "./targets.ts";
export { CampaignContentError, compileCampaignMjml } from "./templates/compile-campaign.ts";
export { escapeUnsafeText, oneLineText } from "./text-safety.ts";
export {
  type Channel,
  type DeliveryWorkerOptions,
  providerRateLimit,
  QUEUE_OF,
  retryScheduleFrom,
  workerOptionsFromEnv,
} from "./worker-settings.ts";
