// Public entry of the typed email / SMS layer that sits on top of the engine.

export { emailEventStats, recordEmailEvent } from "./email-event-stats.ts";
export * from "./email-events.ts";
export * from "./email-jobs.ts";
export { pushEmailEvent, pushEmailJob, pushSmsJob } from "./push.ts";
export * from "./sms-jobs.ts";
export { isSuppressed, type Suppression, type SuppressionReason, suppress, suppressions } from "./suppressions.ts";
export { signTrackingToken, type TrackingPayload, verifyTrackingToken } from "./tracking-token.ts";
