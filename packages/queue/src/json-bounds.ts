// Bounds every job must keep, checked without recursion: a hostile payload nested 300,000 levels
// deep must get a clear refusal, not a stack overflow in JSON.parse, zod or a renderer.

/** Largest serialized job accepted (the whole envelope, data included), unless configured. */
export const DEFAULT_MAX_JOB_BYTES = 256 * 1024;
/** Deepest nesting of objects and arrays accepted in a job; real job data stays far below it. */
export const MAX_JOB_DEPTH = 64;
/** How much of an oversized payload a dead letter keeps, so the entry stays small. */
export const TOO_LARGE_PREFIX_BYTES = 4 * 1024;

/**
 * Deepest nesting of `[`/`{` in JSON text, counted in one pass outside strings. Stops counting at
 * `limit + 1`, so the cost is linear and the answer tells only "within" or "beyond" past the limit.
 */
export function jsonTextDepth(text: string, limit = MAX_JOB_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return deepest;
}

/** Depth of an already parsed value (objects and arrays), iteratively; stops at `limit + 1`. */
export function valueDepth(value: unknown, limit = MAX_JOB_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== "object" || current === null) continue;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > limit) return deepest;
    }
    for (const child of Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/**
 * Whether a parsed value nests objects and arrays more than `limit` levels deep (valueDepth(value)
 * > limit). A loop, not a recursion: inspection allows 5,000 levels, past what a call stack holds
 * (a recursion overflowed on a 30,000-level job in the admin's jobs.get); it stops at the first
 * container past the limit, and an envelope's few objects cost a few slots of its two stacks.
 */
export function nestsDeeperThan(value: unknown, limit = MAX_JOB_DEPTH): boolean {
  if (typeof value !== "object" || value === null) return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const container = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    // Children pushed as they are read: no array of them is built for each object.
    if (Array.isArray(container)) {
      for (const child of container) if (typeof child === "object" && child !== null) pending.push(child);
    } else {
      const record = container as Record<string, unknown>;
      for (const key in record) {
        const child = record[key];
        if (typeof child === "object" && child !== null) pending.push(child);
      }
    }
    while (depths.length < pending.length) depths.push(depth + 1); // one depth per child pushed
  }
  return false;
}

/** UTF-8 size of a string without allocating its encoding. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * How many top-level keys of a JSON object's text are `key` (escaped spellings decoded), in one
 * linear pass. JSON.parse keeps the last of two equal keys silently; an envelope with two ids
 * would be de-duplicated by one and run as the other.
 */
export function topLevelKeyCount(text: string, key: string): number {
  let depth = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) {
          escaped = true;
          i++;
        } else if (d === 34) break;
      }
      if (depth === 1 && isKey(text, i + 1)) {
        const token = text.slice(start, i + 1);
        if ((escaped ? decodeString(token) : token.slice(1, -1)) === key) count++;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return count;
}

function isKey(text: string, from: number): boolean {
  let j = from;
  while (j < text.length && " \t\n\r".includes(text.charAt(j))) j++;
  return text.charCodeAt(j) === 58 /* : */;
}

function decodeString(token: string): string | null {
  try {
    return JSON.parse(token) as string;
  } catch {
    return null;
  }
}
