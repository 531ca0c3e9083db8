// POST /trpc/email.send, every application's hot path, without tRPC's HTTP layer and middleware
// chain. It runs what email.send's procedure runs, from the same pieces: the service guard
// (refusal, withinBound), the input schema, the resolver (sendOneEmail) and the output schema;
// and answers in tRPC's own shapes: status, headers, {"result":{"data"}} or {"error"} through the
// router's error formatter. tRPC's request handling and the object spread each middleware costs
// were about half of a send's CPU (docs/cli-and-bench.md). Anything else (batches, query strings,
// other content types, a body over a bound or not JSON) goes through tRPC as before;
// test/direct-send.test.ts sends every case both ways and compares the answers.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getAcceptHeader, getErrorShape, getTRPCErrorFromUnknown } from "@trpc/server/unstable-core-do-not-import";
import type { Context } from "../context.ts";
import { sendEmailInput } from "../lib/schemas.ts";
import { appRouter } from "../routers/_app.ts";
import { enqueued, sendOneEmail } from "../routers/email.ts";
import { type Meta, refusal, withinBound } from "../trpc.ts";

export const DIRECT_SEND_PATH = "/trpc/email.send";
const PROCEDURE = "email.send";
// What tRPC's fetch adapter sets on every JSON answer.
const HEADERS = { vary: "trpc-accept, accept", "content-type": "application/json" };
const meta = appRouter.email.send._def.meta as Meta | undefined;

/**
 * tRPC reads a POST body as JSON only when its media type says so (case and parameters aside). A
 * request asking for a stream (trpc-accept, or `accept: application/jsonl` among others) is tRPC's:
 * it refuses an unbatched one with a 400 and runs nothing, which the direct path must not enqueue.
 */
export function takesDirectSend(req: Request, url: URL): boolean {
  if (req.method !== "POST" || url.search !== "" || getAcceptHeader(req.headers) !== null) return false;
  const type = req.headers.get("content-type");
  if (type === "application/json") return true;
  return type !== null && type.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** The answer, or null when the body is not JSON (tRPC then answers with its own parse error). */
export async function directSend(
  body: string,
  context: Context,
  onError: (error: TRPCError, path: string) => void,
): Promise<Response | null> {
  let input: unknown;
  if (body !== "") {
    try {
      input = JSON.parse(body);
    } catch {
      return null;
    }
  }
  try {
    // email.send is a service mutation (routers/email.ts).
    const refused = refusal(context.caller, "service", "mutation");
    if (refused) throw refused;
    const timeoutMs = meta?.timeoutMs ?? context.deps.config.redisTimeoutMs;
    const outcome = await withinBound(PROCEDURE, timeoutMs, () => resolve(context, input));
    if (!outcome.ok) throw outcome.error;
    return new Response(JSON.stringify({ result: { data: outcome.data } }), { status: 200, headers: HEADERS });
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    onError(error, PROCEDURE);
    const shape = getErrorShape({
      config: appRouter._def._config,
      ctx: context,
      error,
      input,
      path: PROCEDURE,
      type: "mutation",
    });
    return new Response(JSON.stringify({ error: shape }), {
      status: getHTTPStatusCodeFromError(error),
      headers: HEADERS,
    });
  }
}

/** Input validation, the resolver and output validation, with the errors tRPC's middlewares give. */
async function resolve(
  context: Context,
  input: unknown,
): Promise<{ ok: true; data: unknown } | { ok: false; error: TRPCError }> {
  try {
    let parsed: ReturnType<typeof sendEmailInput.parse>;
    try {
      parsed = sendEmailInput.parse(input);
    } catch (cause) {
      throw new TRPCError({ code: "BAD_REQUEST", cause });
    }
    const output = await sendOneEmail(context, parsed);
    try {
      return { ok: true, data: enqueued.parse(output) };
    } catch (cause) {
      throw new TRPCError({ message: "Output validation failed", code: "INTERNAL_SERVER_ERROR", cause });
    }
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause) };
  }
}
