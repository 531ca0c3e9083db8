import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Flash, PageHeader, QueueSelect } from "../components/ui.tsx";
import { act, load } from "../lib/api.server.ts";
import { adminEnv } from "../lib/env.server.ts";
import { clampInt, formatNumber } from "../lib/format.ts";
import { queueNames } from "../lib/queue-names.server.ts";
import { requireAdmin } from "../lib/session.server.ts";

export const handle = { refresh: false };

function assertDevelopment(): void {
  if (adminEnv().production) throw new Response("Dev tools are off in production.", { status: 404 });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  assertDevelopment();
  return { names: await load(queueNames) };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireAdmin(request);
  assertDevelopment();
  const form = await request.formData();
  const queue = String(form.get("queue") ?? "email");
  // Dev tools write real jobs (and a drain runs them): recorded like every other change.
  const audit = { actor: session.actor, action: `dev tools: ${String(form.get("intent"))}`, target: queue };
  switch (form.get("intent")) {
    case "create-test-jobs": {
      const count = clampInt(String(form.get("count") ?? ""), 10, 1, 1000);
      return act(async (c) => {
        const r = await c.tools.createTestJobs.mutate({ queue, count });
        return `Created ${formatNumber(r.jobsCreated)} test jobs in ${r.queue} (batch ${r.batchId}).`;
      }, audit);
    }
    case "performance-test": {
      const jobCount = clampInt(String(form.get("jobCount") ?? ""), 1000, 1, 100_000);
      return act(async (c) => {
        const r = await c.tools.performanceTest.mutate({ queue, jobCount });
        return `Enqueued ${formatNumber(r.jobsCreated)} jobs into ${r.queue} in ${formatNumber(r.durationMs)} ms (${formatNumber(r.jobsPerSecond)} jobs/s).`;
      }, audit);
    }
    case "drain": {
      const limit = clampInt(String(form.get("limit") ?? ""), 50, 1, 1000);
      return act(async (c) => {
        const r = await c.workers.drain.mutate({ queue, limit });
        return `Drained ${queue}: ${r.processed} processed, ${r.failed} failed, ${r.retried} retried, ${r.deadLettered} dead-lettered, ${r.remaining} remaining, in ${r.durationMs} ms.`;
      }, audit);
    }
    default:
      return data({ ok: false, message: "Unknown action." }, { status: 400 });
  }
}

export default function DevTools() {
  const { names } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Dev tools" />
      <p className="muted">
        Development only. Test jobs go to the email queue (welcome emails to example.com addresses, which the email
        worker sends through the console provider) unless you pick another; the performance test fills dev_test.
      </p>
      <Flash result={result} />
      <div className="grid-2">
        <Form method="post" className="card form-stack">
          <h2>Create test jobs</h2>
          <input type="hidden" name="intent" value="create-test-jobs" />
          <QueueSelect names={names} defaultValue="email" />
          <label>
            How many
            <input type="number" name="count" min={1} max={1000} defaultValue={10} />
          </label>
          <button type="submit" className="btn btn-primary">
            Create
          </button>
        </Form>
        <Form method="post" className="card form-stack">
          <h2>Performance test</h2>
          <input type="hidden" name="intent" value="performance-test" />
          <QueueSelect names={names} defaultValue="dev_test" />
          <label>
            Jobs to enqueue
            <input type="number" name="jobCount" min={1} max={100000} defaultValue={1000} />
          </label>
          <button type="submit" className="btn btn-primary">
            Run
          </button>
        </Form>
        <Form method="post" className="card form-stack">
          <h2>Drain now</h2>
          <p className="muted">Runs up to N jobs inside the API process, as a cron deployment would.</p>
          <input type="hidden" name="intent" value="drain" />
          <QueueSelect names={names} defaultValue="email" />
          <label>
            Limit
            <input type="number" name="limit" min={1} max={1000} defaultValue={50} />
          </label>
          <button type="submit" className="btn">
            Drain
          </button>
        </Form>
        <Form method="get" action="/dev-tools/export" reloadDocument className="card form-stack">
          <h2>Export</h2>
          <p className="muted">Every job of the queue as JSON lines (masked), for analysis or a bug report.</p>
          <QueueSelect names={names} defaultValue="email" />
          <button type="submit" className="btn">
            Download
          </button>
        </Form>
      </div>
    </>
  );
}
