// Remix's server entry (its Node default, plus the CSP nonce), and what server.mjs needs from the
// build before it listens: the checked configuration and the security headers.
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "./lib/nonce.ts";

export { runInRequestScope } from "./lib/api.server.ts";
export { AdminConfigError, loadAdminEnv } from "./lib/env.server.ts";
export { securityHeaders } from "./lib/security-headers.server.ts";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Bots and no-JS clients get the whole document at once; browsers get the shell first.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  const nonce = loadContext?.cspNonce;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let status = responseStatusCode;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        ...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
        onShellError: reject,
        onError(error: unknown) {
          status = 500;
          // Errors before the shell reject above and are logged once by Remix.
          if (shellRendered) console.error(JSON.stringify({ msg: "admin render error", error: String(error) }));
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** Unexpected loader or action errors: one line each, never a stack trace in the log. */
export function handleError(error: unknown, { request }: { request: Request }): void {
  if (request.signal.aborted) return;
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    JSON.stringify({
      msg: "admin request failed",
      method: request.method,
      path: new URL(request.url).pathname,
      error: message,
    }),
  );
}
