// The template-data check and its issue format, written once: the typed job schemas, the API's
// inputs, previews and the delivery handlers all report a job that does not fit its template the
// same way. Pure zod, so a caller that only validates loads no renderer.
import type { z } from "zod";

export interface TemplateIssue {
  path: (string | number)[];
  message: string;
}

const pathOf = (path: readonly PropertyKey[]) => path.map((part) => (typeof part === "number" ? part : String(part)));

/** Issues of `data` against the template's schema; undefined when there is no such template. */
export function dataIssues(
  schemas: Readonly<Record<string, z.ZodType>>,
  template: string,
  data: unknown,
): TemplateIssue[] | undefined {
  const schema = Object.hasOwn(schemas, template) ? schemas[template] : undefined;
  if (!schema) return undefined;
  const result = schema.safeParse(data);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message }));
}

/** "data.otp: otp must be 4 to 8 digits; to: Invalid email address" */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/** Adds `issues` to a zod refinement under `prefix` (e.g. ["recipients", 3, "data"]). */
export function reportIssues(
  ctx: z.RefinementCtx,
  issues: readonly TemplateIssue[] | undefined,
  prefix: (string | number)[],
): void {
  for (const issue of issues ?? [])
    ctx.addIssue({ code: "custom", message: issue.message, path: [...prefix, ...issue.path] });
}

/** The refinement of a whole typed job: its data must fit the template named by its type. */
export function refineTemplateData(schemas: Readonly<Record<string, z.ZodType>>) {
  return (job: { type: string; data: unknown }, ctx: z.RefinementCtx): void =>
    reportIssues(ctx, dataIssues(schemas, job.type, job.data), ["data"]);
}
