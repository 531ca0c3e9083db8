import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminClient } from "../lib/api.server.ts";

// For load balancers: the admin process is up; "api" says whether it can reach the API too.
export async function loader(_args: LoaderFunctionArgs) {
  let api = "ok";
  try {
    await adminClient().queues.list.query();
  } catch {
    api = "unreachable";
  }
  return new Response(JSON.stringify({ status: "ok", api }), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
