// The whole payload of one job as a download, streamed chunk by chunk: a job of megabytes or nested
// 300,000 levels deep is written out without recursion and without holding the text in memory,
// and never rendered into a page. Masked like the job page unless ?reveal=1.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { load } from "../lib/api.server.ts";
import { jsonChunks } from "../lib/json-text.ts";
import { maskText } from "../lib/masking.ts";
import { requireAdmin } from "../lib/session.server.ts";

/** Enough text per pull that a large download is quick, small enough that other requests interleave. */
const CHUNK_CHARS = 64 * 1024;

function streamOf(chunks: Iterator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      let text = "";
      while (text.length < CHUNK_CHARS) {
        const next = chunks.next();
        if (next.done) break;
        text += next.value;
      }
      if (text) controller.enqueue(encoder.encode(text));
      if (text.length < CHUNK_CHARS) controller.close();
    },
  });
}

function* once(text: string): Generator<string> {
  yield text;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const queue = params.queue ?? "";
  const id = params.id ?? "";
  const mask = new URL(request.url).searchParams.get("reveal") !== "1";
  const found = await load((c) => c.jobs.get.query({ queue, id }));
  const safeName = id.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100);
  const parsed = found.job !== null;
  const body = parsed ? jsonChunks(found.job, { mask }) : once(mask ? maskText(found.raw ?? "") : (found.raw ?? ""));
  return new Response(streamOf(body), {
    headers: {
      "Content-Type": parsed ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
      "Content-Disposition": `attachment; filename="${queue}-${safeName}${parsed ? ".json" : ".txt"}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
