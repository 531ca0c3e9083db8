// Stored SMS templates: Handlebars text without HTML escaping (an SMS is not HTML), flattened to
// one line with no control or bidi characters like the built-ins. Compiled once per version.
import Handlebars from "handlebars";
import { oneLineText } from "../text-safety.ts";

const hbs = Handlebars.create();
const compiled = new Map<string, HandlebarsTemplateDelegate>();
const MAX_COMPILED = 200;

/** Compiles `source` or throws Handlebars' message (the admin's save calls this to check a template). */
export function compileStoredSms(source: string): HandlebarsTemplateDelegate {
  const template = hbs.compile(source, { noEscape: true, strict: false });
  template({});
  return template;
}

export function renderStoredSms(
  cacheKey: string,
  source: string,
  data: Record<string, unknown>,
  appName: string,
): string {
  let template = compiled.get(cacheKey);
  if (!template) {
    template = compileStoredSms(source);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(cacheKey, template);
  }
  return oneLineText(template({ ...data, app_name: appName }));
}
