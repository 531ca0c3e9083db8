import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, PageHeader, Stat } from "../components/ui.tsx";
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
      {info.maxmemoryPolicy !== "noeviction" && info.maxmemoryPolicy !== "unknown" ? (
        <Banner tone="error" title="Queued jobs can be evicted.">
          maxmemory-policy is {info.maxmemoryPolicy}: under memory pressure Redis drops keys, queued jobs included. Set
          it to noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf).
        </Banner>
      ) : null}
      {info.outOfMemory ? (
        <Banner tone="error" title="Redis is out of memory.">
          New jobs are refused until memory is freed or maxmemory raised; workers keep delivering what is queued.
        </Banner>
      ) : null}
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
        <Stat
          label="Eviction policy"
          value={info.maxmemoryPolicy}
          tone={info.maxmemoryPolicy === "noeviction" ? undefined : "danger"}
          hint="noeviction keeps every queued job"
        />
        <Stat
          label="Persistence"
          value={info.persistence}
          hint={info.persistence === "none" ? "a restart loses every job" : undefined}
        />
        <Stat label="Fragmentation" value={info.fragmentationRatio ? info.fragmentationRatio.toFixed(2) : "—"} />
        <Stat label="Operations" value={`${formatNumber(info.opsPerSecond)}/s`} />
      </div>
    </>
  );
}
