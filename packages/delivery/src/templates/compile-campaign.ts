/// <reference path="./mjml.d.ts" />
// A campaign's MJML becomes HTML once, when the campaign is created (the API), so workers only run
// Handlebars per recipient. Strict validation: a broken document is the sender's error, named.
const MJML_OPTIONS = { validationLevel: "strict", minify: false } as const;

export class CampaignContentError extends Error {}

export async function compileCampaignMjml(mjml: string): Promise<string> {
  const { default: mjml2html } = await import("mjml");
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(mjml, MJML_OPTIONS);
  } catch (error) {
    throw new CampaignContentError(`mjml: ${(error as Error).message}`);
  }
  if (result.errors.length > 0) {
    throw new CampaignContentError(`mjml: ${result.errors.map((e) => e.formattedMessage).join("; ")}`);
  }
  return result.html;
}
