// Headers on every response of the admin (server.mjs sets them before Remix or the static files
// answer). Scripts run only from the admin's own origin or with this request's nonce, so injected
// markup cannot run script; no site may frame the admin (clickjacking).
export function securityHeaders({ nonce, https }: { nonce: string; https: boolean }): Record<string, string> {
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // Template previews are srcdoc iframes, which inherit this policy, and email HTML is all
    // inline styles; the iframes are sandboxed without scripts, so styles are all they can use.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": policy,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    ...(https ? { "Strict-Transport-Security": "max-age=15552000" } : {}),
  };
}
