export { type RedisClusterHandle, startRedisCluster } from "./redis-cluster.ts";
export { freePort, type RedisServerHandle, type RedisServerOptions, startRedisServer } from "./redis-server.ts";
export { waitFor } from "./wait-for.ts";
