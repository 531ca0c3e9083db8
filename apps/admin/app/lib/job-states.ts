export const JOB_STATES = ["pending", "active", "delayed", "dead"] as const;
export type JobStateName = (typeof JOB_STATES)[number];
