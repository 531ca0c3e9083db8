// Public entry of the typed email / SMS layer that sits on top of the engine.

export {
  ANALYTICS_QUEUE,
  aggregateCampaign,
  aggregateDay,
  analyticsDaySchema,
  CAMPAIGN_COMPLETE_JOB,
  type CampaignReport,
  campaignCompleteDataSchema,
  campaignReport,
  DAILY_AGGREGATION_JOB,
  DAILY_AGGREGATION_SCHEDULE,
  type DailyReport,
  dailyAggregationDataSchema,
  dailyReport,
  MAX_DAILY_CAMPAIGNS,
  type Rates,
  registerDailyAggregation,
  UnknownCampaignError,
  yesterdayUtc,
} from "./analytics.ts";
export {
  CAMPAIGN_JOB_TYPE,
  CAMPAIGN_TTL_SECONDS,
  type CampaignContent,
  type CampaignSend,
  campaignContentSchema,
  campaignJobSchema,
  loadCampaign,
  type StoredCampaign,
  saveCampaign,
  sendCampaign,
} from "./campaigns.ts";
export {
  type AttributeValue,
  type Contact,
  type ContactChange,
  type ContactInput,
  contactIdSchema,
  contactInputSchema,
  groupNameSchema,
  MAX_CONTACT_ATTRIBUTES,
  MAX_CONTACT_GROUPS,
} from "./contact-schema.ts";
export {
  ContactError,
  type ContactErrorCode,
  type ContactPage,
  contactByEmail,
  contactGroups,
  contactVisibleTo,
  deleteContact,
  getContact,
  getContacts,
  type ListOptions,
  listContacts,
  MAX_CONTACTS,
  MAX_PAGE,
  upsertContact,
} from "./contacts.ts";
export { type EmailBatchProgress, withEmailCounters } from "./email-batches.ts";
export {
  type EmailEventStats,
  emailEventCounts,
  emailEventStats,
  type RecordResult,
  recordEmailEvent,
} from "./email-event-stats.ts";
export * from "./email-events.ts";
export * from "./email-jobs.ts";
export { SEED_SOURCE_LISTS } from "./keys.ts";
export { MESSAGE_INDEXES, type MessageIndex, messageKeys, webhookKeys } from "./message-keys.ts";
export {
  type AttemptRecord,
  attemptNumber,
  DEFAULT_MESSAGE_LOG_DAYS,
  DEFAULT_MESSAGE_LOG_MAX,
  getMessage,
  type LoggedMessage,
  MAX_EVENTS_PER_MESSAGE,
  type MessageLogOptions,
  type MessageStatus,
  type MessageSummary,
  pruneMessageLog,
  type RecordAttemptInput,
  recordAttempt,
  recordAttempts,
  recordMessageEvent,
  STATUS_RANK,
  type TimelineEvent,
} from "./message-log.ts";
export { type MessagePage, type MessageSearch, messageIdByProviderId, searchMessages } from "./message-search.ts";
export {
  type NewUserOutcome,
  type NewUserRecord,
  type NewUserSummary,
  newUserSummary,
  newUsersOf,
  recordNewUser,
} from "./new-users.ts";
export {
  isUnsubscribed,
  MAX_CATEGORIES_PER_RECIPIENT,
  PreferenceLimitError,
  resubscribe,
  unsubscribe,
  unsubscribedCategories,
  unsubscribedFrom,
} from "./preferences.ts";
export {
  type BreakerReport,
  type BreakerState,
  breakerStates,
  type ProviderChannel,
  reportBreakerState,
} from "./provider-health.ts";
export { pushEmailEvent, pushEmailJob, pushSmsJob } from "./push.ts";
export {
  heldOptions,
  isTimeZone,
  parseQuietHours,
  type QuietHours,
  quietHoursEnd,
  quietHoursSchema,
} from "./quiet-hours.ts";
export { type ContactProfile, contactProfile, contactProfiles } from "./recipient-profiles.ts";
export {
  DEFAULT_GROUP,
  isSeedEmailEvent,
  type NewUser,
  parseSeedEmailEvent,
  type SeedEmailEvent,
  seedEmailEventSchema,
} from "./seed-email-events.ts";
export {
  builtInTemplates,
  type EmailTemplateResolver,
  type ExpandOptions,
  type ExpandResult,
  expandSeedEmailJob,
  MAX_CONTACTS_PER_EMAIL_JOB,
  type ResolvedTemplate,
  SEED_EMAIL_JOB_TYPE,
  type SeedEmailJob,
  seedEmailJobBatchId,
  seedEmailJobSchema,
} from "./seed-email-jobs.ts";
export {
  isSmsEventJob,
  recordSmsEvent,
  SMS_EVENT_TYPES,
  type SmsEventData,
  type SmsEventJob,
  type SmsEventType,
  smsEventCounts,
  smsEventDataSchema,
  smsEventJobSchema,
} from "./sms-events.ts";
export * from "./sms-jobs.ts";
export * from "./stored-templates.ts";
export {
  isSuppressed,
  type Suppression,
  type SuppressionReason,
  type SuppressionRemoval,
  suppress,
  suppressions,
  suppressionsOf,
} from "./suppressions.ts";
export {
  dataIssues,
  describeIssues,
  refineTemplateData,
  reportIssues,
  type TemplateIssue,
} from "./template-data.ts";
export {
  OTP_TTL_MS,
  smsIsUrgent,
  smsPushDefaults,
  type TemplateChannel,
  templateDataIssues,
  templateJobIssues,
} from "./template-jobs.ts";
export {
  type Channel as StoredChannel,
  cachedLiveTemplate,
  deleteTemplate,
  getTemplate,
  LIVE_RECHECK_MS,
  listTemplates,
  liveTemplate,
  publishTemplate,
  rollbackTemplate,
  saveTemplateDraft,
  type TemplateDetail,
  TemplateStoreError,
  type TemplateSummary,
  templateStore,
  type VersionInfo,
} from "./template-store.ts";
export { recordTrackingHit, type TrackingHit } from "./tracking-hits.ts";
export {
  DEFAULT_TRACKING_TOKEN_TTL_MS,
  safeClickUrl,
  signTrackingToken,
  type TrackingPayload,
  type VerifyOptions,
  verifyTrackingToken,
} from "./tracking-token.ts";
export {
  createWebhookEndpoint,
  DEFAULT_PAUSE_AFTER_FAILURES,
  deleteWebhookEndpoint,
  fanOutMessageEvent,
  getWebhookEndpoint,
  listWebhookEndpoints,
  MAX_ENDPOINTS,
  messageView,
  queueTestEvent,
  recordWebhookDelivery,
  setWebhookEndpointPaused,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_EVENT,
  WEBHOOKS_QUEUE,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointInput,
  type WebhookEventType,
  type WebhookJobData,
  type WebhookPayload,
  webhookDeliveries,
  webhookEndpointInput,
  webhookEndpointsForFanOut,
  webhooksQueue,
} from "./webhooks.ts";
