// A job's timeline from whatever timestamps the engine recorded; unknown fields are simply absent.
export interface TimelineEvent {
  at: number;
  label: string;
  bad?: boolean;
}

const KNOWN: { key: string; label: string; bad?: boolean }[] = [
  { key: "createdAt", label: "Created" },
  { key: "firstEnqueuedAt", label: "First enqueued" },
  { key: "enqueuedAt", label: "Enqueued" },
  { key: "runAt", label: "Due" },
  { key: "startedAt", label: "Started" },
  { key: "lastAttemptAt", label: "Last attempt" },
  { key: "failedAt", label: "Failed", bad: true },
  { key: "finishedAt", label: "Finished" },
  { key: "completedAt", label: "Completed" },
];

function asTime(value: unknown): number | null {
  if (typeof value === "number" && value > 1e11) return value;
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

export function buildTimeline(...sources: (Record<string, unknown> | null | undefined)[]): TimelineEvent[] {
  const events = new Map<string, TimelineEvent>();
  for (const source of sources) {
    if (!source) continue;
    for (const { key, label, bad } of KNOWN) {
      const at = asTime(source[key]);
      if (at !== null && !events.has(key)) events.set(key, { at, label, ...(bad ? { bad } : {}) });
    }
  }
  return [...events.values()].sort((a, b) => a.at - b.at);
}
