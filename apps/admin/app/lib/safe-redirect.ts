// Where ?next= may send a browser after login (issue 10, finding 4: `next=/\t/evil.com` left the site).
const MAX_NEXT_LENGTH = 2_000;

function hasControlOrBackslash(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // C0 controls, DEL, C1 controls: browsers drop tabs and newlines from URLs, so `/\t/evil.com`
    // would become `//evil.com`; a backslash counts as a slash.
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x5c) return true;
  }
  return false;
}

/**
 * Where ?next= may send a browser after login: only a path that resolves to the admin's own
 * origin, re-serialized by the URL parser so the Location header is exactly what was checked.
 */
export function safeRedirect(to: FormDataEntryValue | string | null, origin: string, fallback = "/"): string {
  if (typeof to !== "string" || to.length > MAX_NEXT_LENGTH) return fallback;
  if (!to.startsWith("/") || to.startsWith("//") || hasControlOrBackslash(to)) return fallback;
  let url: URL;
  try {
    url = new URL(to, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
