import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PageHeader, Stat } from "../components/ui.tsx";
import { load } from "../lib/api.server.ts";
import { formatBytes, formatDuration, formatNumber } from "../lib/format.ts";
import { requireAdmin } from "../lib/session.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return { info: await load((c) => c.redis.info.query()) };
}

export default function RedisPage() {
  const { info } = useLoaderData<typeof loader>();
  const limit = info.maxMemory ? formatBytes(info.maxMemory) : "no limit";
  return (
    <>
      <PageHeader title="Redis" />
      <div className="grid">
        <Stat
          label="Memory used"
          value={info.usedMemoryHuman}
          hint={`peak ${info.peakMemoryHuman ?? "—"}, limit ${limit}`}
        />
        <Stat label="Keys" value={formatNumber(info.keys)} />
        <Stat label="Clients" value={formatNumber(info.connectedClients)} />
        <Stat label="Version" value={info.version} hint={info.role ?? undefined} />
        <Stat label="Uptime" value={formatDuration(info.uptimeSeconds * 1000)} />
      </div>
    </>
  );
}
