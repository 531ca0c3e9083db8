// JSON text of job data without recursion and without building the whole text at once. Job data
// comes from any holder of a service key, so it may be nested 300,000 levels deep (JSON.stringify
// and every recursive walk overflow the stack) or be megabytes long (a page must not carry it).
// A page shows a bounded preview; the download streams the whole value chunk by chunk.
import { HIDDEN_VALUE, isSecretField, maskText } from "./masking.ts";

export interface JsonTextOptions {
  /** Mask addresses and phone numbers, hide secret fields (otp, code, password, token...). */
  mask: boolean;
  /** Spaces per level; 0 gives compact JSON. */
  indent?: number;
  /** Containers deeper than this are shown as a note and the start of their compact text. */
  maxDepth?: number;
  /** Strings longer than this are cut (with a note) before masking; for previews only. */
  maxString?: number;
}

type Frame = { close: string; depth: number; entries: [string | null, unknown][]; next: number };

/** Addresses are never longer than this, so masking this much past a cut masks whatever is shown. */
const MASK_MARGIN = 1_024;
const SUBTREE_SAMPLE = 120;

function scalar(value: unknown, options: JsonTextOptions): string {
  if (typeof value === "string") {
    const limit = options.maxString;
    if (limit !== undefined && value.length > limit) {
      const head = options.mask ? maskText(value.slice(0, limit + MASK_MARGIN)) : value;
      return JSON.stringify(`${head.slice(0, limit)}… (${value.length.toLocaleString("en-US")} characters)`);
    }
    return JSON.stringify(options.mask ? maskText(value) : value);
  }
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return JSON.stringify(String(value));
  return "null";
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function entriesOf(value: object): [string | null, unknown][] {
  if (Array.isArray(value)) return value.map((v): [null, unknown] => [null, v === undefined ? null : v]);
  return Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
}

/** Start of a too-deep subtree as compact text, so the operator sees what was cut. */
function sample(value: object, options: JsonTextOptions): string {
  let text = "";
  for (const chunk of jsonChunks(value, { mask: options.mask, indent: 0, maxString: SUBTREE_SAMPLE })) {
    text += chunk;
    if (text.length >= SUBTREE_SAMPLE) break;
  }
  const cut = text.length > SUBTREE_SAMPLE ? `${text.slice(0, SUBTREE_SAMPLE)}…` : text;
  return JSON.stringify(`(nested deeper than ${options.maxDepth} levels, truncated) ${cut}`);
}

/**
 * The JSON text of `value` in pieces, as JSON.stringify(value, null, indent) would write it
 * (undefined fields dropped, non-finite numbers as null), with masking and the depth bound applied.
 */
export function* jsonChunks(value: unknown, options: JsonTextOptions): Generator<string> {
  const indent = options.indent ?? 0;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const colon = indent > 0 ? ": " : ":";
  const pad = (depth: number) => (indent > 0 ? `\n${" ".repeat(indent * depth)}` : "");
  const stack: Frame[] = [];

  // Text that starts one value: a scalar whole; a container's opening bracket, after pushing the
  // frame the loop below works through.
  const open = (item: unknown, depth: number): string => {
    if (!isContainer(item)) return scalar(item, options);
    if (depth > maxDepth) return sample(item, options);
    const array = Array.isArray(item);
    const entries = entriesOf(item);
    if (entries.length === 0) return array ? "[]" : "{}";
    stack.push({ close: array ? "]" : "}", depth, entries, next: 0 });
    return array ? "[" : "{";
  };

  yield open(value, 1);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.entries.length) {
      stack.pop();
      yield `${pad(frame.depth - 1)}${frame.close}`;
      continue;
    }
    const [key, item] = frame.entries[frame.next] as [string | null, unknown];
    const separator = frame.next > 0 ? "," : "";
    frame.next++;
    if (key === null) {
      yield `${separator}${pad(frame.depth)}${open(item, frame.depth + 1)}`;
      continue;
    }
    const shownKey = options.mask ? maskText(key) : key;
    const hidden = options.mask && isSecretField(key) && item !== null && item !== "";
    const shownValue = hidden ? JSON.stringify(HIDDEN_VALUE) : open(item, frame.depth + 1);
    yield `${separator}${pad(frame.depth)}${JSON.stringify(shownKey)}${colon}${shownValue}`;
  }
}

/** UTF-8 length without an encoder, so this module stays usable in the browser bundle. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Size of the value as compact JSON (what the download holds), without building the text. */
export function jsonSize(value: unknown): number {
  let bytes = 0;
  for (const chunk of jsonChunks(value, { mask: false })) bytes += utf8Length(chunk);
  return bytes;
}

export interface JsonPreview {
  text: string;
  /** True when `text` is only the start of the value. */
  truncated: boolean;
  /** Size of the whole value as compact JSON, in bytes. */
  bytes: number;
}

export const PREVIEW_CHARS = 16 * 1024;
export const PREVIEW_DEPTH = 32;

/** The start of the pretty-printed value, at most `limit` characters, for a page. */
export function jsonPreview(
  value: unknown,
  { mask, limit = PREVIEW_CHARS, indent = 2 }: { mask: boolean; limit?: number; indent?: number },
) {
  let text = "";
  let truncated = false;
  for (const chunk of jsonChunks(value, { mask, indent, maxDepth: PREVIEW_DEPTH, maxString: limit })) {
    text += chunk;
    if (text.length > limit) {
      truncated = true;
      break;
    }
  }
  return { text: truncated ? text.slice(0, limit) : text, truncated, bytes: jsonSize(value) } satisfies JsonPreview;
}

/** A bounded preview of text that is not JSON (a raw payload that did not parse). */
export function textPreview(text: string, { mask, limit = PREVIEW_CHARS }: { mask: boolean; limit?: number }) {
  const head = text.length > limit ? text.slice(0, limit + MASK_MARGIN) : text;
  const shown = mask ? maskText(head) : head;
  return {
    text: shown.slice(0, limit),
    truncated: text.length > limit,
    bytes: utf8Length(text),
  } satisfies JsonPreview;
}

/** A job id for a list; ids of raw jobs are whatever their producer wrote. */
export function cellId(id: string, limit = 200): string {
  return id.length > limit ? `${id.slice(0, limit)}…` : id;
}

/** One line of text for a table cell: masked, and cut to `limit` characters. */
export function cellText(text: string, limit = 200): string {
  const head = text.length > limit ? text.slice(0, limit + MASK_MARGIN) : text;
  const masked = maskText(head);
  return masked.length > limit ? `${masked.slice(0, limit)}…` : masked;
}
