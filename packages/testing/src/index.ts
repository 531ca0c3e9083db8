export { freePort, startRedisServer, type RedisServerHandle, type RedisServerOptions } from "./redis-server.ts";
export { startRedisCluster, type RedisClusterHandle } from "./redis-cluster.ts";
export { waitFor } from "./wait-for.ts";
