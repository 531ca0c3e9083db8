// One page of a queue's jobs in a given state, masked for display.
import type { AdminClient } from "./api.server.ts";
import type { JobStateName } from "./job-states.ts";
import { cellId, cellText } from "./json-text.ts";

export interface JobRow {
  id: string;
  type: string;
  to: string;
  attempts: number;
  /** Delayed after a failed attempt (the engine's failedAt), not by its producer. */
  retrying: boolean;
  note: string;
  /** Delayed: when due; completed: when finished; dead: when it failed. */
  at: number | null;
}

export interface JobPage {
  rows: JobRow[];
  total: number;
}

// Only the few fields a row shows are read, each masked and cut: the rest of a job (which may be
// megabytes, or nested 300,000 levels deep) is never walked here.
function row(job: Record<string, unknown> | null, fallbackId: string, note: string, at: number | null): JobRow {
  return {
    id: typeof job?.id === "string" ? cellId(job.id) : fallbackId,
    type: typeof job?.type === "string" ? cellText(job.type, 80) : "unparseable",
    to: typeof job?.to === "string" ? cellText(job.to) : "",
    attempts: typeof job?.attempts === "number" ? job.attempts : 0,
    retrying: typeof job?.failedAt === "number",
    note: cellText(note, 300),
    at,
  };
}

export async function jobPage(
  client: AdminClient,
  options: { queue: string; state: JobStateName; offset: number; limit: number },
): Promise<JobPage> {
  const page = await client.jobs.list.query(options);
  const rows = page.jobs.map((f, i) => {
    const note = f.error ?? f.reason ?? (f.workerId ? `worker ${f.workerId}` : "");
    // A dead letter that never parsed is named by its own (hash) id, which opens it.
    return row(f.job, f.id ? cellId(f.id) : `#${options.offset + i + 1}`, note, f.at ?? null);
  });
  return { rows, total: page.total };
}
