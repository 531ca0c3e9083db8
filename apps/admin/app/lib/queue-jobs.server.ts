// One page of a queue's jobs in a given state, from whichever procedure holds that state.
import type { AdminClient } from "./api.server.ts";
import { maskText, maskValue } from "./format.ts";
import type { JobStateName } from "./job-states.ts";

export interface JobRow {
  id: string;
  type: string;
  to: string;
  attempts: number;
  note: string;
  at: number | null;
}

export interface JobPage {
  rows: JobRow[];
  total: number;
  /** Set when the API cannot list this state (so the page says so instead of showing nothing). */
  unsupported?: string;
}

/** peek reads the head of the list; the API caps it at 100, so paging reaches that far. */
const PEEK_MAX = 100;

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
  options: { queue: string; state: JobStateName; offset: number; limit: number; pendingTotal: number },
): Promise<JobPage> {
  const { queue, state, offset, limit } = options;
  switch (state) {
    case "pending": {
      if (offset >= PEEK_MAX) return { rows: [], total: Math.min(options.pendingTotal, PEEK_MAX) };
      const found = await client.queues.peek.query({ queue, limit: Math.min(PEEK_MAX, offset + limit) });
      const rows = found
        .slice(offset, offset + limit)
        .map((f, i) => row(f.job, `#${offset + i + 1}`, f.error ?? "", null));
      return { rows, total: Math.min(options.pendingTotal, PEEK_MAX) };
    }
    case "active": {
      const workers = await client.workers.list.query({ queue });
      const all = workers.flatMap((w) => w.jobs.map((job) => row(job, "", `worker ${w.host}:${w.pid}`, null)));
      return { rows: all.slice(offset, offset + limit), total: all.length };
    }
    case "dead": {
      const page = await client.dlq.list.query({ queue, offset, limit });
      return {
        rows: page.entries.map((e) => row(e.job, e.id, e.error, e.failedAt)),
        total: page.total,
      };
    }
    case "delayed":
      return {
        rows: [],
        total: 0,
        unsupported: "The API has no procedure that lists delayed jobs yet; use Search to find one.",
      };
  }
}
