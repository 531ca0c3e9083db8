// Follows a Sentinel failover at once: when the sentinels announce +switch-master, a connection
// still on the old master is dropped and reconnects through the sentinels, instead of waiting for
// its socket to fail (a master whose host died may never close it).
//
// Not ioredis's own failoverDetector: when the announcement arrives while a client is reconnecting
// and asking a sentinel where the master is (what every client does right after its master was
// killed), it ends that client for good, and every later command fails with "Connection is
// closed." This one only touches connections that are ready and on another server.
import { isIP } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { reconnectDelay } from "./reconnect-delay.ts";

export interface SentinelSwitchOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  sentinelPassword?: string;
  tls?: boolean;
}

interface Watch {
  readonly clients: Set<Redis>;
  readonly subscribers: Redis[];
}

const watches = new Map<string, Watch>();

/** Makes `redis`, and every connection duplicated from it, follow the sentinels' +switch-master. */
export function followSentinelSwitches(redis: Redis, options: SentinelSwitchOptions): Redis {
  const key = JSON.stringify([options.sentinels, options.name]);
  const track = () => (watches.get(key) ?? openWatch(key, options)).clients.add(redis);
  track();
  redis.on("ready", track); // again after an end and a later connect()
  // A client ends when its owner closes it (disconnect, quit); the last one closes the watch, so
  // the sentinel subscriptions never keep a process alive.
  redis.on("end", () => {
    const watch = watches.get(key);
    if (!watch?.clients.delete(redis) || watch.clients.size > 0) return;
    watches.delete(key);
    for (const subscriber of watch.subscribers) subscriber.disconnect();
  });
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override?: Partial<RedisOptions>) => followSentinelSwitches(duplicate(override), options);
  return redis;
}

function openWatch(key: string, { sentinels, name, sentinelPassword, tls }: SentinelSwitchOptions): Watch {
  const clients = new Set<Redis>();
  const onSwitch = (message: string) => {
    // "<master name> <old ip> <old port> <new ip> <new port>"
    const [master, , , newHost, newPort] = message.split(" ");
    if (master !== name || !newPort) return;
    for (const client of clients) {
      if (client.status === "ready" && !isConnectedTo(client, newHost ?? "", Number(newPort))) {
        client.disconnect(true);
      }
    }
  };
  // Every sentinel, as any one of them may be down; each says it once per failover.
  const subscribers = sentinels.map(({ host, port }) => {
    const subscriber = new Redis({
      host,
      port,
      password: sentinelPassword,
      ...(tls ? { tls: {} } : {}),
      retryStrategy: reconnectDelay,
      maxRetriesPerRequest: null,
    });
    subscriber.on("error", () => {}); // a sentinel down is the client's concern, not this watch's
    subscriber.on("message", (_channel: string, message: string) => onSwitch(message));
    subscriber.subscribe("+switch-master").catch(() => {});
    return subscriber;
  });
  const watch = { clients, subscribers };
  watches.set(key, watch);
  return watch;
}

/** A host name (announce-hostnames) cannot be compared with the socket's address: the port decides. */
function isConnectedTo(client: Redis, host: string, port: number): boolean {
  const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  if (stream?.remotePort !== port) return false;
  return isIP(host) === 0 || stream.remoteAddress?.replace(/^::ffff:/, "") === host;
}
