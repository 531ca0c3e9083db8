// POST /trpc/email.send, every application's hot path, without tRPC's HTTP layer: the same
// procedure through a server-side caller (the same guard, input and output validation and
// resolver), answered in tRPC's own shapes: status, headers, {"result":{"data"}} or {"error"}.
// tRPC's request handling (its URL, Headers, Request and AbortSignal work and the batch machinery)
// was about a third of a send's CPU (docs/cli-and-bench.md). Anything else (batches, query
// strings, other content types, a body over a bound or not JSON) goes through tRPC as before.
import type { AnyProcedure, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getErrorShape, getTRPCErrorFromUnknown } from "@trpc/server/unstable-core-do-not-import";
import type { Context } from "../context.ts";
import { appRouter } from "../routers/_app.ts";

export const DIRECT_SEND_PATH = "/trpc/email.send";
const PROCEDURE = "email.send";
// What tRPC's fetch adapter sets on every JSON answer.
const HEADERS = { vary: "trpc-accept, accept", "content-type": "application/json" };
// Called as tRPC's own adapter calls it: a caller proxy (createCaller) costs a send a path lookup,
// a proxy per path segment and a frozen argument list.
// (Procedures are functions at run time; their types only describe what they take and answer.)
const procedure = appRouter.email.send as unknown as AnyProcedure;

/** tRPC reads a POST body as JSON only when its media type says so (case and parameters aside). */
export function takesDirectSend(req: Request, url: URL): boolean {
  if (req.method !== "POST" || url.search !== "" || req.headers.has("trpc-accept")) return false;
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
    const data = await procedure({
      path: PROCEDURE,
      getRawInput: async () => input,
      ctx: context,
      type: "mutation",
      // No procedure reads a signal, and asking Bun for a request's signal costs a send an allocation.
      signal: undefined,
      batchIndex: 0,
    });
    return new Response(JSON.stringify({ result: { data } }), { status: 200, headers: HEADERS });
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
