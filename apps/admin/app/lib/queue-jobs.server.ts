// One page of a queue's jobs in a given state, masked for display.
import type { AdminClient } from "./api.server.ts";
import { maskText, maskValue } from "./format.ts";
import type { JobStateName } from "./job-states.ts";

export interface JobRow {
  id: string;
  type: string;
  to: string;
  attempts: number;
  note: string;
  /** Delayed: when due; completed: when finished; dead: when it failed. */
  at: number | null;
}

export interface JobPage {
  rows: JobRow[];
  total: number;
}

function row(job: Record<string, unknown> | null, fallbackId: string, note: string, at: number | null): JobRow {
  const masked = (job ? maskValue(job) : {}) as Record<string, unknown>;
  return {
    id: typeof job?.id === "string" ? job.id : fallbackId,
    type: typeof masked.type === "string" ? masked.type : "unparseable",
    to: typeof masked.to === "string" ? masked.to : "",
    attempts: typeof job?.attempts === "number" ? job.attempts : 0,
    note: maskText(note),
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
    return row(f.job, `#${options.offset + i + 1}`, note, f.at ?? null);
  });
  return { rows, total: page.total };
}
