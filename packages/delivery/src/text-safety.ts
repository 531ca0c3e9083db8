// Characters that must not reach a subject line, an SMS or a terminal as they are: C0 and C1
// controls (NUL, ESC, which starts terminal escape sequences), DEL, the bidirectional overrides,
// isolates and marks (U+202E shows text reversed, so "gpj.exe" reads as "exe.jpg"), the line and
// paragraph separators U+2028/U+2029 (line breaks to many parsers) and the BOM.
const UNSAFE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029\uFEFF]/gu;
const UNSAFE_BUT_LINE_BREAKS = /(?!\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029\uFEFF]/gu;

/** One line of plain text: every unsafe character (line breaks too) becomes a space, runs collapse. */
export function oneLineText(value: string): string {
  return value.replace(UNSAFE, " ").replace(/ {2,}/g, " ").trim();
}

const visible = (char: string) => `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}}`;

/**
 * The text with every unsafe character shown as an escape (`\u{202E}`), for terminals and logs:
 * nothing is lost for debugging and nothing acts on the reader's screen. Line breaks stay when
 * `keepLineBreaks` is set (a message body printed by the console provider).
 */
export function escapeUnsafeText(value: string, { keepLineBreaks = false } = {}): string {
  return value.replace(keepLineBreaks ? UNSAFE_BUT_LINE_BREAKS : UNSAFE, visible);
}
