export const JOB_STATES = ["pending", "active", "delayed", "dead", "completed"] as const;
export type JobStateName = (typeof JOB_STATES)[number];
