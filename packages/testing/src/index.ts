export { type BunServer, type BunServerOptions, startBunServer } from "./bun-server.ts";
export { OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";
export {
  type Delivery,
  ProviderStandIn,
  type Reply,
  type StandInOptions,
  type StandInStats,
} from "./provider-stand-in.ts";
export {
  type ClusterNodeState,
  type RedisClusterHandle,
  type ReplicatedClusterHandle,
  type ReplicatedClusterOptions,
  startRedisCluster,
  startReplicatedCluster,
} from "./redis-cluster.ts";
export { atMaxmemory } from "./redis-faults.ts";
export { type RedisSentinelHandle, type RedisSentinelOptions, startRedisSentinel } from "./redis-sentinel.ts";
export {
  freePort,
  type RedisServerHandle,
  type RedisServerOptions,
  startRedisServer,
  waitForOutput,
} from "./redis-server.ts";
export { waitFor } from "./wait-for.ts";
export { type ReceivedWebhook, WebhookReceiver } from "./webhook-receiver.ts";
