export const JOB_STATES = ["pending", "active", "delayed", "dead", "completed"] as const;
export type JobStateName = (typeof JOB_STATES)[number];

/**
 * The completed history keeps the newest jobs up to the workers' history cap (the engine's
 * default, 1,000 a queue); older successes are counted, not listed. Pages say so.
 */
export const COMPLETED_CAP = 1_000;
