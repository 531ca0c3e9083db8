// What an email or SMS send needs beyond its input's shape: which template it names (a published
// stored template overrides the built-in of that name), whether the data fits that template and
// the category it goes out under (quiet hours: quiet-release.ts). Issues come back in the same
// BAD_REQUEST form as zod's, so a caller sees one error format for every template.
import {
  cachedLiveTemplate,
  type LiveTemplate,
  storedDataIssues,
  type TemplateChannel,
  type TemplateIssue,
  templateDataIssues,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import type { Context } from "../context.ts";

export interface DataToCheck {
  /** Where this data sits in the input, e.g. ["data"] or ["recipients", 3, "data"]. */
  path: (string | number)[];
  data: Record<string, unknown>;
}

/** Issues reported at most, like the error formatter's own cap. */
const MAX_ISSUES = 100;

/** Issues found after input parsing; the error formatter lists them like zod's (trpc.ts). */
export class TemplateIssuesError extends Error {
  override readonly name = "TemplateIssuesError";
  constructor(readonly issues: { path: string; code: "custom"; message: string }[]) {
    super(
      issues
        .map((issue) => `${issue.path}: ${issue.message}`)
        .join("; ")
        .slice(0, 1_000),
    );
  }

  /** The shape of z.flattenError, so forms keyed by top-level field work for these issues too. */
  flatten(): { formErrors: string[]; fieldErrors: Record<string, string[]> } {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of this.issues) {
      const field = issue.path.split(".")[0] ?? "";
      fieldErrors[field] = [...(fieldErrors[field] ?? []), issue.message];
    }
    return { formErrors: [], fieldErrors };
  }
}

export function badRequest(issues: { path: (string | number)[]; message: string }[]): TRPCError {
  const cause = new TemplateIssuesError(
    issues
      .slice(0, MAX_ISSUES)
      .map((issue) => ({ path: issue.path.join("."), code: "custom", message: issue.message })),
  );
  return new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
}

/** The stored template a send uses (null: a built-in), after checking every data against it. */
export async function resolveTemplate(
  ctx: Pick<Context, "deps" | "ready">,
  channel: TemplateChannel,
  template: string,
  datas: readonly DataToCheck[],
): Promise<LiveTemplate | null> {
  await ctx.ready();
  // Cached: a publish through this API is seen at once, one through another within LIVE_RECHECK_MS.
  const stored = await cachedLiveTemplate(ctx.deps.redis, channel, template);
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const { path, data } of datas) {
    const found: TemplateIssue[] | undefined = stored
      ? storedDataIssues(stored, data)
      : templateDataIssues(channel, template, data);
    if (!found) throw badRequest([{ path: ["template"], message: `unknown ${channel} template "${template}"` }]);
    for (const issue of found) issues.push({ path: [...path, ...issue.path], message: issue.message });
    if (issues.length >= MAX_ISSUES) break;
  }
  if (issues.length > 0) throw badRequest(issues);
  return stored;
}

/**
 * The job's data with the caller's category, when it chose one. Otherwise the worker decides: a
 * stored template's own category, marketing for a campaign, transactional for the rest
 * (@notify/delivery's categoryOf), so a campaign's jobs carry no extra bytes.
 */
export function withCategory(data: Record<string, unknown>, category: string | undefined): Record<string, unknown> {
  return category ? { ...data, category } : data;
}
