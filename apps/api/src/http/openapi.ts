// The procedures an outside caller needs (enqueue, follow a job or batch; queue stats and dead
// letters with the admin token) as a REST API for callers without tRPC (Python, Go, curl): the
// document is generated from the procedures' own zod schemas (trpc-to-openapi), so it cannot
// drift from what the API validates, and /api/... runs the same procedures, auth and bounds as /trpc.
import { generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter } from "../routers/_app.ts";

export const OPENAPI_ENDPOINT = "/api";

let document: ReturnType<typeof generateOpenApiDocument> | null = null;

/** Built on first request: generation walks every schema once. */
export function openApiDocument(): ReturnType<typeof generateOpenApiDocument> {
  document ??= generateOpenApiDocument(appRouter, {
    title: "notify API",
    description:
      "Enqueue transactional email and SMS and follow jobs and batches with `Authorization: Bearer <service key>`; the operations tagged admin (queue stats, dead letters) take the admin token instead. The same procedures are served over tRPC at /trpc.",
    version: "1",
    baseUrl: OPENAPI_ENDPOINT,
    tags: ["email", "sms", "jobs", "batches", "admin"],
  });
  return document;
}
