// Dev tools' export (seed 002's exportQueueData): every job of one queue as a JSON-lines download,
// masked like the job pages unless ?reveal=1. Development only, like the rest of the dev tools.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { load } from "../lib/api.server.ts";
import { adminEnv } from "../lib/env.server.ts";
import { maskText } from "../lib/masking.ts";
import { requireAdmin } from "../lib/session.server.ts";

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  if (adminEnv().production) throw new Response("Dev tools are off in production.", { status: 404 });
  const url = new URL(request.url);
  const queue = url.searchParams.get("queue") ?? "";
  if (!QUEUE_NAME.test(queue)) throw new Response("Pick a queue to export.", { status: 400 });
  const mask = url.searchParams.get("reveal") !== "1";
  const { lines, truncated } = await load((c) => c.tools.exportQueue.query({ queue }));
  const body = lines.map((line) => (mask ? maskText(line) : line)).join("\n");
  return new Response(lines.length > 0 ? `${body}\n` : "", {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="${queue}-export.jsonl"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      // The API stops at its bound; say so rather than pretend the file is whole.
      "X-Export-Truncated": truncated ? "1" : "0",
    },
  });
}
