// Parses the campaign page's form (seed 002's newsletters) into campaigns.send's input. Recipients
// are one a line: an address, optionally followed by a JSON object of that recipient's
// personalizations. Errors name the line, so a paste of 10,000 lines can be fixed.

const MAX_RECIPIENT_LINES = 100_000;

export type CampaignFormResult =
  | {
      ok: true;
      input: {
        subject: string;
        html?: string;
        mjml?: string;
        text?: string;
        recipients: { to: string; personalizations?: Record<string, unknown> }[];
        batchSize: number;
      };
    }
  | { ok: false; message: string };

export function parseCampaignForm(form: FormData): CampaignFormResult {
  const subject = String(form.get("subject") ?? "").trim();
  const body = String(form.get("body") ?? "");
  const format = form.get("format") === "mjml" ? "mjml" : "html";
  const text = String(form.get("text") ?? "");
  const batchSize = Number(form.get("batchSize") ?? 1000);
  if (!subject) return { ok: false, message: "Give the campaign a subject." };
  if (!body.trim()) return { ok: false, message: "Give the campaign a body." };
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    return { ok: false, message: "Batch size must be a whole number from 1 to 10,000." };
  const lines = String(form.get("recipients") ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length === 0) return { ok: false, message: "Add at least one recipient." };
  if (lines.length > MAX_RECIPIENT_LINES)
    return { ok: false, message: `At most ${MAX_RECIPIENT_LINES.toLocaleString("en")} recipients per campaign.` };
  const recipients: { to: string; personalizations?: Record<string, unknown> }[] = [];
  for (const [index, line] of lines.entries()) {
    const cut = line.search(/\s/);
    const to = cut === -1 ? line : line.slice(0, cut);
    const rest = cut === -1 ? "" : line.slice(cut).trim();
    if (!rest) {
      recipients.push({ to });
      continue;
    }
    let personalizations: unknown;
    try {
      personalizations = JSON.parse(rest);
    } catch {
      return { ok: false, message: `Recipient line ${index + 1}: after the address, give a JSON object.` };
    }
    if (typeof personalizations !== "object" || personalizations === null || Array.isArray(personalizations))
      return { ok: false, message: `Recipient line ${index + 1}: personalizations must be a JSON object.` };
    recipients.push({ to, personalizations: personalizations as Record<string, unknown> });
  }
  return {
    ok: true,
    input: {
      subject,
      [format]: body,
      ...(text.trim() ? { text } : {}),
      recipients,
      batchSize,
    },
  };
}
