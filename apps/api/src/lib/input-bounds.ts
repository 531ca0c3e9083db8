// Size and nesting bounds of everything a caller sends, checked before anything recursive runs:
// the raw tRPC body (or GET input) is measured as text, so a payload nested 300,000 levels deep
// is refused before JSON.parse, zod or a renderer sees it. Each job is then held to its own
// bound (MAX_JOB_BYTES, MAX_JOB_DEPTH) with an issue naming the field.
import { jsonTextDepth, MAX_JOB_DEPTH, utf8Bytes, valueDepth } from "@notify/queue";
import { TRPCError } from "@trpc/server";

/** The issue a bound adds to the error's data.issues, like a zod issue. */
export interface BoundIssue {
  path: string;
  code: "too_big" | "too_deep";
  message: string;
}

export class InputBoundError extends Error {
  override readonly name = "InputBoundError";
  constructor(readonly issue: BoundIssue) {
    super(issue.message);
  }
}

/**
 * Room kept under MAX_JOB_BYTES for what the engine adds to the job the API builds (id, tenant,
 * batch id, idempotency key, attempts, a retry's last error), so a job accepted here is never
 * dead-lettered as too large by the worker.
 */
export const ENGINE_FIELDS_RESERVE = 2_048;

/** The request envelope adds a few levels above a job's data (batch wrapper, input, recipients). */
const ENVELOPE_LEVELS = 4;

export function tooDeep(path: string, limit = MAX_JOB_DEPTH): TRPCError {
  const message = `nested deeper than ${limit} levels (MAX_JOB_DEPTH)`;
  return new TRPCError({
    code: "BAD_REQUEST",
    message,
    cause: new InputBoundError({ path, code: "too_deep", message }),
  });
}

export function tooLarge(path: string, bytes: number | null, limit: number, what = "job"): TRPCError {
  const size = bytes === null ? "more than" : `${bytes} bytes, over`;
  const message =
    what === "job"
      ? `${what} is ${size} the limit of ${limit} bytes (MAX_JOB_BYTES, ${ENGINE_FIELDS_RESERVE} of them kept for the engine's own fields)`
      : `${what} is ${size} the limit of ${limit} bytes`;
  return new TRPCError({
    code: "PAYLOAD_TOO_LARGE",
    message,
    cause: new InputBoundError({ path, code: "too_big", message }),
  });
}

/** The body as text, or null once it passes `maxBytes` (read no further). */
async function readBounded(req: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return null;
  if (!req.body) return "";
  // A declared length within the bound is what the server reads (HTTP framing): one native read,
  // without the stream machinery that otherwise costs a small send a large share of its time.
  if (Number.isInteger(declared)) return req.text();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A request body within the bounds, or the error to answer instead (the body is then empty). */
export async function readBoundedBody(
  req: Request,
  maxBodyBytes: number,
): Promise<{ body: string; problem: TRPCError | null }> {
  const body = await readBounded(req, maxBodyBytes);
  if (body === null) return { body: "", problem: tooLarge("", null, maxBodyBytes, "request body") };
  const limit = MAX_JOB_DEPTH + ENVELOPE_LEVELS;
  // A text shorter than twice the limit cannot nest past it: the common small send skips the scan.
  if (body.length > 2 * limit && jsonTextDepth(body, limit) > limit) return { body: "", problem: tooDeep("") };
  return { body, problem: null };
}

/**
 * The request tRPC may safely parse, and the error to answer instead when it is over a bound (the
 * body tRPC then gets is empty, so nothing large or deep is ever parsed).
 */
export async function boundTrpcRequest(
  req: Request,
  url: URL,
  maxBodyBytes: number,
): Promise<{ req: Request; problem: TRPCError | null }> {
  if (req.method === "GET" || req.method === "HEAD") {
    const input = url.searchParams.get("input") ?? "";
    if (jsonTextDepth(input, MAX_JOB_DEPTH + ENVELOPE_LEVELS) > MAX_JOB_DEPTH + ENVELOPE_LEVELS)
      return { req, problem: tooDeep("input") };
    return { req, problem: null };
  }
  const { body, problem } = await readBoundedBody(req, maxBodyBytes);
  return { req: requestWithBody(req, body), problem };
}

/** The request again, with the body already read from it. */
export function requestWithBody(req: Request, body: string): Request {
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  return new Request(req.url, { method: req.method, headers, body });
}

/** Throws the 400 or 413 for a job that is nested too deep or serializes to more than `maxBytes`. */
export function assertJobBounds(job: unknown, maxBytes: number, path = "data"): void {
  if (valueDepth(job) > MAX_JOB_DEPTH) throw tooDeep(path);
  const bytes = utf8Bytes(JSON.stringify(job));
  if (bytes + ENGINE_FIELDS_RESERVE > maxBytes) throw tooLarge(path, bytes, maxBytes);
}
