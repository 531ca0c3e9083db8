// Newsletters (seed 002): compose a campaign with its own subject, HTML or MJML and text with
// {{variables}}, paste recipients with their personalizations, send, and follow its progress
// (the campaign id is a batch id: the Batches page shows the same numbers).
import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Flash, PageHeader, Progress } from "../components/ui.tsx";
import { act, loadOptional } from "../lib/api.server.ts";
import { parseCampaignForm } from "../lib/campaign-form.ts";
import { formatNumber } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";

const CAMPAIGN_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const EXAMPLE_BODY = "<p>Hello {{name}},</p>\n<p>Here is what is new this month.</p>";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const id = new URL(request.url).searchParams.get("campaign") ?? "";
  const campaign = CAMPAIGN_ID.test(id) ? await loadOptional((c) => c.campaigns.get.query({ campaignId: id })) : null;
  return { id, campaign };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  const parsed = parseCampaignForm(await request.formData());
  if (!parsed.ok) return data({ ok: false as const, message: parsed.message, campaignId: null }, { status: 400 });
  // Set inside the call; an object so the type stays string | null after the closure.
  const created: { campaignId: string | null } = { campaignId: null };
  const result = await act(
    async (c) => {
      const sent = await c.campaigns.send.mutate(parsed.input);
      created.campaignId = sent.campaignId;
      return `Queued ${formatNumber(sent.count)} emails as campaign ${sent.campaignId}.`;
    },
    { actor: session.actor, action: "campaign: send", target: parsed.input.subject },
  );
  return { ...result, campaignId: created.campaignId };
}

export default function Campaigns() {
  const { id, campaign } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Campaigns" />
      <Flash result={result} />
      {result?.campaignId ? (
        <p>
          <Link to={`/campaigns?campaign=${encodeURIComponent(result.campaignId)}`}>Follow its progress</Link>
        </p>
      ) : null}
      {campaign ? (
        <section className="card" data-campaign={campaign.campaignId}>
          <h2>{campaign.subject}</h2>
          <Progress value={campaign.sent + campaign.failed} max={campaign.total} label="campaign progress" />
          <p className="muted">
            {formatNumber(campaign.sent)} sent, {formatNumber(campaign.failed)} failed, {formatNumber(campaign.pending)}{" "}
            pending of {formatNumber(campaign.total)}; {formatNumber(campaign.opened)} opened,{" "}
            {formatNumber(campaign.clicked)} clicked.{" "}
            <Link to={`/batches?ids=${encodeURIComponent(campaign.campaignId)}`}>As a batch</Link>
          </p>
        </section>
      ) : id ? (
        <p className="muted">No campaign {id} (campaigns are kept 7 days).</p>
      ) : null}
      <Form method="post" className="card form-stack">
        <h2>New campaign</h2>
        <label>
          Subject
          <input name="subject" required maxLength={250} placeholder="{{month}} news for {{name}}" />
        </label>
        <label>
          Body format
          <select name="format" defaultValue="html">
            <option value="html">HTML</option>
            <option value="mjml">MJML</option>
          </select>
        </label>
        <label>
          Body ({"{{variables}}"} are filled per recipient and HTML-escaped)
          <textarea name="body" rows={10} defaultValue={EXAMPLE_BODY} required />
        </label>
        <label>
          Text part (optional; without it the HTML's text is used)
          <textarea name="text" rows={4} />
        </label>
        <label>
          Recipients, one a line: an address, then optionally a JSON object of personalizations
          <textarea
            name="recipients"
            rows={8}
            placeholder={'ann@example.com {"name":"Ann"}\nbob@example.com'}
            required
          />
        </label>
        <label>
          Batch size (recipients queued per round trip)
          <input type="number" name="batchSize" min={1} max={10000} defaultValue={1000} />
        </label>
        <button type="submit" className="btn btn-primary">
          Send
        </button>
      </Form>
    </>
  );
}
